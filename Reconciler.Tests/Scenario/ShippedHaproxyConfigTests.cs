using Reconciler.Actors.Configuration;
using Reconciler.Actors.Output;

namespace Reconciler.Tests.Scenario;

/// <summary>What the shipped haproxy.conf exposes, as an operator gets it.</summary>
public sealed class ShippedHaproxyConfigTests
{
    [Fact]
    public void The_stats_page_binds_loopback_only_and_the_admin_socket_sits_where_only_root_writes()
    {
        var haproxy = SettingsLoader.Load(ShippedHaproxyConfig.ConfigFile).Templates.Single(t => t.Name == "haproxy");

        Assert.StartsWith("127.0.0.1:", haproxy.Variables["stats_bind"], StringComparison.Ordinal); // the stats page has no password
        Assert.Equal(haproxy.Runtime.Socket, haproxy.Variables["stats_socket"]);
        Assert.Equal("/run", Path.GetDirectoryName(haproxy.Runtime.Socket));
        Assert.Null(FolderSafety.Problem("/run"));
    }
}
