using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace Reconciler.Actors.Configuration;

/// <summary>
/// Typed access to a HOCON tree: each read names its setting in the error (<paramref name="file"/>:
/// setting: problem), refuses a value of the wrong type instead of guessing (a duration without a
/// unit, a string where a list belongs) and resolves paths against the file's folder. What the
/// settings mean and how they relate is the subclass's and <see cref="SettingsRules"/>' business.
/// </summary>
internal abstract partial class HoconReader(string file)
{
    protected string SourceFile { get; } = file;

    /// <summary>Relative paths in a file are relative to its folder.</summary>
    protected string Folder { get; } = Path.GetDirectoryName(file) ?? "/";

    protected TimeSpan Duration(Config from, string path, bool allowZero = true, string? at = null)
    {
        var raw = Raw(from, path);
        if (UnitlessNumber().IsMatch(raw) && raw.Trim('0', '.').Length > 0)
        {
            throw Error(Name(at, path), $"\"{raw}\" has no unit (write e.g. {raw}ms, {raw}s or {raw}m)");
        }

        TimeSpan value;
        try
        {
            value = from.GetTimeSpan(path, null, allowInfinite: false);
        }
        catch (Exception)
        {
            throw Error(Name(at, path), $"\"{Raw(from, path)}\" is not a duration (use e.g. 200ms, 2s, 1m)");
        }

        Check(Name(at, path), SettingsRules.Duration(value, allowZero));
        return value;
    }

    /// <summary>A size in bytes ("64MiB", "512KiB", "1048576") greater than zero.</summary>
    protected long ByteSize(Config from, string path, string? at = null) =>
        ByteSize(from, path, 1, long.MaxValue, "greater than zero", at);

    /// <summary>A size in bytes from <paramref name="min"/> to <paramref name="max"/>; <paramref name="range"/> says so in the error.</summary>
    protected long ByteSize(Config from, string path, long min, long max, string range, string? at = null)
    {
        long? value;
        try
        {
            value = from.GetByteSize(path);
        }
        catch (Exception)
        {
            value = null;
        }

        return value >= min && value <= max
            ? value.Value
            : throw Error(Name(at, path), $"\"{Raw(from, path)}\" is not a size {range} (use e.g. 64MiB, 512KiB)");
    }

    protected double Number(Config from, string path)
    {
        try
        {
            var value = from.GetDouble(path);
            return value is >= 0 and <= 1 ? value : throw Error(path, "must be between 0 and 1");
        }
        catch (FormatException)
        {
            throw Error(path, $"\"{Raw(from, path)}\" is not a number");
        }
    }

    protected int Count(Config from, string path, string? at = null)
    {
        var raw = Raw(from, path);
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(Name(at, path), $"\"{raw}\" is not a whole number >= 0");
    }

    protected int Percent(Config from, string path, string? at = null)
    {
        var value = Count(from, path, at);
        return value <= 100 ? value : throw Error(Name(at, path), "must be between 0 and 100");
    }

    protected bool Flag(Config from, string path, string? at = null)
    {
        var raw = Raw(from, path);
        return raw switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" or "" => false,
            _ => throw Error(Name(at, path), $"\"{raw}\" is not true or false"),
        };
    }

    protected string OneOf(Config from, string path, params string[] allowed)
    {
        var value = Text(from, path);
        return allowed.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? value.ToLowerInvariant()
            : throw Error(path, $"\"{value}\" is not one of {string.Join(", ", allowed)}");
    }

    protected string Required(Config from, string path, string? at)
    {
        var value = Text(from, path, at);
        return value.Length > 0 ? value : throw Error(Name(at, path), "is required");
    }

    protected string Text(Config from, string path, string? at = null)
    {
        var value = from.GetValue(path);
        if (value is null || value.IsEmpty)
        {
            return string.Empty;
        }

        return value.IsString() ? value.GetString() : throw Error(Name(at, path), "must be a string");
    }

    protected ImmutableArray<string> StringList(Config from, string path, string? at = null)
    {
        var value = from.GetValue(path);
        if (value is null || value.IsEmpty)
        {
            return [];
        }

        if (value.IsString())
        {
            throw Error(Name(at, path), $"must be a list: write [\"{value.GetString()}\"]");
        }

        try
        {
            return [.. value.GetStringList().Where(s => s.Length > 0)];
        }
        catch (Exception)
        {
            throw Error(Name(at, path), "must be a list of strings [\"...\", \"...\"]");
        }
    }

    protected string PathSetting(Config from, string path, string? at = null, bool required = false)
    {
        var value = required ? Required(from, path, at) : Text(from, path, at);
        return value.Length == 0 ? value : Path.GetFullPath(value, Folder);
    }

    protected string ExistingFile(Config from, string path, string? at = null)
    {
        var value = PathSetting(from, path, at, required: true);
        return File.Exists(value) ? value : throw Error(Name(at, path), $"file {value} does not exist");
    }

    protected string OptionalFile(Config from, string path)
    {
        var value = PathSetting(from, path);
        return value.Length == 0 || File.Exists(value) ? value : throw Error(path, $"file {value} does not exist");
    }

    protected static string Raw(Config from, string path)
    {
        try
        {
            return from.GetValue(path)?.ToString() ?? string.Empty;
        }
        catch (Exception)
        {
            return string.Empty;
        }
    }

    protected static string Name(string? at, string path) => at is null ? path : $"{at}.{path}";

    protected void Check(string setting, string? problem)
    {
        if (problem is not null)
        {
            throw Error(setting, problem);
        }
    }

    protected ConfigurationException Error(string setting, string problem) => ConfigurationException.For(SourceFile, setting, problem);

    [GeneratedRegex(@"^\s*\d+(\.\d+)?\s*$")]
    private static partial Regex UnitlessNumber();
}
