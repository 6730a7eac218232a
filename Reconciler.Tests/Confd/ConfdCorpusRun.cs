using System.Text.RegularExpressions;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Confd;

/// <summary>
/// The corpus's keys in a real etcd and confd itself (found by <see cref="ConfdLocation"/>) run once over a confd
/// folder holding every case: what confd wrote for each case is the expected output. Without confd it does nothing,
/// as the tests that use it skip.
/// </summary>
public sealed partial class ConfdCorpusRun : IAsyncLifetime
{
    private static readonly TimeSpan ConfdTimeout = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("reconciler-confd-corpus-").FullName;

    public EtcdFixture Etcd { get; } = new();

    /// <summary>The confd folder both tools read: conf.d/CASE.toml and templates/CASE.tmpl.</summary>
    public string ConfdFolder => Path.Combine(_folder, "confd");

    public string ConfdLog { get; private set; } = string.Empty;

    /// <summary>What confd wrote for <paramref name="name"/>; null when it wrote nothing (the template failed).</summary>
    public byte[]? ConfdOutput(string name)
    {
        var path = Path.Combine(_folder, "confd-out", name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public async Task InitializeAsync()
    {
        // xunit creates and initializes a class fixture even when every test of the class is skipped: start nothing
        if (ConfdLocation.Binary is not { } confd)
        {
            return;
        }

        if (!File.Exists(confd))
        {
            throw new InvalidOperationException($"CONFD={confd} does not exist: the differential tests compare against it");
        }

        await Etcd.StartAsync();
        Directory.CreateDirectory(Path.Combine(ConfdFolder, "conf.d"));
        Directory.CreateDirectory(Path.Combine(ConfdFolder, "templates"));
        Directory.CreateDirectory(Path.Combine(_folder, "confd-out"));
        var keys = new List<KeyValuePair<string, string>>();
        foreach (var corpusCase in ConfdCorpusCase.All())
        {
            keys.AddRange(corpusCase.Keys.Select(kv => KeyValuePair.Create(corpusCase.KeyRoot + kv.Key, kv.Value)));
            File.WriteAllText(Path.Combine(ConfdFolder, "templates", corpusCase.Name + ".tmpl"), corpusCase.Template);
            File.WriteAllText(Path.Combine(ConfdFolder, "conf.d", corpusCase.Name + ".toml"), Resource(corpusCase));
        }

        await Etcd.PutManyAsync(keys);
        ConfdLog = await RunConfdAsync(confd);
    }

    public Task DisposeAsync()
    {
        Etcd.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The case's resource with src and dest added and its prefix moved under the case's own key root.</summary>
    private string Resource(ConfdCorpusCase corpusCase)
    {
        var prefix = PrefixSetting().Match(corpusCase.Resource);
        var ownPrefix = prefix.Success ? "/" + prefix.Groups["prefix"].Value.Trim('/') : string.Empty;
        var rest = PrefixSetting().Replace(corpusCase.Resource, string.Empty);
        return $"""
            [template]
            src = "{corpusCase.Name}.tmpl"
            dest = "{Path.Combine(_folder, "confd-out", corpusCase.Name)}"
            prefix = "{corpusCase.KeyRoot}{ownPrefix}"
            {rest}
            """;
    }

    private async Task<string> RunConfdAsync(string confd)
    {
        var result = await ExternalCommand.RunAsync(
            confd,
            ["-onetime", "-backend", "etcdv3", "-node", Etcd.ClientUrl, "-confdir", ConfdFolder, "-log-level", "error"],
            ConfdTimeout);
        return result.Stdout + result.Stderr;
    }

    [GeneratedRegex(@"^\s*prefix\s*=\s*""(?<prefix>[^""]*)""\s*$", RegexOptions.Multiline)]
    private static partial Regex PrefixSetting();
}
