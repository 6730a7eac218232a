using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Reconciler.Actors.Output;

namespace Reconciler.Actors.Runtime;

/// <summary>
/// Whether a unix admin socket is HAProxy's before the daemon sends it anything (a certificate's private key, say).
/// Its folder gets the dest-folder check (<see cref="FolderSafety"/>): in a folder others may write to (Debian's
/// /run/haproxy is 2775 haproxy:haproxy) anyone in that group can put a listener of their own at the socket's name.
/// And the process listening on it, as <c>SO_PEERCRED</c> tells, must run as root, as the daemon's user or as the
/// socket file's owner (HAProxy binds as root, or chowns the socket to its user).
/// </summary>
internal static class AdminSocketTrust
{
    private const int SOL_SOCKET = 1;
    private const int SO_PEERCRED = 17;

    /// <summary><c>struct ucred</c>: pid, uid, gid.</summary>
    private const int UcredBytes = 12;

    /// <summary>Why <paramref name="socket"/> (a unix socket path) must not be connected to; null when it may be.</summary>
    public static string? PathProblem(string socket)
    {
        FileStatus? status;
        try
        {
            status = FileStatus.Of(socket);
        }
        catch (IOException e)
        {
            return e.Message;
        }

        return status is { Kind: FileKind.SymbolicLink }
            ? "it is a symbolic link: name the socket itself"
            : FolderSafety.Problem(Path.GetDirectoryName(Path.GetFullPath(socket))!);
    }

    /// <summary>Why the peer of <paramref name="connection"/>, connected to <paramref name="socket"/>, must not be sent anything; null when it may.</summary>
    public static string? PeerProblem(System.Net.Sockets.Socket connection, string socket)
    {
        var credentials = new byte[UcredBytes];
        if (connection.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, credentials) != UcredBytes)
        {
            return "its listener's credentials cannot be read (SO_PEERCRED)";
        }

        FileStatus? status;
        try
        {
            status = FileStatus.Of(socket);
        }
        catch (IOException e)
        {
            return e.Message;
        }

        // no file (removed since the connect): no owner to accept, only root or the daemon's user
        var owner = status is { } found ? found.UserId : uint.MaxValue;
        return PeerProblem(BinaryPrimitives.ReadUInt32LittleEndian(credentials.AsSpan(4)), owner, LibC.geteuid());
    }

    /// <summary>The rule itself: the listener runs as root, as the daemon's user or as the socket file's owner.</summary>
    public static string? PeerProblem(uint listener, uint socketOwner, uint daemonUser) =>
        listener == 0 || listener == daemonUser || listener == socketOwner
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"it is served by uid {listener}, neither root, the daemon's user nor the socket file's owner (uid {socketOwner}): not HAProxy");
}
