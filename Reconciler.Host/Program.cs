using Reconciler.Actors.Output;
using Reconciler.Host.CommandLine;

ChildSignal.RestoreDefault();
_ = ChildSubreaper.Become();
return await ReconcilerCommandLine.RunAsync(args);
