namespace Reconciler.Bench;

/// <summary>The last lines a child process wrote, kept for the error that says why it failed.</summary>
public sealed class LastLines(string process)
{
    private const int Kept = 30;

    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Kept)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>An error carrying the process's last lines, which usually say what went wrong.</summary>
    public InvalidOperationException Failure(string what)
    {
        lock (_lines)
        {
            return new InvalidOperationException($"{what}; {process}'s last output:{Environment.NewLine}{string.Join(Environment.NewLine, _lines)}");
        }
    }
}
