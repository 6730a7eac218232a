using System.Net;
using System.Text;

namespace Reconciler.Tests.Fixtures;

/// <summary>
/// A stand-in application instance: an HTTP server on a free loopback port that answers every request with its
/// name, so a client behind a load balancer can tell which instance served it. Counts what it served.
/// </summary>
public sealed class NamedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private readonly byte[] _body;
    private int _served;

    private NamedHttpServer(string name, int port)
    {
        Name = name;
        Port = port;
        _body = Encoding.UTF8.GetBytes(name);
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>The registration value the scenario's template turns into a <c>server</c> line: "name ip:port".</summary>
    public string Registration => $"{Name} 127.0.0.1:{Port}";

    public int Served => Volatile.Read(ref _served);

    public static NamedHttpServer Start(string name) => new(name, FreePort.Next());

    /// <summary>Stops answering: connections are refused from now on, as after a crash. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_listener.IsListening)
        {
            _listener.Close();
        }

        await _serving;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed
            }

            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength64 = _body.Length;
            await context.Response.OutputStream.WriteAsync(_body);
            context.Response.Close();
            Interlocked.Increment(ref _served);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // the client (HAProxy) went away, or the server is closing
        }
    }
}
