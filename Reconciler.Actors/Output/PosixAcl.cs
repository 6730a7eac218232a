using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Reconciler.Actors.Output;

internal enum AclTag : ushort
{
    UserObject = 0x01,
    User = 0x02,
    GroupObject = 0x04,
    Group = 0x08,
    Mask = 0x10,
    Other = 0x20,
}

internal readonly record struct AclEntry(AclTag Tag, bool CanWrite, uint Id);

/// <summary>
/// A file's access ACL as the kernel keeps it in the <c>system.posix_acl_access</c> extended attribute: a 4-byte
/// version (2), then 8-byte entries (tag, permission bits, id), little-endian. Only the entries that can grant write
/// beyond the mode bits matter here: named users and named groups, as far as the mask lets them.
/// </summary>
internal static class PosixAcl
{
    private const string AccessAttribute = "system.posix_acl_access";
    private const uint Version = 2;
    private const int HeaderBytes = 4;
    private const int EntryBytes = 8;
    private const ushort WriteBit = 2;

    /// <summary>The entries of <paramref name="path"/>'s access ACL; empty when it has none beyond its mode (or the file system keeps none).</summary>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static IReadOnlyList<AclEntry> Of(string path)
    {
        var buffer = new byte[HeaderBytes + (EntryBytes * 64)];
        while (true)
        {
            var length = LibC.getxattr(path, AccessAttribute, buffer, (nuint)buffer.Length);
            if (length >= 0)
            {
                return Parse(buffer.AsSpan(0, (int)length));
            }

            var error = Marshal.GetLastPInvokeError();
            if (error is LibC.ENODATA or LibC.EOPNOTSUPP)
            {
                return [];
            }

            if (error != LibC.ERANGE)
            {
                throw new IOException($"cannot read the ACL of {path}: {Marshal.GetPInvokeErrorMessage(error)}");
            }

            buffer = new byte[buffer.Length * 4];
        }
    }

    /// <summary>The entries of an attribute's value; empty for a value of another version or a torn one.</summary>
    public static IReadOnlyList<AclEntry> Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length < HeaderBytes || (value.Length - HeaderBytes) % EntryBytes != 0 || BinaryPrimitives.ReadUInt32LittleEndian(value) != Version)
        {
            return [];
        }

        var entries = new List<AclEntry>();
        for (var offset = HeaderBytes; offset < value.Length; offset += EntryBytes)
        {
            var entry = value.Slice(offset, EntryBytes);
            entries.Add(new AclEntry(
                (AclTag)BinaryPrimitives.ReadUInt16LittleEndian(entry),
                (BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]) & WriteBit) != 0,
                BinaryPrimitives.ReadUInt32LittleEndian(entry[4..])));
        }

        return entries;
    }

    /// <summary>
    /// The first named user or group entry that lets someone other than root and <paramref name="user"/> /
    /// <paramref name="group"/> write (the mask allowing it), as a phrase; null when there is none.
    /// </summary>
    public static string? WriterBeyondMode(IReadOnlyList<AclEntry> entries, uint user, uint group)
    {
        if (entries.Any(e => e.Tag == AclTag.Mask && !e.CanWrite))
        {
            return null; // the mask caps every named entry (and the owning group) below write
        }

        foreach (var entry in entries)
        {
            if (entry.CanWrite && entry.Id != 0 && ((entry.Tag == AclTag.User && entry.Id != user) || (entry.Tag == AclTag.Group && entry.Id != group)))
            {
                return $"has an ACL entry granting write to {(entry.Tag == AclTag.User ? "uid" : "gid")} {entry.Id}";
            }
        }

        return null;
    }
}
