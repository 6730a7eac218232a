using Reconciler.Host.CommandLine;

return await ReconcilerCommandLine.RunAsync(args);
