using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Config = Akka.Configuration.Config;
using ConfigurationFactory = Akka.Configuration.ConfigurationFactory;

namespace Reconciler.Actors.Configuration.Confd;

/// <summary>
/// confd's own settings (<c>confd.toml</c>): the backend settings that map onto <c>reconciler.backend</c>, and the
/// global key prefix. <c>interval</c> and <c>watch</c> are accepted and ignored: Reconciler always watches. A setting
/// confd honours and Reconciler cannot is refused with the reason; one confd's decoder does not know is a warning.
/// </summary>
internal sealed class ConfdConfigFile
{
    private static readonly string[] Mapped =
        ["backend", "nodes", "prefix", "basic_auth", "username", "password", "client_cert", "client_key", "client_cakeys"];

    /// <summary>Settings with no effect here: polling, confd's own logging, SRV scheme, and other backends' options.</summary>
    private static readonly string[] Ignored =
        ["interval", "watch", "log-level", "scheme", "confdir", "auth_token", "auth_type", "app_id", "user_id", "role_id", "secret_id", "path", "table", "separator", "file", "filter"];

    /// <summary>Settings confd honours and Reconciler cannot, with why; set, they are an error rather than silently dropped.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.OrdinalIgnoreCase)
    {
        ["noop"] = "a confd.toml cannot make Reconciler a dry run; run reconciler --noop for one",
        ["onetime"] = "a confd.toml cannot make Reconciler run once; run reconciler --onetime for that",
        ["sync-only"] = "Reconciler always runs check_cmd and reload_cmd; remove them from the resources instead",
        ["srv_domain"] = "Reconciler does not look etcd up in DNS SRV records; list its endpoints in nodes",
        ["srv_record"] = "Reconciler does not look etcd up in DNS SRV records; list its endpoints in nodes",
        ["client_insecure"] = "Reconciler always verifies etcd's certificate; give its CA in client_cakeys",
        ["secret_keyring"] = "Reconciler has no crypt functions (cget, cgetv, cgets, cgetvs) to use the keyring",
        ["keepstagefile"] = "Reconciler removes its staged files; render one with reconciler render",
    };

    private ConfdConfigFile(Config backend, string prefix, ImmutableArray<string> warnings)
    {
        Backend = backend;
        Prefix = prefix;
        Warnings = warnings;
    }

    /// <summary>HOCON holding the <c>reconciler.backend</c> settings confd.toml sets, for use as a fallback under the user's file.</summary>
    public Config Backend { get; }

    /// <summary>confd's global prefix, normalised (<see cref="ConfdKeys.NormalisePrefix"/>); it replaces every resource's own.</summary>
    public string Prefix { get; }

    /// <summary>A line for each setting confd ignores.</summary>
    public ImmutableArray<string> Warnings { get; }

    /// <summary>Reads <c>confd.toml</c> in <paramref name="confdDirectory"/>; without one, nothing is set.</summary>
    /// <exception cref="ConfigurationException">A setting is malformed or cannot be honoured.</exception>
    public static ConfdConfigFile Read(string confdDirectory)
    {
        var path = Path.Combine(confdDirectory, "confd.toml");
        if (!File.Exists(path))
        {
            return new ConfdConfigFile(Config.Empty, string.Empty, []);
        }

        var settings = TomlFile.Read(path).Root;
        ImmutableArray<string> warnings = [.. settings.Unknown([.. Mapped, .. Ignored, .. Unsupported.Keys])];
        if (Unsupported.Keys.FirstOrDefault(key => settings.Has(key) && IsSet(settings, key)) is { } unsupported)
        {
            throw settings.Error(unsupported, $"is not supported by Reconciler: {Unsupported[unsupported]}; remove it");
        }

        var folder = Path.GetFullPath(confdDirectory);
        var confdir = settings.Text("confdir");
        if (confdir.Length > 0 && Path.TrimEndingDirectorySeparator(Path.GetFullPath(confdir, folder)) != Path.TrimEndingDirectorySeparator(folder))
        {
            throw settings.Error("confdir", $"Reconciler reads the confd folder it is given ({folder}); give it {confdir} instead");
        }

        return new ConfdConfigFile(ReadBackend(settings, folder), ConfdKeys.NormalisePrefix(settings.Text("prefix")), warnings);
    }

    private static Config ReadBackend(TomlSection settings, string folder)
    {
        var backend = new Dictionary<string, object>();
        var type = settings.Text("backend");
        if (type.Length > 0)
        {
            // confd's "etcd" and "etcdv3" both mean an etcd cluster here; Reconciler speaks the v3 API.
            backend["type"] = type is "etcd" or "etcdv3"
                ? "etcd"
                : throw settings.Error("backend", $"\"{type}\" is not supported: Reconciler reads etcd (backend = \"etcdv3\")");
        }

        var tls = new Dictionary<string, object>();
        AddFile(settings, "client_cakeys", folder, tls, "ca-file");
        AddFile(settings, "client_cert", folder, tls, "cert-file");
        AddFile(settings, "client_key", folder, tls, "key-file");
        if (tls.Count > 0)
        {
            backend["tls"] = tls;
        }

        var nodes = settings.TextList("nodes");
        if (!nodes.IsEmpty)
        {
            // confd nodes are usually host:port; TLS needs https:// endpoints here.
            var scheme = tls.Count > 0 ? "https://" : "http://";
            backend["endpoints"] = nodes.Select(node => Endpoint(settings, node.Contains("://", StringComparison.Ordinal) ? node : scheme + node)).ToList();
        }

        // confd's etcd client sends the credentials only with basic_auth = true.
        if (settings.Boolean("basic_auth"))
        {
            backend["username"] = settings.Text("username");
            backend["password"] = settings.Text("password");
        }

        return backend.Count == 0
            ? Config.Empty
            : ConfigurationFactory.ParseString($"reconciler.backend {Hocon(backend)}");
    }

    private static string Endpoint(TomlSection settings, string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? endpoint
            : throw settings.Error("nodes", $"\"{endpoint}\" is not a host:port or http(s):// URL");

    private static void AddFile(TomlSection settings, string key, string folder, Dictionary<string, object> tls, string setting)
    {
        var file = settings.Text(key);
        if (file.Length == 0)
        {
            return;
        }

        var path = Path.GetFullPath(file, folder);
        tls[setting] = File.Exists(path) ? path : throw settings.Error(key, $"file {path} does not exist");
    }

    private static bool IsSet(TomlSection settings, string key) =>
        key is "noop" or "onetime" or "sync-only" or "client_insecure" or "keepstagefile" ? settings.Boolean(key) : settings.Text(key).Length > 0;

    /// <summary>Strings, lists of strings and nested maps as HOCON; values are JSON-quoted, which HOCON reads as is.</summary>
    private static string Hocon(Dictionary<string, object> values)
    {
        var hocon = new StringBuilder("{\n");
        foreach (var (key, value) in values)
        {
            hocon.Append(key).Append(" = ").Append(value switch
            {
                Dictionary<string, object> inner => Hocon(inner),
                IEnumerable<string> list => $"[{string.Join(',', list.Select(Quoted))}]",
                _ => Quoted((string)value),
            }).Append('\n');
        }

        return hocon.Append('}').ToString();
    }

    private static string Quoted(string text) => $"\"{JsonEncodedText.Encode(text)}\"";
}
