using Reconciler.Actors.Output;
using Reconciler.Host.CommandLine;

ChildSignal.RestoreDefault();
return await ReconcilerCommandLine.RunAsync(args);
