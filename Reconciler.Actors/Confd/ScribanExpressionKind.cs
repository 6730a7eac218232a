namespace Reconciler.Actors.Confd;

/// <summary>How an expression binds, which decides where it needs parentheses.</summary>
internal enum ScribanExpressionKind
{
    /// <summary>A literal, variable, member access, index or parenthesised expression: never needs parentheses.</summary>
    Atom,

    /// <summary><c>f a b</c>: must be parenthesised as an argument or operand.</summary>
    Call,

    /// <summary><c>a | f</c>: as <see cref="Call"/>, but may stand as a loop source or assigned value.</summary>
    Pipe,

    /// <summary><c>a == b</c>, <c>!a</c>, <c>"" + a</c>: parenthesised everywhere but at the top of an action.</summary>
    Operation,
}
