using Reconciler.Actors.Configuration;

namespace Reconciler.Tests.Configuration;

/// <summary>
/// The configurations in Cases/, each a small file whose first line says what loading it must give:
/// <c># expect: ok</c>, or <c># expect: FRAGMENT</c> of the one-line error (after the file's path).
/// A new case is a new file.
/// </summary>
public sealed class ConfigurationCaseTests
{
    private const string ExpectPrefix = "# expect: ";

    private static readonly string CasesFolder = Path.Combine(AppContext.BaseDirectory, "Configuration", "Cases");

    public static TheoryData<string> Cases() =>
        [.. Directory.GetFiles(CasesFolder, "*.conf").Select(file => Path.GetFileName(file)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_case_loads_or_fails_with_its_one_line_message(string name)
    {
        var file = Path.Combine(CasesFolder, name);
        var expected = Expected(file);

        var error = Record.Exception(() => SettingsLoader.Load(file));

        if (expected == "ok")
        {
            Assert.Null(error);
            return;
        }

        var problem = Assert.IsType<ConfigurationException>(error);
        Assert.StartsWith($"{file}: ", problem.Message);
        Assert.Contains(expected, problem.Message);
        Assert.DoesNotContain('\n', problem.Message);
    }

    private static string Expected(string file)
    {
        var first = File.ReadLines(file).First();
        return first.StartsWith(ExpectPrefix, StringComparison.Ordinal)
            ? first[ExpectPrefix.Length..]
            : throw new InvalidOperationException($"{file}: the first line must be \"{ExpectPrefix}ok\" or \"{ExpectPrefix}<message fragment>\"");
    }
}
