using Reconciler.Actors.Configuration;
using Reconciler.Host.Logging;

namespace Reconciler.Tests.Logging;

/// <summary>The startup line's backend: only what applies to its type and is set, secrets masked.</summary>
public sealed class EffectiveConfigurationTests
{
    private static readonly TlsSettings NoTls = new(string.Empty, string.Empty, string.Empty);

    [Fact]
    public void The_file_backend_is_its_file_alone()
    {
        var backend = new BackendSettings(BackendType.File, ["http://127.0.0.1:2379"], "/srv/keys.yaml", "alice", "secret", new TlsSettings("/ca.pem", "", ""));

        Assert.Equal("type=file file=/srv/keys.yaml", EffectiveConfiguration.Backend(backend));
    }

    [Fact]
    public void The_etcd_backend_names_what_is_set_with_the_password_masked()
    {
        var plain = new BackendSettings(BackendType.Etcd, ["http://127.0.0.1:2379", "http://10.0.0.2:2379"], "", "", "", NoTls);
        var secured = new BackendSettings(BackendType.Etcd, ["https://root:hunter2@etcd:2379"], "", "alice", "hunter2", new TlsSettings("/etc/ca.pem", "/etc/c.pem", "/etc/k.pem"));

        Assert.Equal("type=etcd endpoints=http://127.0.0.1:2379,http://10.0.0.2:2379", EffectiveConfiguration.Backend(plain));
        var described = EffectiveConfiguration.Backend(secured);
        Assert.StartsWith("type=etcd endpoints=https://root:***@etcd:2379", described);
        Assert.EndsWith("username=alice password=*** tls-ca=/etc/ca.pem tls-cert=/etc/c.pem tls-key=/etc/k.pem", described);
        Assert.DoesNotContain("hunter2", described);
    }
}
