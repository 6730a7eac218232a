namespace Reconciler.Actors.Templates;

/// <summary>
/// A template that cannot be loaded, parsed or rendered. The message is one line,
/// <c>file(line,col): message</c> when the template source is to blame, so it reads well in a log.
/// </summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The render was stopped at one of its <see cref="RenderLimits"/>: the same state would only hit it again.</summary>
    public bool LimitExceeded { get; init; }

    /// <summary>The registry breached one of the template's bounds (<see cref="ValueLimitExceededException"/>): hold the render back.</summary>
    public bool HeldBack { get; init; }
}
