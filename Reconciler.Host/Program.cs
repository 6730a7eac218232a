using Reconciler.Host.CommandLine;

return await ReconcilerCommandLine.Build().Parse(args).InvokeAsync();
