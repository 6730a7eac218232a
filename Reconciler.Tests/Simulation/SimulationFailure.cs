namespace Reconciler.Tests.Simulation;

/// <summary>An invariant of the pipeline broke during a simulated schedule.</summary>
internal sealed class SimulationFailure(string message) : Exception(message);
