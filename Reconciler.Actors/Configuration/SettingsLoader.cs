using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Reconciler.Actors.Backends;
using Reconciler.Actors.Confd;
using Reconciler.Actors.Output;
using Reconciler.Actors.State;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// Reads a user's HOCON file over the embedded reference.conf and validates it into
/// <see cref="ReconcilerSettings"/>. Every problem is a <see cref="ConfigurationException"/>.
/// </summary>
public static class SettingsLoader
{
    private const string Root = "reconciler";

    public static Config Reference { get; } = LoadReference();

    /// <param name="path">The user's HOCON file.</param>
    /// <param name="confdDir">A confd folder to load too (<c>--confd-dir</c>); overrides <c>reconciler.confd-dir</c>.</param>
    public static ReconcilerSettings Load(string path, string? confdDir = null)
    {
        var fullPath = Path.GetFullPath(path);
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
            user = ConfigurationFactory.ParseString(hocon);
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{sourceFile}: malformed HOCON: {FirstLine(e.Message)}");
        }

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

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>Reads one setting at a time so every error can name the setting.</summary>
    private sealed class SettingsReader(Config config, string file)
    {
        private readonly string _folder = Path.GetDirectoryName(file) ?? "/";

        public ReconcilerSettings Read(ConfdDirectory? confd)
        {
            var backend = ReadBackend();
            var debounce = ReadDebounce(config, $"{Root}.debounce");
            var templates = ReadTemplates(debounce, confd);
            return new ReconcilerSettings(
                file,
                backend,
                debounce,
                new SupervisionSettings(
                    Duration(config, $"{Root}.supervision.min-backoff"),
                    Duration(config, $"{Root}.supervision.max-backoff"),
                    Number(config, $"{Root}.supervision.random-factor"),
                    Count(config, $"{Root}.supervision.max-restarts"),
                    Duration(config, $"{Root}.supervision.restart-window", allowZero: false)),
                Duration(config, $"{Root}.commands.timeout", allowZero: false),
                Duration(config, $"{Root}.shutdown.timeout", allowZero: false),
                new LogSettings(
                    OneOf(config, $"{Root}.log.level", "trace", "debug", "info", "warning", "error"),
                    Enum.Parse<LogFormat>(OneOf(config, $"{Root}.log.format", "text", "json"), ignoreCase: true)),
                ListenAddress(config, $"{Root}.http.listen"),
                templates)
            {
                DnsServers = DnsServers(config, $"{Root}.dns.servers"),
                MemoryTrimAfterIdle = Duration(config, $"{Root}.memory.trim-after-idle"),
            };
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
                    OptionalFile(config, $"{at}.tls.key-file")));
            if (type == BackendType.Etcd)
            {
                try
                {
                    EtcdClientFactory.Validate(KeyValueSourceFactory.ConnectionOptions(backend));
                }
                catch (ArgumentException e)
                {
                    throw Error(at, e.Message);
                }
            }

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
            ImmutableArray<TemplateDefinition> templates =
                [.. ReadTemplateList(globalDebounce), .. confd?.ReadTemplateResources(globalDebounce) ?? []];
            RejectDuplicates(templates, t => t.Name, "name");
            RejectDuplicates(templates, t => t.Dest, "dest");
            return templates;
        }

        private IEnumerable<TemplateDefinition> ReadTemplateList(DebounceSettings globalDebounce)
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
            if (!Directory.Exists(Path.GetDirectoryName(dest)))
            {
                throw Error($"{at}.dest", $"folder {Path.GetDirectoryName(dest)} does not exist");
            }

            return new TemplateDefinition(
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
                RenderTimeout = Duration(template, "render-timeout", allowZero: false, at),
                MaxOutputBytes = ByteSize(template, "max-output-bytes", at),
            };
        }

        private ImmutableDictionary<string, string> ReadVariables(Config template, string at)
        {
            var vars = template.GetConfig("vars");
            if (vars is null || vars.IsEmpty)
            {
                return ImmutableDictionary<string, string>.Empty;
            }

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
            if (max < quiet)
            {
                throw Error(Name(at, maxPath), $"must be at least quiet ({quiet.TotalMilliseconds:0}ms)");
            }

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

        private TimeSpan Duration(Config from, string path, bool allowZero = true, string? at = null)
        {
            TimeSpan value;
            try
            {
                value = from.GetTimeSpan(path, null, allowInfinite: false);
            }
            catch (Exception)
            {
                throw Error(Name(at, path), $"\"{Raw(from, path)}\" is not a duration (use e.g. 200ms, 2s, 1m)");
            }

            if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
            {
                throw Error(Name(at, path), allowZero ? "must not be negative" : "must be greater than zero");
            }

            return value;
        }

        private double Number(Config from, string path)
        {
            try
            {
                var value = from.GetDouble(path);
                return value is >= 0 and <= 1 ? value : throw Error(path, "must be between 0 and 1");
            }
            catch (FormatException)
            {
                throw Error(path, $"\"{Raw(from, path)}\" is not a number");
            }
        }

        private int Count(Config from, string path, string? at = null)
        {
            var raw = Raw(from, path);
            return int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Error(Name(at, path), $"\"{raw}\" is not a whole number >= 0");
        }

        private long ByteSize(Config from, string path, string? at = null)
        {
            long? value;
            try
            {
                value = from.GetByteSize(path);
            }
            catch (Exception)
            {
                value = null;
            }

            return value > 0 ? value.Value : throw Error(Name(at, path), $"\"{Raw(from, path)}\" is not a size greater than zero (use e.g. 64MiB, 512KiB)");
        }

        private int Percent(Config from, string path, string? at = null)
        {
            var value = Count(from, path, at);
            return value <= 100 ? value : throw Error(Name(at, path), "must be between 0 and 100");
        }

        private bool Flag(Config from, string path, string? at = null)
        {
            var raw = Raw(from, path);
            return raw switch
            {
                "true" or "on" or "yes" => true,
                "false" or "off" or "no" or "" => false,
                _ => throw Error(Name(at, path), $"\"{raw}\" is not true or false"),
            };
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

        private string OneOf(Config from, string path, params string[] allowed)
        {
            var value = Text(from, path);
            return allowed.Contains(value, StringComparer.OrdinalIgnoreCase)
                ? value.ToLowerInvariant()
                : throw Error(path, $"\"{value}\" is not one of {string.Join(", ", allowed)}");
        }

        private string Required(Config from, string path, string at)
        {
            var value = Text(from, path, at);
            return value.Length > 0 ? value : throw Error($"{at}.{path}", "is required");
        }

        private string Text(Config from, string path, string? at = null)
        {
            var value = from.GetValue(path);
            if (value is null || value.IsEmpty)
            {
                return string.Empty;
            }

            return value.IsString() ? value.GetString() : throw Error(Name(at, path), "must be a string");
        }

        private ImmutableArray<string> StringList(Config from, string path, string? at = null)
        {
            var value = from.GetValue(path);
            if (value is null || value.IsEmpty)
            {
                return [];
            }

            if (value.IsString())
            {
                // a single value where a list is expected is a common slip; accept it
                return [value.GetString()];
            }

            try
            {
                return [.. value.GetStringList().Where(s => s.Length > 0)];
            }
            catch (Exception)
            {
                throw Error(Name(at, path), "must be a list of strings [\"...\", \"...\"]");
            }
        }

        private string PathSetting(Config from, string path, string? at = null, bool required = false)
        {
            var value = required ? Required(from, path, at ?? Root) : Text(from, path, at);
            return value.Length == 0 ? value : Path.GetFullPath(value, _folder);
        }

        private string ExistingFile(Config from, string path, string? at = null)
        {
            var value = PathSetting(from, path, at, required: true);
            return File.Exists(value) ? value : throw Error(Name(at, path), $"file {value} does not exist");
        }

        private string OptionalFile(Config from, string path)
        {
            var value = PathSetting(from, path);
            return value.Length == 0 || File.Exists(value) ? value : throw Error(path, $"file {value} does not exist");
        }

        private static string Raw(Config from, string path)
        {
            try
            {
                return from.GetValue(path)?.ToString() ?? string.Empty;
            }
            catch (Exception)
            {
                return string.Empty;
            }
        }

        private static string Name(string? at, string path) => at is null ? path : $"{at}.{path}";

        private ConfigurationException Error(string setting, string problem) => ConfigurationException.For(file, setting, problem);
    }
}
