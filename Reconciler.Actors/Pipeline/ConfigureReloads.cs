using Reconciler.Actors.Applying;

namespace Reconciler.Actors.Pipeline;

/// <summary>Root → reloader on a configuration reload: the command settings apply from the next run on.</summary>
internal sealed record ConfigureReloads(ReloaderSettings Settings);
