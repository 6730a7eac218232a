using System.Security.Cryptography;
using System.Text;

namespace Reconciler.Actors.Applying;

/// <summary>
/// A dest's file in the state dir: its name and a hash of its full path (<c>haproxy.cfg-1a2b3c4d5e6f7a8b</c>), one
/// per dest however many templates and processes have written it, and two dests of one name never share one.
/// </summary>
internal static class StateFileName
{
    public static string For(string dest)
    {
        var full = Path.GetFullPath(dest);
        return $"{Path.GetFileName(full)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16]}";
    }
}
