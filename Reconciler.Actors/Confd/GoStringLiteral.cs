using System.Globalization;
using System.Text;

namespace Reconciler.Actors.Confd;

/// <summary>Go's interpreted string literals (<c>"a\tb"</c>) decoded into the text they stand for.</summary>
internal static class GoStringLiteral
{
    /// <summary>Decodes the body of a <c>"…"</c> literal (without the quotes), with Go's escapes.</summary>
    /// <exception cref="UnconvertibleConstructException">An escape Go would reject.</exception>
    public static string Decode(string body)
    {
        // \x and octal escapes are single bytes that may form UTF-8 sequences together, so decode into bytes.
        var bytes = new List<byte>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\')
            {
                var length = char.IsSurrogatePair(body, i) ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(body, i, length));
                i += length - 1;
                continue;
            }

            if (++i >= body.Length)
            {
                throw Invalid(body);
            }

            switch (body[i])
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '"': bytes.Add((byte)'"'); break;
                case 'x':
                    bytes.Add((byte)Digits(body, ref i, 2, 16));
                    break;
                case 'u':
                    bytes.AddRange(Encoding.UTF8.GetBytes(CodePoint(body, Digits(body, ref i, 4, 16))));
                    break;
                case 'U':
                    bytes.AddRange(Encoding.UTF8.GetBytes(CodePoint(body, Digits(body, ref i, 8, 16))));
                    break;
                case >= '0' and <= '7':
                    i--;
                    bytes.Add((byte)Digits(body, ref i, 3, 8));
                    break;
                default:
                    throw Invalid(body);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>Reads <paramref name="count"/> digits after position <paramref name="i"/> and leaves i on the last one.</summary>
    private static int Digits(string body, ref int i, int count, int radix)
    {
        if (i + count >= body.Length)
        {
            throw Invalid(body);
        }

        var digits = body.Substring(i + 1, count);
        i += count;
        try
        {
            return radix == 16
                ? int.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                : Convert.ToInt32(digits, 8);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw Invalid(body);
        }
    }

    private static string CodePoint(string body, int value) =>
        Rune.IsValid(value) ? char.ConvertFromUtf32(value) : throw Invalid(body);

    private static UnconvertibleConstructException Invalid(string body) => new($"invalid escape in string \"{body}\"");
}
