using dotnet_etcd;
using Google.Protobuf;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Backends;

/// <summary>
/// The byte range of etcd keys read and watched for one prefix. A prefix's keys are itself and those under
/// <c>&lt;prefix&gt;/</c>; the usual least-privilege role grants only the latter (<c>read /a/ --prefix=true</c>), and etcd
/// refuses any range reaching past a grant, so there are two forms: <see cref="Whole"/>, when the grant allows it,
/// and <see cref="Under"/> without the key <c>&lt;prefix&gt;</c> itself.
/// </summary>
internal sealed record EtcdKeyRange(ByteString Key, ByteString RangeEnd, string Grant)
{
    private static readonly ByteString ZeroKey = ByteString.CopyFrom(0);

    /// <summary>
    /// Every key that starts with the prefix: <c>/apps/web</c> itself, the keys under it, and siblings such as
    /// <c>/apps/webby</c> that callers filter out. The whole key space for <c>/</c>.
    /// </summary>
    public static EtcdKeyRange Whole(KeyPrefix prefix)
    {
        if (prefix.IsWholeKeySpace)
        {
            return new EtcdKeyRange(ZeroKey, ZeroKey, "'' --from-key=true"); // etcd's "every key" range
        }

        var key = ByteString.CopyFromUtf8(prefix.Value);
        return new EtcdKeyRange(key, EtcdClient.GetRangeEnd(key), $"{prefix.Value} --prefix=true");
    }

    /// <summary>Only the keys under <c>&lt;prefix&gt;/</c>: what <c>grant-permission read &lt;prefix&gt;/ --prefix=true</c> allows.</summary>
    public static EtcdKeyRange Under(KeyPrefix prefix)
    {
        var key = ByteString.CopyFromUtf8(prefix.Value + "/");
        return new EtcdKeyRange(key, EtcdClient.GetRangeEnd(key), $"{prefix.Value}/ --prefix=true");
    }
}
