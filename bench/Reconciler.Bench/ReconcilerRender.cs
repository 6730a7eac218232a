using System.Diagnostics;

namespace Reconciler.Bench;

/// <summary>
/// <c>reconciler render</c> of the bench's build into a file: the files a service starts from, as a previous run
/// would have left them, so the daemon's first reconcile finds them in sync.
/// </summary>
public static class ReconcilerRender
{
    public static async Task ToFileAsync(string config, string template, string dest)
    {
        var render = Process.Start(new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "reconciler"))
        {
            ArgumentList = { "render", template, "--config", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("cannot start reconciler render");
        var output = await render.StandardOutput.ReadToEndAsync();
        await render.WaitForExitAsync();
        if (render.ExitCode != 0)
        {
            throw new InvalidOperationException($"reconciler render {template} failed: {await render.StandardError.ReadToEndAsync()}");
        }

        await File.WriteAllTextAsync(dest, output);
    }
}
