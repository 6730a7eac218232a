using System.Collections.Immutable;
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
    LogSettings Log,
    string HttpListen,
    ImmutableArray<TemplateDefinition> Templates)
{
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
    TlsSettings Tls);

public sealed record TlsSettings(string CaFile, string CertFile, string KeyFile)
{
    public bool IsEnabled => CaFile.Length > 0 || CertFile.Length > 0;
}


public sealed record SupervisionSettings(TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor);

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
    ImmutableDictionary<string, string> Variables)
{
    /// <summary>The language of <see cref="Src"/>: a confd resource's template is Go text/template.</summary>
    public TemplateSyntax Syntax { get; init; } = TemplateSyntax.Scriban;

    /// <summary>confd's resource prefix, prepended to the keys the template's functions read; "" for none.</summary>
    public string KeyPrefix { get; init; } = string.Empty;

    public bool Reads(string key) => Keys.Any(p => p.Covers(key));
}
