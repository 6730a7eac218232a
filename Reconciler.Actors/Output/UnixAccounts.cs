using System.Globalization;
using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

/// <summary>Resolves the <c>owner</c>/<c>group</c> settings (a name or a numeric id) to the ids chown takes.</summary>
internal static class UnixAccounts
{
    private const int InitialBufferSize = 1024;
    private const int MaxBufferSize = 1 << 20;

    /// <summary>Resolves a user name or numeric uid; false when no such user exists.</summary>
    public static bool TryResolveUser(string nameOrId, out uint userId)
    {
        var id = TryParseId(nameOrId) ?? Lookup(nameOrId, buffer =>
        {
            var error = LibC.getpwnam_r(nameOrId, out var passwd, buffer, (nuint)buffer.Length, out var result);
            return (error, result == IntPtr.Zero ? null : passwd.UserId);
        });
        userId = id ?? 0;
        return id.HasValue;
    }

    /// <summary>Resolves a group name or numeric gid; false when no such group exists.</summary>
    public static bool TryResolveGroup(string nameOrId, out uint groupId)
    {
        var id = TryParseId(nameOrId) ?? Lookup(nameOrId, buffer =>
        {
            var error = LibC.getgrnam_r(nameOrId, out var group, buffer, (nuint)buffer.Length, out var result);
            return (error, result == IntPtr.Zero ? null : group.GroupId);
        });
        groupId = id ?? 0;
        return id.HasValue;
    }

    /// <summary>A numeric id is taken as is, like chown(1) does; -1 is excluded because it means "unchanged".</summary>
    private static uint? TryParseId(string text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != LibC.KeepId
            ? id
            : null;

    /// <summary>Runs a reentrant *nam_r lookup, growing its string buffer while libc answers ERANGE.</summary>
    private static uint? Lookup(string name, Func<byte[], (int Error, uint? Id)> call)
    {
        for (var size = InitialBufferSize; size <= MaxBufferSize; size *= 2)
        {
            var (error, id) = call(new byte[size]);
            if (error == 0)
            {
                return id;
            }

            if (error != LibC.ERANGE)
            {
                throw new IOException($"cannot look up '{name}': {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }

        throw new IOException($"cannot look up '{name}': its account entry is larger than {MaxBufferSize} bytes");
    }
}
