namespace Reconciler.Actors.Confd;

/// <summary>The kinds of item inside a Go template action (<c>{{ … }}</c>), as Go's text/template lexer names them.</summary>
internal enum GoTokenKind
{
    /// <summary>A function name or keyword: <c>getv</c>, <c>range</c>, <c>true</c>.</summary>
    Identifier,

    /// <summary><c>.</c> alone: the current data.</summary>
    Dot,

    /// <summary><c>.Name</c>: a field of the current data, or of the term it directly follows.</summary>
    Field,

    /// <summary><c>$name</c>, or <c>$</c> alone.</summary>
    Variable,

    /// <summary>A quoted or raw string; <see cref="GoToken.Value"/> holds the decoded text.</summary>
    String,

    /// <summary>A character constant <c>'a'</c>.</summary>
    Char,

    Number,
    LeftParen,
    RightParen,
    Pipe,
    Comma,

    /// <summary><c>:=</c></summary>
    Declare,

    /// <summary><c>=</c></summary>
    Assign,
}
