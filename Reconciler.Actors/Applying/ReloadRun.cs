using Reconciler.Actors.Output;

namespace Reconciler.Actors.Applying;

/// <summary>
/// One run of a reload command, shared by every template that joined it: its result, how many templates it served
/// (the requests joined into it), and a number telling runs apart (metrics count each run once).
/// </summary>
public sealed record ReloadRun(long Number, CommandResult Result, int Templates);
