using System.Diagnostics;

namespace Reconciler.Tests.Fixtures;

/// <summary>Runs the built <c>reconciler</c> executable as an operator would: to completion (exit code and output) or in the background.</summary>
public static class ReconcilerProcess
{
    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <param name="environment">Variables to set for it on top of the test's own environment.</param>
    public static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await RunToExitAsync(start);
    }

    /// <summary>
    /// Runs <paramref name="start"/> (a <see cref="StartInfo"/>, or one wrapping it in another program) to completion;
    /// killed with its process tree when it has not exited within 60 s.
    /// </summary>
    public static async Task<ProcessResult> RunToExitAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not exit within 60s");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The package's executable that <c>RECONCILER_EXECUTABLE</c> names; null for the JIT build next to the tests.</summary>
    public static string? Published => Environment.GetEnvironmentVariable("RECONCILER_EXECUTABLE") is { Length: > 0 } path ? path : null;

    /// <summary>
    /// The executable built next to the tests, or the one <c>RECONCILER_EXECUTABLE</c> names (scripts/test.sh runs the
    /// process tests again against the package's publish), with every stream redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var published = Published;
        var start = new ProcessStartInfo(published ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (published is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reconciler.dll"));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
