namespace Reconciler.Actors.Confd;

/// <summary>Thrown while converting one Go template action; the converter turns it into a <see cref="ConversionProblem"/>.</summary>
internal sealed class UnconvertibleConstructException(string message) : Exception(message);
