namespace Reconciler.Actors.Output;

/// <summary>One line of <c>/proc/&lt;pid&gt;/stat</c>, the fields a process tree needs.</summary>
internal readonly record struct ProcessEntry(int Id, int ParentId, int GroupId, char State)
{
    /// <summary>Exited and not yet reaped: it holds no pipe and starts nothing.</summary>
    public bool IsZombie => State is 'Z' or 'X';

    /// <summary>Parses "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses, so the fields are read after the last ')'.</summary>
    public static ProcessEntry? Parse(string stat)
    {
        var open = stat.IndexOf(" (", StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.Length)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length >= 3
            && int.TryParse(stat.AsSpan(0, open), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && int.TryParse(fields[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parent)
            && int.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var group)
            && fields[0].Length == 1
                ? new ProcessEntry(id, parent, group, fields[0][0])
                : null;
    }
}
