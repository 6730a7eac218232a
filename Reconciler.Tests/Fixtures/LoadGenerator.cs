using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// Steady HTTP traffic against one loopback URL from four concurrent loops, bounded in request count and time,
/// recording which instance answered each request and why any request failed. Each loop is a different kind of
/// client, as a reload can hurt each differently: HttpClient on a kept-alive connection (an API client),
/// HttpClient with a new connection per request (a fresh visitor: hurt if no process listens for a moment),
/// and two <see cref="BareKeepAliveClient"/>s, which count the requests a reload made them resend (a
/// connection closed under them as they sent): each is one a POST would have lost.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "StopAsync, which every test calls for the report, disposes them")]
public sealed class LoadGenerator
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri _target;
    private readonly CancellationTokenSource _stop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, int> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly HttpClient _client = new();
    private readonly Task[] _loops;
    private int _budget;
    private int _sent;
    private int _resent;

    private LoadGenerator(Uri target, int maxRequests, TimeSpan maxDuration, TimeSpan pace)
    {
        if (!IPAddress.IsLoopback(IPAddress.Parse(target.Host)))
        {
            throw new ArgumentException($"load goes to loopback addresses only, not {target}", nameof(target));
        }

        _target = target;
        _budget = maxRequests;
        _stop = new CancellationTokenSource(maxDuration);
        _loops =
        [
            Task.Run(() => LoopAsync(pace, "HttpClient keep-alive", timeout => SendAsync(keepAlive: true, timeout))),
            Task.Run(() => LoopAsync(pace, "HttpClient new connection", timeout => SendAsync(keepAlive: false, timeout))),
            .. Enumerable.Range(1, 2).Select(i => Task.Run(async () =>
            {
                using var bare = new BareKeepAliveClient(target.Port);
                await LoopAsync(pace, $"bare keep-alive {i}", bare.GetAsync);
            })),
        ];
    }

    /// <summary>Requests answered so far, by the name of the instance that answered.</summary>
    public IReadOnlyDictionary<string, int> Answers => new Dictionary<string, int>(_answers);

    /// <summary>Starts the loops, each sending one request per <paramref name="pace"/> until stopped or a bound is hit.</summary>
    public static LoadGenerator Start(Uri target, int maxRequests, TimeSpan maxDuration, TimeSpan pace) =>
        new(target, maxRequests, maxDuration, pace);

    /// <summary>Stops sending; requests in flight finish (or time out) and are counted.</summary>
    public async Task<LoadReport> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _client.Dispose();
        _stop.Dispose();
        return new LoadReport(_sent, Answers, [.. _failures], _resent, _clock.Elapsed);
    }

    private async Task LoopAsync(TimeSpan pace, string client, Func<CancellationToken, Task<(int Status, string Body, bool Resent)>> send)
    {
        using var timer = new PeriodicTimer(pace);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token) && Interlocked.Decrement(ref _budget) >= 0)
            {
                Interlocked.Increment(ref _sent);
                await SendOneAsync(client, send);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped, or out of time
        }
    }

    /// <summary>One request, timed out on its own (stopping the load lets requests in flight finish).</summary>
    private async Task SendOneAsync(string client, Func<CancellationToken, Task<(int Status, string Body, bool Resent)>> send)
    {
        var sentAt = _clock.Elapsed;
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            var (status, body, resent) = await send(timeout.Token);
            if (resent)
            {
                Interlocked.Increment(ref _resent);
            }

            if (status == (int)HttpStatusCode.OK && body.Length > 0)
            {
                _answers.AddOrUpdate(body, 1, (_, n) => n + 1);
            }
            else
            {
                Fail(sentAt, client, $"HTTP {status} {body.ReplaceLineEndings(" ")[..Math.Min(body.Length, 120)]}");
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            Fail(sentAt, client, Describe(e));
        }
    }

    /// <summary>HttpClient resends on its own and does not tell: never counted as resent.</summary>
    private async Task<(int Status, string Body, bool Resent)> SendAsync(bool keepAlive, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _target);
        request.Headers.ConnectionClose = !keepAlive;
        using var response = await _client.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), false);
    }

    private void Fail(TimeSpan sentAt, string client, string what) =>
        _failures.Enqueue($"at {sentAt.TotalMilliseconds:0} ms ({client}): {what}");

    private static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            messages.Add($"{inner.GetType().Name}: {inner.Message}");
        }

        return string.Join(" <- ", messages);
    }
}
