using System.Collections.Immutable;
using System.Net;
using Reconciler.Actors.Networks;
using Reconciler.Actors.Runtime;
using Reconciler.Actors.State;
using Reconciler.Actors.Templates;

namespace Reconciler.Actors.Configuration;

public enum BackendType
{
    Etcd,
    File,
}

public enum LogFormat
{
    Text,
    Json,
}

/// <summary>The whole validated configuration; paths are absolute.</summary>
public sealed record ReconcilerSettings(
    string SourceFile,
    BackendSettings Backend,
    DebounceSettings Debounce,
    SupervisionSettings Supervision,
    TimeSpan CommandTimeout,
    TimeSpan ShutdownTimeout,
    LogSettings Log,
    string HttpListen,
    ImmutableArray<TemplateDefinition> Templates)
{
    /// <summary>The DNS servers lookupIP and lookupSRV ask (reconciler.dns.servers); empty = the system resolver.</summary>
    public ImmutableArray<IPEndPoint> DnsServers { get; init; } = [];

    /// <summary>
    /// What check-cmd and reload-cmd get besides PATH and LANG (reconciler.commands.environment): "NAME" passes the
    /// daemon's value on, "NAME=value" sets one.
    /// </summary>
    public ImmutableArray<string> CommandEnvironment { get; init; } = [];

    /// <summary>The least time between two starts of one reload command (reconciler.commands.min-reload-interval); zero = none.</summary>
    public TimeSpan MinReloadInterval { get; init; }

    /// <summary>What loading found worth saying that does not stop it, one line each: a confd setting confd ignores, say.</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>Where the daemon keeps what it decided across restarts (reconciler.state-dir); empty = nowhere, in memory only.</summary>
    public string StateDir { get; init; } = string.Empty;

    /// <summary>reconciler.journal.max-entries: the journal keeps at most this many applies.</summary>
    public int JournalMaxEntries { get; init; } = 10_000;

    /// <summary>reconciler.journal.max-bytes: and at most this many bytes.</summary>
    public long JournalMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Whether /healthz shows lastError's text (reconciler.http.details).</summary>
    public bool HttpDetails { get; init; } = true;

    /// <summary>Idle time after which the daemon returns free memory to the OS (reconciler.memory.trim-after-idle); zero = never.</summary>
    public TimeSpan MemoryTrimAfterIdle { get; init; }

    /// <summary>What this daemon publishes of its applies for <c>reconciler fleet</c> (reconciler.fleet); off by default.</summary>
    public FleetSettings Fleet { get; init; } = FleetSettings.Off;

    /// <summary>Every prefix any template reads, with prefixes inside others dropped.</summary>
    public ImmutableArray<KeyPrefix> WatchedPrefixes =>
        KeyPrefixSet.Minimal(Templates.SelectMany(t => t.Keys));
}

public sealed record BackendSettings(
    BackendType Type,
    ImmutableArray<string> Endpoints,
    string FilePath,
    string Username,
    string Password,
    TlsSettings Tls)
{
    /// <summary>Deadline of each unary etcd call (reconciler.backend.request-timeout).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A watch not known to be current for this long is broken (reconciler.backend.watch-timeout).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest gRPC message accepted from etcd, in bytes (reconciler.backend.max-message-size).</summary>
    public int MaxMessageSize { get; init; } = 64 * 1024 * 1024;

    /// <summary>What the daemon stores of the registry at all (reconciler.backend's max-key-bytes, max-value-bytes, max-prefix-bytes).</summary>
    public KeyLimits Limits { get; init; } = KeyLimits.Default;

    /// <summary>Value equality, including the endpoint list (records compare it by reference).</summary>
    public bool IsSameAs(BackendSettings other) =>
        this with { Endpoints = [] } == other with { Endpoints = [] } && Endpoints.SequenceEqual(other.Endpoints);
}

public sealed record TlsSettings(string CaFile, string CertFile, string KeyFile)
{
    public bool IsEnabled => CaFile.Length > 0 || CertFile.Length > 0;
}


public sealed record SupervisionSettings(TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor, int MaxRestarts, TimeSpan RestartWindow);

public sealed record LogSettings(string Level, LogFormat Format);

/// <summary>One file to keep in sync: its template, destination, the keys it reads and its commands.</summary>
public sealed record TemplateDefinition(
    string Name,
    string Src,
    string Dest,
    ImmutableArray<KeyPrefix> Keys,
    UnixFileMode Mode,
    string Owner,
    string Group,
    string CheckCommand,
    string ReloadCommand,
    DebounceSettings Debounce,
    ImmutableDictionary<string, string> Variables,
    bool RollbackOnReloadFailure,
    ShrinkGuard ShrinkGuard)
{
    /// <summary>The language of <see cref="Src"/>: a confd resource's template is Go text/template.</summary>
    public TemplateSyntax Syntax { get; init; } = TemplateSyntax.Scriban;

    /// <summary>Whether debug logging may show the diff of this file; off for a file that holds secrets.</summary>
    public bool LogDiff { get; init; } = true;

    /// <summary>confd's resource prefix, prepended to the keys the template's functions read; "" for none.</summary>
    public string KeyPrefix { get; init; } = string.Empty;

    /// <summary>Server changes applied through HAProxy's admin socket instead of a reload; off by default.</summary>
    public RuntimeSettings Runtime { get; init; } = RuntimeSettings.Off;

    /// <summary>A render running longer is stopped and fails (render-timeout).</summary>
    public TimeSpan RenderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A render producing more is stopped and fails (max-output-bytes).</summary>
    public long MaxOutputBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A key or value with a control character is never handed to the template (reject-control-characters).</summary>
    public bool RejectControlCharacters { get; init; } = true;

    /// <summary>More keys under <see cref="Keys"/> hold the render back (max-keys).</summary>
    public int MaxKeys { get; init; } = 200_000;

    /// <summary>A longer value read by the template holds the render back (max-value-bytes).</summary>
    public long MaxValueBytes { get; init; } = 1024 * 1024;

    /// <summary>Networks an instance may point into (allowed-networks); empty for the default rule (<see cref="AddressPolicy"/>).</summary>
    public ImmutableArray<IPNetwork> AllowedNetworks { get; init; } = [];

    /// <summary>Whether an instance may name a host, resolved by HAProxy at load (allow-hostnames).</summary>
    public bool AllowHostNames { get; init; }

    /// <summary>What a refused check leads to: the keys that cause it found and left out (on), or the whole render refused.</summary>
    public QuarantineSettings Quarantine { get; init; } = QuarantineSettings.Default;

    /// <summary>The render's limits: render-timeout, max-output-bytes, and what it takes from the registry.</summary>
    public RenderLimits RenderLimits => new(RenderTimeout, MaxOutputBytes)
    {
        Values = new ValueRules(RejectControlCharacters, MaxValueBytes) { Addresses = AddressPolicy.ForTemplate(AllowedNetworks, AllowHostNames) },
    };

    public bool Reads(string key) => Keys.Any(p => p.Covers(key));

    /// <summary>Value equality, including the key list and variables (records compare those by reference).</summary>
    public bool IsSameAs(TemplateDefinition other) =>
        this with { Keys = [], Variables = ImmutableDictionary<string, string>.Empty, Runtime = RuntimeSettings.Off, AllowedNetworks = [] } == other with { Keys = [], Variables = ImmutableDictionary<string, string>.Empty, Runtime = RuntimeSettings.Off, AllowedNetworks = [] }
        && Runtime.IsSameAs(other.Runtime)
        && AllowedNetworks.SequenceEqual(other.AllowedNetworks)
        && Keys.SequenceEqual(other.Keys)
        && Variables.Count == other.Variables.Count
        && Variables.All(kv => other.Variables.TryGetValue(kv.Key, out var value) && value == kv.Value);
}
