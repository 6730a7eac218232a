using System.Text;

namespace Reconciler.Actors.Output;

/// <summary>
/// The last <c>limit</c> characters of a command's output, appended to from the stdout and stderr readers,
/// so a noisy command cannot exhaust memory; says how much was dropped.
/// </summary>
internal sealed class OutputTail(int limit)
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _text = new();
    private long _dropped;

    public void Append(ReadOnlySpan<char> chunk)
    {
        lock (_lock)
        {
            _text.Append(chunk);
            if (_text.Length > 2 * limit)
            {
                DropExcess(); // in batches, so a long stream does not shift the buffer on every chunk
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            DropExcess();
            return _dropped == 0 ? _text.ToString() : $"[{_dropped} earlier characters dropped]\n{_text}";
        }
    }

    private void DropExcess()
    {
        var excess = _text.Length - limit;
        if (excess > 0)
        {
            _text.Remove(0, excess);
            _dropped += excess;
        }
    }
}
