namespace Reconciler.Actors.Output;

/// <summary>The processes of the system as <c>/proc</c> showed them at one moment.</summary>
internal sealed class ProcessTable(IReadOnlyList<ProcessEntry> entries)
{
    public IReadOnlyList<ProcessEntry> Entries { get; } = entries;

    /// <summary>Every process /proc lists now; one that exits while it is read is left out.</summary>
    public static ProcessTable Read()
    {
        var entries = new List<ProcessEntry>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(folder);
            if (name.Length == 0 || !name.All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                if (ProcessEntry.Parse(File.ReadAllText(Path.Combine(folder, "stat"))) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited while we looked
            }
        }

        return new ProcessTable(entries);
    }

    /// <summary>
    /// <paramref name="root"/>, every live process whose parent chain leads to it, and every live member of the process
    /// group it leads (a job whose parent exited has another parent, but stays in the group unless it left it).
    /// </summary>
    public IReadOnlySet<int> TreeOf(int root)
    {
        var children = Entries.Where(entry => !entry.IsZombie).ToLookup(entry => entry.ParentId, entry => entry.Id);
        var tree = new HashSet<int> { root };
        var pending = new Queue<int>(Entries.Where(entry => entry.GroupId == root && !entry.IsZombie).Select(entry => entry.Id).Append(root));
        while (pending.TryDequeue(out var id))
        {
            tree.Add(id);
            foreach (var child in children[id].Where(child => !tree.Contains(child)))
            {
                pending.Enqueue(child);
            }
        }

        return tree;
    }
}
