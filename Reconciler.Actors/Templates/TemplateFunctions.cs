using Reconciler.Actors.State;
using Scriban;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// confd's template functions under confd's names (<c>getv</c>, <c>getvs</c>, <c>jsonArray</c>, …), bound to one
/// <see cref="DesiredState"/>. Push one per render as a Scriban global. Key values are only ever returned as
/// data; nothing here evaluates a value as template code or hands it to a shell. Every key and value handed to the
/// template passes its <see cref="ValueGuard"/> first.
/// </summary>
internal sealed partial class TemplateFunctions : ScriptObject
{
    private readonly DesiredState state;
    private readonly string keyPrefix;
    private readonly DnsLookup dns;
    private readonly SlotAssignments slotAssignments;
    private readonly ValueGuard guard;

    // how many haproxySlots calls this render has made: each call site keeps its own assignment
    private int slotCalls;

    // the keys holding each value, built the first time haproxySlots refuses a value in this render
    private ILookup<string, string>? keysByValue;

    private readonly List<EmptySelection> emptySelections = [];

    /// <param name="state">The keys the functions read.</param>
    /// <param name="keyPrefix">
    /// confd's resource prefix ("" for none, else "/x" without a trailing slash): prepended to every key and
    /// pattern the functions are given and stripped from the keys <c>get</c>/<c>gets</c> return, so under
    /// prefix <c>/myapp</c> a template reads <c>/myapp/x</c> as <c>getv "/x"</c>, as in confd.
    /// </param>
    /// <param name="dns">What lookupIP and lookupSRV ask; the system resolver when null.</param>
    /// <param name="asConfd">
    /// For converted confd templates: ls and lsdir exactly as confd's, quirks included, and sortByLength failing
    /// where confd's order of equal lengths is not reproduced.
    /// </param>
    /// <param name="slots">Where haproxySlots placed values in the template's last render; none remembered when null.</param>
    /// <param name="guard">The template's rules for keys and values, collecting what this render skips; none when null.</param>
    public TemplateFunctions(DesiredState state, string keyPrefix = "", DnsLookup? dns = null, bool asConfd = false, SlotAssignments? slots = null, ValueGuard? guard = null)
    {
        this.state = state;
        this.keyPrefix = keyPrefix;
        this.dns = dns ?? DnsLookup.System;
        slotAssignments = slots ?? new SlotAssignments();
        this.guard = guard ?? new ValueGuard(ValueRules.None);
        RegisterKeyFunctions(asConfd);
        RegisterTextFunctions();
        RegisterListFunctions(asConfd);
        RegisterSystemFunctions();
        RegisterGoTemplateFunctions();
        RegisterSlotFunctions();
        RegisterGuardFunctions();
    }

    // Each function is registered under its exact confd name (the name-less import would pass it through the member
    // renamer: jsonArray -> json_array) and through Scriban's typed wrappers, which call the delegate directly:
    // importing a bare Delegate builds its wrapper by reflection, which native AOT cannot vouch for.
    private void Register<TResult>(string name, Func<TResult> function) => Define(name, DelegateCustomFunction.CreateFunc(function));

    private void Register<T1, TResult>(string name, Func<T1, TResult> function) => Define(name, DelegateCustomFunction.CreateFunc(function));

    private void Register<T1, T2, TResult>(string name, Func<T1, T2, TResult> function) => Define(name, DelegateCustomFunction.CreateFunc(function));

    private void Register<T1, T2, T3, TResult>(string name, Func<T1, T2, T3, TResult> function) => Define(name, DelegateCustomFunction.CreateFunc(function));

    private void Register<T1, T2, T3, T4, TResult>(string name, Func<T1, T2, T3, T4, TResult> function) => Define(name, DelegateCustomFunction.CreateFunc(function));

    /// <summary>The selections this render made that matched no key, in the order met.</summary>
    public IReadOnlyList<EmptySelection> EmptySelections => emptySelections;

    private void Define(string name, IScriptCustomFunction function) => SetValue(name, function, readOnly: true);

    private void RegisterKeyFunctions(bool asConfd)
    {
        Register<string, string?, string>("getv", GetValue);
        Register<TemplateContext, string, string[]>("getvs", GetValues);
        Register<string, KeyValueEntry>("get", Get);
        Register<TemplateContext, string, KeyValueEntry[]>("gets", GetAll);
        Register<TemplateContext, string, string[]>("ls", (context, path) => Listed(context, "ls", path, asConfd ? ConfdList(path) : List(path)));
        Register<TemplateContext, string, string[]>("lsdir", (context, path) => Listed(context, "lsdir", path, asConfd ? ConfdListDirectories(path) : ListDirectories(path)));
        Register<string, bool>("exists", Exists);
    }

    /// <summary>The value of <paramref name="key"/>, else <paramref name="defaultValue"/>; a missing key without one is an error.</summary>
    private string GetValue(string key, string? defaultValue = null) =>
        TryRead(key, out var value) ? value : defaultValue ?? throw KeyNotFound(key);

    /// <summary>Values of the keys matching <paramref name="pattern"/>, sorted by value as confd does.</summary>
    private string[] GetValues(TemplateContext context, string pattern)
    {
        var keyPattern = new KeyPattern(Prefixed(pattern));
        var values = keyPattern.SortedValues(state);
        if (values.Count == 0)
        {
            NoteEmpty(context, "getvs", pattern, keyPattern);
        }

        if (values.All(guard.IsPlainly))
        {
            return [.. values];
        }

        var admitted = keyPattern.Matches(state).Where(entry => guard.Admits(entry.Key, entry.Value, valueOnly: true)).Select(entry => entry.Value).ToList();
        admitted.Sort(StringComparer.Ordinal);
        return [.. admitted];
    }

    private KeyValueEntry Get(string key) =>
        TryRead(key, out var value) ? new KeyValueEntry(key, value) : throw KeyNotFound(key);

    /// <summary>Entries whose key matches <paramref name="pattern"/>, sorted by key.</summary>
    private KeyValueEntry[] GetAll(TemplateContext context, string pattern) =>
        [.. Admitted(Selected(context, "gets", pattern)).Select(entry => new KeyValueEntry(Unprefixed(entry.Key), entry.Value))];

    /// <summary>The entries whose key matches <paramref name="pattern"/>; none is noted as an <see cref="EmptySelection"/>.</summary>
    private List<KeyValuePair<string, string>> Selected(TemplateContext context, string function, string pattern)
    {
        var keyPattern = new KeyPattern(Prefixed(pattern));
        var matches = keyPattern.Matches(state).ToList();
        if (matches.Count == 0)
        {
            NoteEmpty(context, function, pattern, keyPattern);
        }

        return matches;
    }

    private void NoteEmpty(TemplateContext context, string function, string pattern, KeyPattern keyPattern) =>
        emptySelections.Add(new EmptySelection(function, pattern, Line(context), keyPattern.LiteralPrefix, SelectionHint.For(pattern, Selects)));

    /// <summary>Whether <paramref name="pattern"/> (as a template writes it) matches any key; false for a malformed one.</summary>
    private bool Selects(string pattern)
    {
        try
        {
            return new KeyPattern(Prefixed(pattern)).Matches(state).Any();
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary><paramref name="names"/>, an empty list noted as an <see cref="EmptySelection"/>.</summary>
    private string[] Listed(TemplateContext context, string function, string path, string[] names)
    {
        if (names.Length == 0)
        {
            var hint = path.StartsWith('/') || ChildNames("/" + path, hasChildren: false).Length == 0 ? null : $"keys start with '/': did you mean /{path}?";
            emptySelections.Add(new EmptySelection(function, path, Line(context), Prefixed(path).TrimEnd('/') + "/", hint));
        }

        return names;
    }

    private static int Line(TemplateContext context) => (context.CurrentNode?.Span.Start.Line ?? -1) + 1;

    /// <summary>The value of a key the template names, unless the guard skips it.</summary>
    private bool TryRead(string key, out string value)
    {
        var full = Prefixed(key);
        return state.TryGetValue(full, out value!) && guard.Admits(full, value);
    }

    /// <summary>The entries the guard lets the template see.</summary>
    private IEnumerable<KeyValuePair<string, string>> Admitted(IEnumerable<KeyValuePair<string, string>> entries) =>
        entries.Where(entry => guard.Admits(entry.Key, entry.Value));

    /// <summary>Names of the direct children of <paramref name="path"/>, sorted and unique.</summary>
    private string[] List(string path) => ChildNames(path, hasChildren: false);

    /// <summary>Names of the direct children of <paramref name="path"/> that have children of their own.</summary>
    private string[] ListDirectories(string path) => ChildNames(path, hasChildren: true);

    private bool Exists(string key) => TryRead(key, out _);

    /// <summary>
    /// Child names on path-segment boundaries (unlike confd's plain string prefix, <c>/apps/web</c> does not
    /// list <c>/apps/webby</c>). A child's name is its first segment below <paramref name="path"/>.
    /// </summary>
    private string[] ChildNames(string path, bool hasChildren)
    {
        var childPrefix = Prefixed(path).TrimEnd('/') + "/";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in Admitted(state.StartingWith(childPrefix)))
        {
            var below = key.AsSpan(childPrefix.Length);
            var slash = below.IndexOf('/');
            var name = slash < 0 ? below : below[..slash];
            if (!name.IsEmpty && (!hasChildren || slash >= 0))
            {
                names.Add(name.ToString());
            }
        }

        return [.. names];
    }

    /// <summary>The full key for a key or pattern as the template wrote it.</summary>
    private string Prefixed(string key) =>
        keyPrefix.Length == 0 ? key : keyPrefix + (key.StartsWith('/') ? key : "/" + key);

    /// <summary>A full key as the template sees it: confd stores <c>/myapp/x</c> as <c>/x</c> under prefix <c>/myapp</c>.</summary>
    private string Unprefixed(string key) =>
        keyPrefix.Length == 0 ? key : key.Length == keyPrefix.Length ? "/" : key[keyPrefix.Length..];

    private KeyNotFoundException KeyNotFound(string key)
    {
        var where = keyPrefix.Length == 0 ? key : $"{key} (under prefix {keyPrefix})";
        return guard.Skipped.FirstOrDefault(s => s.Key == Prefixed(key)) is { } skipped
            ? new KeyNotFoundException($"key {where} was skipped: {skipped.Reason}")
            : new KeyNotFoundException($"key not found: {where}");
    }
}
