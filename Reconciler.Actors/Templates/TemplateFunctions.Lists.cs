using System.Collections;
using System.Text;
using Scriban;

namespace Reconciler.Actors.Templates;

/// <summary>Integer arithmetic and list functions. confd's arithmetic is on Go ints, here 64-bit.</summary>
internal sealed partial class TemplateFunctions
{
    /// <summary>Go's sort.Sort orders up to 12 items by insertion, which keeps equal items in their order.</summary>
    private const int GoStableSortLength = 12;

    private void RegisterListFunctions(bool asConfd)
    {
        Register("add", (long a, long b) => a + b);
        Register("sub", (long a, long b) => a - b);
        Register("mul", (long a, long b) => a * b);
        Register("div", (long a, long b) => a / b);
        Register("mod", (long a, long b) => a % b);
        Register<long, long, long[]>("seq", Sequence);
        Register<IEnumerable, object?[]>("reverse", Reverse);
        Register<TemplateContext, IEnumerable, string[]>("sortByLength", asConfd ? (context, values) => AsGoSorts(SortByLength(context, values), Encoding.UTF8.GetByteCount) : SortByLength);
        Register<IEnumerable, KeyValueEntry[]>("sortKVByLength", asConfd ? entries => AsGoSorts(SortKeyValuesByLength(entries), entry => Encoding.UTF8.GetByteCount(entry.Key)) : SortKeyValuesByLength);
    }

    /// <summary>The integers from <paramref name="first"/> to <paramref name="last"/> inclusive; empty when last &lt; first.</summary>
    private static long[] Sequence(long first, long last)
    {
        var numbers = new long[Math.Max(0, last - first + 1)];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = first + i;
        }

        return numbers;
    }

    private static object?[] Reverse(IEnumerable values)
    {
        var items = values.Cast<object?>().ToArray();
        Array.Reverse(items);
        return items;
    }

    /// <summary>
    /// Shortest first. Length is the UTF-8 byte count, Go's len(); ties keep their order (confd's sort is
    /// unstable, a stable one gives the same file on every render).
    /// </summary>
    private static string[] SortByLength(TemplateContext context, IEnumerable values) =>
        [.. values.Cast<object?>()
            .Select(value => context.ObjectToString(value) ?? string.Empty)
            .OrderBy(Encoding.UTF8.GetByteCount)];

    /// <summary>Entries from <c>get</c>/<c>gets</c>, shortest key first (stable, like <see cref="SortByLength"/>).</summary>
    private static KeyValueEntry[] SortKeyValuesByLength(IEnumerable entries) =>
        [.. entries.Cast<object?>()
            .Select(entry => entry as KeyValueEntry
                ?? throw new ArgumentException("sortKVByLength expects key/value entries from get or gets"))
            .OrderBy(entry => Encoding.UTF8.GetByteCount(entry.Key))];

    /// <summary>
    /// A stable sort's result where Go's sort.Sort (confd's) gives the same; above 12 items Go's pdqsort reorders
    /// equal lengths in its own way, so rather than write a different file the render fails.
    /// </summary>
    /// <exception cref="InvalidOperationException">More than 12 items, two of the same length.</exception>
    private static T[] AsGoSorts<T>(T[] sorted, Func<T, int> length) =>
        sorted.Length > GoStableSortLength && sorted.Select(length).Distinct().Count() < sorted.Length
            ? throw new InvalidOperationException(
                $"sorting {sorted.Length} items, some of equal length: confd's order for equal lengths (Go's unstable sort) is not reproduced; make the lengths differ or sort fewer than 13")
            : sorted;
}
