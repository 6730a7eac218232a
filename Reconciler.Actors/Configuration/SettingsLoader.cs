using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Reconciler.Actors.Configuration.Confd;
using Reconciler.Actors.Display;
using Reconciler.Actors.Networks;
using Reconciler.Actors.Output;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// Reads a user's HOCON file over the embedded reference.conf and validates it into
/// <see cref="ReconcilerSettings"/>, in layers: the text (<see cref="HoconSyntaxCheck"/>), the tree
/// against reference.conf's (<see cref="KnownSettings"/>), each setting's type and unit (the reader
/// below), then the rules between settings and with the machine (<see cref="SettingsRules"/>).
/// Every problem is a <see cref="ConfigurationException"/>.
/// </summary>
public static partial class SettingsLoader
{
    private const string Root = "reconciler";

    public static Config Reference { get; } = LoadReference();

    /// <param name="path">The user's HOCON file.</param>
    /// <param name="confdDir">A confd folder to load too (<c>--confd-dir</c>); overrides <c>reconciler.confd-dir</c>.</param>
    public static ReconcilerSettings Load(string path, string? confdDir = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ConfigurationException(Directory.Exists(Path.Combine(fullPath, "conf.d"))
                ? $"{path}: is a folder, not a configuration file; for a confd folder use --confd-dir {path}"
                : $"{path}: is a folder, not a configuration file (give the HOCON file in it, e.g. {Path.Combine(path, "reconciler.conf")})");
        }

        if (!File.Exists(fullPath))
        {
            throw new ConfigurationException($"{path}: file not found");
        }

        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot read: {e.Message}");
        }

        return Parse(text, fullPath, confdDir);
    }

    /// <summary>Settings for a confd folder alone: reference.conf's defaults under confd.toml's backend, and its template resources.</summary>
    public static ReconcilerSettings ForConfdDirectory(string confdDir) =>
        Parse(string.Empty, Path.Combine(Path.GetFullPath(confdDir), "confd.toml"), confdDir);

    /// <summary>Validates HOCON text as if read from <paramref name="sourceFile"/> (relative paths resolve against its folder).</summary>
    public static ReconcilerSettings Parse(string hocon, string sourceFile, string? confdDir = null)
    {
        if (HoconSyntaxCheck.FindProblem(hocon) is { } syntaxError)
        {
            throw new ConfigurationException($"{sourceFile}: malformed HOCON: {syntaxError}");
        }

        Config user;
        try
        {
            user = ConfigurationFactory.ParseString(HoconSyntaxCheck.WithoutCommasAfterObjects(hocon));
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{sourceFile}: malformed HOCON: {ParserError(e.Message, hocon)}");
        }

        KnownSettings.Check(user, sourceFile);

        // confd.toml's backend settings rank below the user's file and above reference.conf.
        var merged = user.WithFallback(Reference);
        var confd = new SettingsReader(merged, sourceFile).ReadConfdDirectory(confdDir);
        var config = confd is null ? merged : user.WithFallback(confd.BackendSettings).WithFallback(Reference);
        return new SettingsReader(config, sourceFile).Read(confd);
    }

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>Akka's first line, its character offset turned into line and column.</summary>
    private static string ParserError(string message, string hocon)
    {
        var first = message.Split('\n', 2)[0].Trim().TrimEnd(':');
        var position = ParserPosition().Match(first);
        return position.Success
            ? $"{HoconSyntaxCheck.Position(hocon, int.Parse(position.Groups[2].Value, CultureInfo.InvariantCulture))}: {position.Groups[1].Value}"
            : first;
    }

    [GeneratedRegex(@"^(.*?) at position (\d+)")]
    private static partial Regex ParserPosition();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    /// <summary>Reads reconciler's settings one at a time into their records.</summary>
    private sealed class SettingsReader(Config config, string file) : HoconReader(file)
    {
        public ReconcilerSettings Read(ConfdDirectory? confd)
        {
            var backend = ReadBackend();
            var debounce = ReadDebounce(config, $"{Root}.debounce");
            var templates = ReadTemplates(debounce, confd);
            var fleet = ReadFleet(backend, templates);
            return new ReconcilerSettings(
                SourceFile,
                backend,
                debounce,
                ReadSupervision(),
                Duration(config, $"{Root}.commands.timeout", allowZero: false),
                Duration(config, $"{Root}.shutdown.timeout", allowZero: false),
                new LogSettings(
                    OneOf(config, $"{Root}.log.level", "trace", "debug", "info", "warning", "error"),
                    Enum.Parse<LogFormat>(OneOf(config, $"{Root}.log.format", "text", "json"), ignoreCase: true)),
                ListenAddress(config, $"{Root}.http.listen"),
                templates)
            {
                DnsServers = DnsServers(config, $"{Root}.dns.servers"),
                CommandEnvironment = CommandEnvironment(config, $"{Root}.commands.environment"),
                MinReloadInterval = Duration(config, $"{Root}.commands.min-reload-interval"),
                HttpDetails = Flag(config, $"{Root}.http.details"),
                StateDir = PathSetting(config, $"{Root}.state-dir"),
                JournalMaxEntries = Math.Max(1, Count(config, $"{Root}.journal.max-entries")),
                JournalMaxBytes = ByteSize(config, $"{Root}.journal.max-bytes"),
                MemoryTrimAfterIdle = Duration(config, $"{Root}.memory.trim-after-idle"),
                Fleet = fleet,
                Warnings = [.. confd?.Warnings ?? []],
            };
        }

        /// <summary>reconciler.fleet; the overlap with the templates' keys is refused only when it is on, since only then is anything written.</summary>
        private FleetSettings ReadFleet(BackendSettings backend, ImmutableArray<TemplateDefinition> templates)
        {
            const string at = $"{Root}.fleet";
            var enabled = Flag(config, $"{at}.enabled");
            var prefixText = Text(config, $"{at}.prefix");
            Check($"{at}.prefix", SettingsRules.FleetPrefix(prefixText));
            var node = Text(config, $"{at}.node");
            Check($"{at}.node", SettingsRules.FleetNode(node));
            var ttl = Duration(config, $"{at}.ttl", allowZero: false);
            Check($"{at}.ttl", ttl.Ticks % TimeSpan.TicksPerSecond == 0 ? null : "must be whole seconds (etcd counts lease TTLs in seconds)");
            var fleet = new FleetSettings(enabled, node.Length == 0 ? System.Net.Dns.GetHostName() : node, new KeyPrefix(prefixText), ttl);
            if (enabled)
            {
                Check($"{at}.enabled", backend.Type == BackendType.Etcd ? null : "needs reconciler.backend.type = etcd: the records go to etcd");
                Check($"{at}.prefix", fleet.OverlapWith(templates));
            }

            return fleet;
        }

        private SupervisionSettings ReadSupervision()
        {
            const string at = $"{Root}.supervision";
            var supervision = new SupervisionSettings(
                Duration(config, $"{at}.min-backoff", allowZero: false),
                Duration(config, $"{at}.max-backoff", allowZero: false),
                Number(config, $"{at}.random-factor"),
                Count(config, $"{at}.max-restarts"),
                Duration(config, $"{at}.restart-window", allowZero: false));
            Check($"{at}.min-backoff", SettingsRules.Backoff(supervision.MinBackoff, supervision.MaxBackoff));
            return supervision;
        }

        private BackendSettings ReadBackend()
        {
            const string at = $"{Root}.backend";
            var type = Enum.Parse<BackendType>(OneOf(config, $"{at}.type", "etcd", "file"), ignoreCase: true);
            var endpoints = StringList(config, $"{at}.endpoints");
            if (type == BackendType.Etcd && endpoints.IsEmpty)
            {
                throw Error($"{at}.endpoints", "at least one etcd endpoint is needed");
            }

            foreach (var endpoint in endpoints)
            {
                if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                {
                    throw Error($"{at}.endpoints", $"\"{endpoint}\" is not an http:// or https:// URL");
                }
            }

            var filePath = type == BackendType.File ? ExistingFile(config, $"{at}.file.path") : PathSetting(config, $"{at}.file.path");
            var backend = new BackendSettings(
                type,
                endpoints,
                filePath,
                Text(config, $"{at}.username"),
                ReadPassword(at),
                new TlsSettings(
                    OptionalFile(config, $"{at}.tls.ca-file"),
                    OptionalFile(config, $"{at}.tls.cert-file"),
                    OptionalFile(config, $"{at}.tls.key-file")))
            {
                RequestTimeout = Duration(config, $"{at}.request-timeout", allowZero: false),
                WatchTimeout = Duration(config, $"{at}.watch-timeout", allowZero: false),
                MaxMessageSize = (int)ByteSize(config, $"{at}.max-message-size", 1024, int.MaxValue, "between 1KiB and 2GiB"),
                Limits = new KeyLimits(
                    (int)ByteSize(config, $"{at}.max-key-bytes", 1, int.MaxValue, "greater than zero and below 2GiB"),
                    (int)ByteSize(config, $"{at}.max-value-bytes", 1, int.MaxValue, "greater than zero and below 2GiB"),
                    ByteSize(config, $"{at}.max-prefix-bytes")),
            };
            return backend;
        }

        private string ReadPassword(string at)
        {
            var passwordFile = OptionalFile(config, $"{at}.password-file");
            if (passwordFile.Length == 0)
            {
                return Text(config, $"{at}.password");
            }

            try
            {
                return File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Error($"{at}.password-file", $"cannot read {passwordFile}: {e.Message}");
            }
        }

        /// <summary>The folder of <c>--confd-dir</c> (<paramref name="flag"/>) or else <c>reconciler.confd-dir</c>; null when neither is set.</summary>
        public ConfdDirectory? ReadConfdDirectory(string? flag)
        {
            const string at = $"{Root}.confd-dir";
            var path = string.IsNullOrEmpty(flag) ? PathSetting(config, at) : Path.GetFullPath(flag);
            if (path.Length == 0)
            {
                return null;
            }

            if (!Directory.Exists(path))
            {
                throw string.IsNullOrEmpty(flag)
                    ? Error(at, $"folder {path} does not exist")
                    : new ConfigurationException($"--confd-dir {flag}: folder {path} does not exist");
            }

            return ConfdDirectory.Open(path);
        }

        private ImmutableArray<TemplateDefinition> ReadTemplates(DebounceSettings globalDebounce, ConfdDirectory? confd)
        {
            var fromList = ReadTemplateList(globalDebounce).ToList();
            Check($"{Root}.templates", SettingsRules.Templates(fromList.Count, confd is not null));
            var fromConfd = confd?.ReadTemplateResources(globalDebounce) ?? [];
            foreach (var template in fromConfd)
            {
                CheckOnMachine(template, $"confd template {template.Name}");
            }

            ImmutableArray<TemplateDefinition> templates = [.. fromList, .. fromConfd];
            RejectDuplicates(templates, t => t.Name, "name");
            RejectDuplicates(templates, t => t.Dest, "dest");
            return templates;
        }

        private List<TemplateDefinition> ReadTemplateList(DebounceSettings globalDebounce)
        {
            const string at = $"{Root}.templates";
            var value = config.GetValue(at);

            // Akka's IsArray() is false for an empty list: reference.conf's `templates = []` means none.
            if (value is null || value.IsEmpty || value.Values is [HoconArray { Count: 0 }])
            {
                return [];
            }

            if (!value.IsArray())
            {
                throw Error(at, "must be a list of template objects [ { name = ..., src = ..., dest = ..., keys = [...] } ]");
            }

            var defaults = config.GetConfig($"{Root}.template-defaults");
            return value.GetArray()
                .Select((entry, index) => ReadTemplate(entry, $"{at}[{index}]", defaults, globalDebounce))
                .ToList();
        }

        private TemplateDefinition ReadTemplate(HoconValue entry, string at, Config defaults, DebounceSettings globalDebounce)
        {
            if (!entry.IsObject())
            {
                throw Error(at, "must be an object { name = ..., src = ..., dest = ..., keys = [...] }");
            }

            var template = entry.ToConfig().WithFallback(defaults);
            var name = Required(template, "name", at);
            at = $"{at} ({name})";
            var keys = StringList(template, "keys", at);
            if (keys.IsEmpty)
            {
                throw Error($"{at}.keys", "list at least one key prefix the template reads");
            }

            if (keys.FirstOrDefault(k => !k.StartsWith('/')) is { } relative)
            {
                throw Error($"{at}.keys", $"\"{relative}\" must start with /");
            }

            var modeText = Text(template, "mode", at);
            if (!FileModeSpec.TryParse(modeText, out var mode))
            {
                throw Error($"{at}.mode", $"\"{modeText}\" is not an octal file mode like \"0644\"");
            }

            var dest = PathSetting(template, "dest", at, required: true);
            var definition = new TemplateDefinition(
                name,
                ExistingFile(template, "src", at),
                dest,
                [.. keys.Select(k => new KeyPrefix(k))],
                mode,
                Text(template, "owner", at),
                Text(template, "group", at),
                Text(template, "check-cmd", at),
                Text(template, "reload-cmd", at),
                template.HasPath("debounce") ? ReadDebounce(template, "debounce", at, globalDebounce) : globalDebounce,
                ReadVariables(template, at),
                Flag(template, "rollback-on-reload-failure", at),
                new ShrinkGuard(Count(template, "min-entries", at), Percent(template, "max-shrink-percent", at)))
            {
                LogDiff = Flag(template, "log-diff", at),
                Runtime = ReadRuntime(template, at),
                RenderTimeout = Duration(template, "render-timeout", allowZero: false, at),
                MaxOutputBytes = ByteSize(template, "max-output-bytes", at),
                RejectControlCharacters = Flag(template, "reject-control-characters", at),
                MaxKeys = Count(template, "max-keys", at),
                MaxValueBytes = ByteSize(template, "max-value-bytes", at),
                AllowedNetworks = AllowedNetworks(template, at),
                AllowHostNames = Flag(template, "allow-hostnames", at),
                Quarantine = new QuarantineSettings(Flag(template, "quarantine.enabled", at), Count(template, "quarantine.max-checks", at)),
            };
            Check($"{at}.max-keys", definition.MaxKeys > 0 ? null : "must be at least 1");
            Check($"{at}.quarantine.max-checks", definition.Quarantine.MaxChecks > 0 || !definition.Quarantine.Enabled ? null : "must be at least 1 (or quarantine.enabled = false)");
            CheckRuntime(definition, at);
            CheckOnMachine(definition, at);
            return definition;
        }

        private ImmutableArray<IPNetwork> AllowedNetworks(Config template, string at)
        {
            var networks = AddressPolicy.ParseNetworks(StringList(template, "allowed-networks", at), out var problem);
            Check($"{at}.allowed-networks", problem);
            return networks;
        }

        private void CheckOnMachine(TemplateDefinition template, string at)
        {
            Check($"{at}.dest", SettingsRules.Dest(template.Dest));
            Check($"{at}.owner", SettingsRules.Owner(template.Owner));
            Check($"{at}.group", SettingsRules.Group(template.Group));
        }

        private RuntimeSettings ReadRuntime(Config template, string at)
        {
            var type = Text(template, "runtime.type", at);
            if (type.Length == 0)
            {
                return RuntimeSettings.Off;
            }

            if (!RuntimeSettings.Types.Contains(type))
            {
                throw Error($"{at}.runtime.type", $"\"{type}\" is not a runtime API; use {string.Join(", ", RuntimeSettings.Types)}, or \"\" for always reload");
            }

            var socket = Text(template, "runtime.socket", at);
            if (socket.Length == 0 || (!socket.StartsWith('/') && !IPEndPoint.TryParse(socket, out _)))
            {
                throw Error($"{at}.runtime.socket", $"\"{socket}\" is neither a unix socket path nor host:port");
            }

            var runtime = new RuntimeSettings(type, socket, StringList(template, "runtime.backends", at), Duration(template, "runtime.drain-timeout", at: at))
            {
                Name = Text(template, "runtime.name", at),
            };
            Check($"{at}.runtime.backends", runtime.IsHaproxy || runtime.Backends.IsEmpty ? null : $"applies to runtime.type = haproxy only, not {type}");
            Check($"{at}.runtime.name", !runtime.IsHaproxy || runtime.Name.Length == 0 ? null : "names a map, ACL file or certificate; runtime.type = haproxy changes server lines of dest");
            Check($"{at}.runtime.name", runtime.Name.Length == 0 || HaproxyCliWord.IsSafe(runtime.Name) ? null : $"\"{HaproxyCliWord.Printable(runtime.Name)}\" cannot be sent to the admin socket as one word");
            return runtime;
        }

        /// <summary>
        /// The runtime API needs reload-cmd (the way back whenever it cannot apply a change), and a certificate
        /// template's file holds a private key: its diff and its commands' output must never be logged.
        /// </summary>
        private void CheckRuntime(TemplateDefinition definition, string at)
        {
            Check($"{at}.runtime.type", !definition.Runtime.IsOn || definition.ReloadCommand.Length > 0 ? null : "needs a reload-cmd: a change the runtime API cannot apply is reloaded");
            if (definition.Runtime.Type == RuntimeSettings.HaproxyCert)
            {
                Check($"{at}.log-diff", definition.LogDiff ? "a haproxy-cert template's file holds a private key: set log-diff = false" : null);
            }
        }

        private ImmutableDictionary<string, string> ReadVariables(Config template, string at)
        {
            var vars = template.GetConfig("vars");
            if (vars is null || vars.IsEmpty)
            {
                return ImmutableDictionary<string, string>.Empty;
            }

            Check($"{at}.vars.vars", vars.HasPath("vars") ? "is a reserved name: vars.<name> reads every variable" : null);
            return vars.AsEnumerable().ToImmutableDictionary(
                kv => kv.Key,
                kv => kv.Value.IsString() ? kv.Value.GetString() : throw Error($"{at}.vars.{kv.Key}", "must be a string"));
        }

        private DebounceSettings ReadDebounce(Config from, string path, string? at = null, DebounceSettings? fallback = null)
        {
            var quietPath = $"{path}.quiet";
            var maxPath = $"{path}.max";
            var quiet = from.HasPath(quietPath) || fallback is null ? Duration(from, quietPath, at: at) : fallback.Quiet;
            var max = from.HasPath(maxPath) || fallback is null ? Duration(from, maxPath, at: at) : fallback.Max;
            Check(Name(at, maxPath), SettingsRules.Debounce(quiet, max));
            return new DebounceSettings(quiet, max);
        }

        private void RejectDuplicates(ImmutableArray<TemplateDefinition> templates, Func<TemplateDefinition, string> field, string setting)
        {
            var duplicate = templates.GroupBy(field, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                var names = string.Join(" and ", duplicate.Select(t => t.Name));
                throw Error($"{Root}.templates", $"templates {names} have the same {setting} {duplicate.Key}");
            }
        }

        /// <summary>"NAME" or "NAME=value", NAME a shell variable name; PATH and LANG are always there.</summary>
        private ImmutableArray<string> CommandEnvironment(Config from, string path)
        {
            var entries = StringList(from, path);
            foreach (var entry in entries)
            {
                var name = entry.Split('=', 2)[0];
                if (!EnvironmentName().IsMatch(name) || PrintableText.HasControlCharacter(entry))
                {
                    throw Error(path, $"\"{name}\" is not NAME or NAME=value (NAME: letters, digits and _, not starting with a digit)");
                }
            }

            return entries;
        }

        /// <summary>"10.0.0.2" (port 53) or "127.0.0.1:8600" / "[::1]:8600".</summary>
        private ImmutableArray<IPEndPoint> DnsServers(Config from, string path) =>
            [.. StringList(from, path).Select(server => IPEndPoint.TryParse(server, out var endpoint)
                ? endpoint.Port == 0 ? new IPEndPoint(endpoint.Address, 53) : endpoint
                : throw Error(path, $"\"{server}\" is not an IP address, or address:port like 127.0.0.1:8600"))];

        private string ListenAddress(Config from, string path)
        {
            var value = Text(from, path);
            return value.Length == 0 || (IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port != 0)
                ? value
                : throw Error(path, $"\"{value}\" is not an address:port like 127.0.0.1:9310 or [::1]:9310 (empty = off)");
        }
    }
}
