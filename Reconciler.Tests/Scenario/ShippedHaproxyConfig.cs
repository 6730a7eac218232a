using System.Collections.Immutable;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// The example an operator starts from, <c>config/hocon/haproxy.conf</c> with its template
/// <c>config/templates/haproxy.cfg.sbn</c> (copied beside the tests with their relative layout), loaded through
/// the real <see cref="SettingsLoader"/>. A test changes only what differs per deployment: the etcd endpoint, the
/// dest file, the reload command and the template variables the shipped file declares (ports, socket path).
/// The template, its keys, its mode, its check-cmd and the debounce stay as shipped.
/// </summary>
/// <remarks>
/// Overriding in code rather than in HOCON: a template is an element of the <c>templates</c> list, which HOCON
/// cannot merge into, and Akka's HOCON does not read <c>${?ENV}</c> substitutions (they come out empty, and inside
/// a list element the parser does not return).
/// </remarks>
public static class ShippedHaproxyConfig
{
    public static string ConfigFile => Path.Combine(AppContext.BaseDirectory, "config", "hocon", "haproxy.conf");

    /// <param name="runtimeSocket">The admin socket for the shipped runtime settings; null turns the runtime API off (reload on every change).</param>
    public static ReconcilerSettings Load(string etcdUrl, string dest, IReadOnlyDictionary<string, string> variables, string reloadCommand, string? runtimeSocket)
    {
        var shipped = SettingsLoader.Load(ConfigFile);
        var haproxy = Assert.Single(shipped.Templates);
        Assert.Equal(variables.Keys.Order(), haproxy.Variables.Keys.Order()); // a variable the shipped file lacks would go unused
        Assert.True(haproxy.Runtime.IsHaproxy);
        var runtime = runtimeSocket is null ? RuntimeSettings.Off : haproxy.Runtime with { Socket = runtimeSocket };
        return shipped with
        {
            Backend = shipped.Backend with { Endpoints = [etcdUrl] },
            Templates = [haproxy with { Dest = dest, ReloadCommand = reloadCommand, Variables = variables.ToImmutableDictionary(), Runtime = runtime }],
        };
    }
}
