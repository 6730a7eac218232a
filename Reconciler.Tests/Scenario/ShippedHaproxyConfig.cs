using System.Collections.Immutable;
using System.Net;
using System.Text.RegularExpressions;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Runtime;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// The example an operator starts from, <c>config/hocon/haproxy.conf</c> with its templates in
/// <c>config/templates</c> (copied beside the tests with their relative layout), loaded through the real
/// <see cref="SettingsLoader"/>. A test changes only what differs per deployment: the etcd endpoint, the dest
/// files, the reload command, the admin socket, the template variables the shipped file declares (ports,
/// paths), and allowed-networks (the instances listen on loopback). The templates, their keys, modes, check-cmds and the debounce stay as shipped.
/// </summary>
/// <remarks>
/// Overriding in code rather than in HOCON: a template is an element of the <c>templates</c> list, which HOCON
/// cannot merge into, and Akka's HOCON does not read <c>${?ENV}</c> substitutions (they come out empty, and inside
/// a list element the parser does not return).
/// </remarks>
public static partial class ShippedHaproxyConfig
{
    public static string ConfigFile => Path.Combine(AppContext.BaseDirectory, "config", "hocon", "haproxy.conf");

    /// <param name="runtimeSocket">The admin socket for the shipped runtime settings; null turns the runtime API off (reload on every change).</param>
    public static ReconcilerSettings Load(string etcdUrl, string dest, IReadOnlyDictionary<string, string> variables, string reloadCommand, string? runtimeSocket) =>
        Adapt(SettingsLoader.Load(ConfigFile), etcdUrl, dest, variables, reloadCommand, runtimeSocket);

    /// <summary>
    /// The shipped file with its optional templates (routes map, deny ACL, site certificate) uncommented as an
    /// operator would, their dests in <paramref name="folder"/> and named in haproxy.cfg's variables.
    /// </summary>
    public static ReconcilerSettings LoadWithOptionalFiles(string etcdUrl, string folder, IReadOnlyDictionary<string, string> variables, string reloadCommand, string? runtimeSocket)
    {
        var enabled = Path.Combine(Path.GetDirectoryName(ConfigFile)!, $"haproxy.optional-{Guid.NewGuid():N}.conf");
        File.WriteAllText(enabled, CommentedBlockLine().Replace(File.ReadAllText(ConfigFile), "$1$2"));
        ReconcilerSettings shipped;
        try
        {
            shipped = SettingsLoader.Load(enabled);
        }
        finally
        {
            File.Delete(enabled);
        }

        Assert.Equal(["haproxy", "routes", "deny", "site-cert"], shipped.Templates.Select(t => t.Name));
        var optional = shipped.Templates.Skip(1)
            .Select(t => t with
            {
                Dest = Path.Combine(folder, Path.GetFileName(t.Dest)),
                ReloadCommand = reloadCommand,
                Runtime = runtimeSocket is null ? RuntimeSettings.Off : t.Runtime with { Socket = runtimeSocket },
            })
            .ToList();
        var named = new Dictionary<string, string>(variables)
        {
            ["routes_map"] = optional[0].Dest,
            ["deny_acl"] = optional[1].Dest,
            ["tls_cert"] = optional[2].Dest,
        };
        var haproxy = Adapt(shipped with { Templates = [shipped.Templates[0]] }, etcdUrl, Path.Combine(folder, "haproxy.cfg"), named, reloadCommand, runtimeSocket);
        return haproxy with { Templates = [.. haproxy.Templates, .. optional] };
    }

    /// <summary>The tests' instances listen on loopback, which the shipped default refuses: the test says so, as allowed-networks would.</summary>
    public static readonly ImmutableArray<IPNetwork> InstancesOnLoopback = [IPNetwork.Parse("127.0.0.0/8")];

    private static ReconcilerSettings Adapt(ReconcilerSettings shipped, string etcdUrl, string dest, IReadOnlyDictionary<string, string> variables, string reloadCommand, string? runtimeSocket)
    {
        var haproxy = Assert.Single(shipped.Templates);
        Assert.Empty(variables.Keys.Except(haproxy.Variables.Keys)); // a variable the shipped file lacks would go unused
        Assert.True(haproxy.Runtime.IsHaproxy);
        var runtime = runtimeSocket is null ? RuntimeSettings.Off : haproxy.Runtime with { Socket = runtimeSocket };
        return shipped with
        {
            Backend = shipped.Backend with { Endpoints = [etcdUrl] },
            Templates = [haproxy with { Dest = dest, ReloadCommand = reloadCommand, Variables = haproxy.Variables.SetItems(variables), Runtime = runtime, AllowedNetworks = InstancesOnLoopback }],
        };
    }

    // "    # {", "    # }" and "    #   setting = ..." are the optional templates; "    # words" stay comments
    [GeneratedRegex(@"^(    )# (\{|\}|  .*)$", RegexOptions.Multiline)]
    private static partial Regex CommentedBlockLine();
}
