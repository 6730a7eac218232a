namespace Reconciler.Tests.Output;

/// <summary>A fresh folder under /tmp for one test, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("reconciler-output-").FullName;

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Every file in the folder, hidden ones included, by name.</summary>
    public string[] FileNames() =>
        [.. Directory.EnumerateFiles(Path).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
