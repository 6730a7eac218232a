using System.Net;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Applying;
using Reconciler.Actors.Configuration;
using Reconciler.Actors.Journal;
using Reconciler.Actors.State;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Scenario;

/// <summary>
/// The reference scenario on one machine, every piece real: a private etcd, HAProxy in master-worker mode on free
/// loopback ports, the reconciler pipeline on the shipped haproxy.conf and template, and application instances
/// (<see cref="NamedHttpServer"/>) that register under <c>/apps/stupid_server</c> as the scenario describes.
/// HAProxy starts on the config the template gives for an empty pool, as it would from a previous run, so the
/// reconciler's first reconcile finds the file in sync and does not reload.
/// </summary>
public sealed class HaproxyScenario : IAsyncDisposable
{
    public const string Prefix = "/apps/stupid_server";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly string _folder;
    private readonly List<NamedHttpServer> _instances = [];
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private HaproxyMasterWorker? _haproxy;
    private PipelineHarness? _pipeline;

    private HaproxyScenario(EtcdFixture etcd, string folder)
    {
        Etcd = etcd;
        _folder = folder;
        HttpPort = FreePort.Next();
        StatsPort = FreePort.Next();
        TlsPort = FreePort.Next();
    }

    public EtcdFixture Etcd { get; }

    public int HttpPort { get; }

    public int StatsPort { get; }

    /// <summary>The TLS bind of the optional site certificate.</summary>
    public int TlsPort { get; }

    /// <summary>The certificate in etcd (and HAProxy) at the start, with optional files; null without.</summary>
    public SiteCertificate? FirstCertificate { get; private set; }

    public string Folder => _folder;

    public Uri Frontend => new($"http://127.0.0.1:{HttpPort}/");

    public string ConfigFile => Path.Combine(_folder, "haproxy.cfg");

    public string LiveConfig => File.ReadAllText(ConfigFile);

    public HaproxyMasterWorker Haproxy => _haproxy!;

    /// <summary>HAProxy's admin-level stats socket (the worker's), which the runtime API talks to.</summary>
    public string AdminSocket => Path.Combine(_folder, "admin.sock");

    public PipelineHarness Pipeline => _pipeline!;

    /// <param name="runtime">Keep the shipped runtime API (server changes over the admin socket); false: reload on every change.</param>
    /// <param name="runtimeSocket">Where the reconciler looks for the admin socket; null = where HAProxy opens it.</param>
    /// <param name="editTemplate">Changes the shipped haproxy.cfg template's text for this scenario; null = as shipped.</param>
    /// <param name="optionalFiles">
    /// Also the shipped optional templates (routes map, deny ACL, site certificate) as an operator enables them,
    /// with a first certificate (<see cref="FirstCertificate"/>) in etcd and a TLS bind on <see cref="TlsPort"/>.
    /// </param>
    /// <param name="allowHostNames">haproxy.cfg's allow-hostnames: instances may name a host, which HAProxy resolves when it loads the file.</param>
    public static async Task<HaproxyScenario> StartAsync(
        ActorSystem system, bool runtime = true, string? runtimeSocket = null, Func<string, string>? editTemplate = null, bool optionalFiles = false, bool allowHostNames = false)
    {
        var scenario = new HaproxyScenario(await EtcdFixture.StartNewAsync(), Directory.CreateTempSubdirectory("reconciler-scenario-").FullName);
        try
        {
            await scenario.StartHaproxyAndPipelineAsync(system, runtime, runtimeSocket, editTemplate, optionalFiles, allowHostNames);
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts instance <c>stupid-server-N</c> (not registered yet).</summary>
    public NamedHttpServer StartInstance(int number)
    {
        var instance = NamedHttpServer.Start($"stupid-server-{number}");
        _instances.Add(instance);
        return instance;
    }

    /// <summary>Starts <c>stupid-server-N</c> that resets every request it receives, as if it crashed mid-request (not registered yet).</summary>
    public NamedHttpServer StartDroppingInstance(int number)
    {
        var instance = NamedHttpServer.StartDropping($"stupid-server-{number}");
        _instances.Add(instance);
        return instance;
    }

    /// <summary>The key the instance's systemd unit would register under: <c>/apps/stupid_server/stupid-server@N.service</c>.</summary>
    public static string KeyOf(NamedHttpServer instance) =>
        $"{Prefix}/{instance.Name.Replace("stupid-server-", "stupid-server@", StringComparison.Ordinal)}.service";

    /// <summary>Registers the instance as its systemd sidecar would: <c>reconciler register</c> with a lease of <paramref name="ttl"/>.</summary>
    public RunningReconciler SelfRegister(NamedHttpServer instance, string ttl) =>
        RunningReconciler.Start(
            "register", "--endpoints", Etcd.ClientUrl, "--key", KeyOf(instance), "--value", instance.Registration, "--allowed-networks", "127.0.0.0/8", "--ttl", ttl);

    public Task RegisterAsync(NamedHttpServer instance) => Etcd.PutAsync(KeyOf(instance), instance.Registration);

    public Task DeregisterAsync(NamedHttpServer instance) => Etcd.DeleteAsync(KeyOf(instance));

    /// <summary>
    /// Waits until HAProxy has been reloaded exactly <paramref name="reloads"/> times since it started and no old
    /// worker is left, so every request from now on is served by the newest configuration.
    /// </summary>
    public async Task ExpectReloadsAsync(int reloads)
    {
        await WaitUntilAsync($"HAProxy reloaded {reloads} time(s) with no old worker left", async () =>
        {
            if (await Haproxy.TryShowProcAsync() is not { } processes)
            {
                return false;
            }

            Assert.True(processes.Reloads <= reloads, $"HAProxy was reloaded {processes.Reloads} times, expected {reloads}{Environment.NewLine}{Diagnostics()}");
            return processes.Reloads == reloads && processes.OldWorkers.Count == 0 && processes.Workers.Count == 1;
        });
    }

    /// <summary>One GET through HAProxy on a new connection with <paramref name="host"/> as its Host: the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Frontend);
        request.Headers.Host = host;
        request.Headers.ConnectionClose = true;
        using var response = await _probe.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    /// <summary>Sends <paramref name="requests"/> requests through HAProxy, each on a new connection; returns who answered.</summary>
    public async Task<IReadOnlyList<string>> ProbeAsync(int requests)
    {
        var answers = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Frontend);
            request.Headers.ConnectionClose = true;
            using var response = await _probe.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"probe got HTTP {(int)response.StatusCode}: {body}{Environment.NewLine}{Diagnostics()}");
            answers.Add(body);
        }

        return answers;
    }

    /// <summary>Sends one POST through HAProxy on a new connection; returns the status HAProxy answered with.</summary>
    public async Task<HttpStatusCode> PostAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Frontend) { Content = new StringContent("order=1") };
        request.Headers.ConnectionClose = true;
        using var response = await _probe.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Waits until a probe of a few requests reaches <paramref name="instance"/>.</summary>
    public Task ExpectTrafficToAsync(NamedHttpServer instance) =>
        WaitUntilAsync($"traffic through HAProxy reaches {instance.Name}", async () => (await ProbeAsync(8)).Contains(instance.Name));

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with the scenario's diagnostics at the deadline.</summary>
    public async Task WaitUntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {Deadline.TotalSeconds:0} s: {what}{Environment.NewLine}{Diagnostics()}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>HAProxy's output, the reconciler's log and the live file, for failure messages.</summary>
    public string Diagnostics()
    {
        var log = _pipeline is null ? [] : _pipeline.Logs.Lines.Select(l => $"{l.Level}: {l.Message}");
        var live = File.Exists(ConfigFile) ? LiveConfig : "(none)";
        return $"--- reconciler log:{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}"
            + $"--- haproxy output:{Environment.NewLine}{_haproxy?.Output}{Environment.NewLine}"
            + $"--- {ConfigFile}:{Environment.NewLine}{live}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_pipeline is not null)
        {
            await _pipeline.DisposeAsync();
        }

        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        _probe.Dispose();
        Etcd.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task StartHaproxyAndPipelineAsync(ActorSystem system, bool runtime, string? runtimeSocket, Func<string, string>? editTemplate, bool optionalFiles, bool allowHostNames)
    {
        var pidFile = Path.Combine(_folder, "haproxy.pid");
        var variables = new Dictionary<string, string>
        {
            ["stats_socket"] = AdminSocket,
            ["stats_bind"] = $"127.0.0.1:{StatsPort}",
            ["http_bind"] = $"127.0.0.1:{HttpPort}",
        };
        var reloadCommand = $"kill -USR2 \"$(cat '{pidFile}')\"";
        var socket = runtime ? runtimeSocket ?? AdminSocket : null;
        ReconcilerSettings settings;
        if (optionalFiles)
        {
            variables["tls_bind"] = $"127.0.0.1:{TlsPort}";
            settings = ShippedHaproxyConfig.LoadWithOptionalFiles(Etcd.ClientUrl, _folder, variables, reloadCommand, socket);
        }
        else
        {
            settings = ShippedHaproxyConfig.Load(Etcd.ClientUrl, ConfigFile, variables, reloadCommand, socket);
        }

        settings = settings with { Templates = settings.Templates.SetItem(0, settings.Templates[0] with { AllowHostNames = allowHostNames }) };
        if (editTemplate is not null)
        {
            var template = settings.Templates[0];
            var edited = Path.Combine(_folder, "haproxy.cfg.sbn");
            await File.WriteAllTextAsync(edited, editTemplate(await File.ReadAllTextAsync(template.Src)));
            settings = settings with { Templates = settings.Templates.SetItem(0, template with { Src = edited }) };
        }

        await WriteFirstFilesAsync(settings, optionalFiles);
        _haproxy = await HaproxyMasterWorker.StartAsync(ConfigFile, pidFile, Path.Combine(_folder, "master.sock"), HttpPort);
        _pipeline = PipelineHarness.Start(system, _folder, settings);
        await WaitUntilAsync("the reconciler's first reconcile", () => Task.FromResult(Reconciles().Any()));
    }

    /// <summary>Every dest as the templates give it for what etcd holds now (an empty pool, and the first certificate), as a previous run left them.</summary>
    private async Task WriteFirstFilesAsync(ReconcilerSettings settings, bool optionalFiles)
    {
        var state = DesiredState.Empty;
        if (optionalFiles)
        {
            FirstCertificate = SiteCertificate.Create("site-1");
            await Etcd.PutAsync("/tls/site/cert", FirstCertificate.CertificatePem);
            await Etcd.PutAsync("/tls/site/key", FirstCertificate.KeyPem);
            state = DesiredState.From(await Etcd.RangeAsync("/tls"), 0);
        }

        await using var services = new ApplyServices(settings);
        foreach (var applier in TemplateApplier.CreateAll(settings, services))
        {
            await File.WriteAllTextAsync(applier.Definition.Dest, applier.Render(state, CancellationToken.None, out _));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(applier.Definition.Dest, (UnixFileMode)(int)applier.Definition.Mode);
            }
        }
    }

    /// <summary>The reconciler's per-reconcile log lines so far.</summary>
    public IEnumerable<CapturedLog> Reconciles() =>
        Pipeline.Logs.Lines.Where(l => l.Message.StartsWith("Reconciled haproxy ", StringComparison.Ordinal));

    /// <summary>The instance names on the live file's filled slots (the comment ending each one's <c>server</c> line).</summary>
    public List<string> InstancesInFile() =>
        [.. LiveConfig.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("server ", StringComparison.Ordinal) && !line.Contains(" disabled", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf('#') + 1)..].Trim())
            .Order(StringComparer.Ordinal)];

    /// <summary>What the pipeline's apply journal (in its state dir) holds.</summary>
    public IReadOnlyList<JournalEntry> Journal() => ApplyJournal.Read(Path.Combine(_folder, "state", ApplyJournal.FileName));

    /// <summary>Error lines in the reconciler's log.</summary>
    public IEnumerable<CapturedLog> Errors() => Pipeline.Logs.Lines.Where(l => l.Level >= LogLevel.Error);
}
