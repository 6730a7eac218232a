namespace Reconciler.Actors.Confd;

/// <summary>One item of a Go template action. <see cref="Value"/> is the decoded text of a string, else the source text.</summary>
internal sealed record GoToken(GoTokenKind Kind, string Value, int Offset, int Length)
{
    public int End => Offset + Length;

    /// <summary>True when <paramref name="next"/> starts right where this ends: <c>$x.Key</c> is one operand, <c>$x .Key</c> two.</summary>
    public bool IsFollowedDirectlyBy(GoToken next) => next.Offset == End;

    public bool Is(GoTokenKind kind, string value) => Kind == kind && Value == value;
}
