using System.Text;
using Reconciler.Actors.Display;

namespace Reconciler.Actors.Registration;

/// <summary>
/// The key <c>reconciler register --key</c> writes, with specifiers expanded: <c>%n</c> is this machine's host
/// name, <c>%%</c> a literal %. Anything else after a % is an error rather than a key nobody meant. Without a %
/// the key is taken literally. (In a systemd unit, systemd expands its own specifiers first: there <c>%n</c> is the
/// unit's name and <c>%%n</c> reaches reconciler as <c>%n</c>.)
/// </summary>
public static class RegistrationKey
{
    /// <exception cref="FormatException">An unknown specifier, a trailing %, or an empty key.</exception>
    public static string Expand(string template, string hostName)
    {
        var key = new StringBuilder(template.Length + hostName.Length);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '%')
            {
                key.Append(template[i]);
                continue;
            }

            if (++i == template.Length)
            {
                throw new FormatException($"\"{template}\" ends with a lone %: use %% for a literal %");
            }

            key.Append(template[i] switch
            {
                'n' => hostName,
                '%' => "%",
                var other => throw new FormatException($"\"{template}\": unknown specifier %{other} (%n = host name, %% = %)"),
            });
        }

        return key.Length == 0 ? throw new FormatException("the key is empty")
            : PrintableText.HasControlCharacter(key.ToString()) ? throw new FormatException($"\"{PrintableText.Of(key.ToString())}\" has a control character, which no template is handed")
            : key.ToString();
    }
}
