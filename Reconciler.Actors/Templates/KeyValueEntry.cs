using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;

namespace Reconciler.Actors.Templates;

/// <summary>
/// confd's KVPair as returned by <c>get</c>/<c>gets</c>: <c>kv.key</c>/<c>kv.value</c> in Scriban style, and
/// <c>kv.Key</c>/<c>kv.Value</c> as a confd template spells them. A read-only script object rather than a
/// <see cref="ScriptObject"/> so a <c>gets</c> over a large state does not build a dictionary per key.
/// </summary>
internal sealed class KeyValueEntry(string key, string value) : IScriptObject
{
    public string Key { get; } = key;

    public string Value { get; } = value;

    public int Count => 2;

    public bool IsReadOnly
    {
        get => true;
        set
        {
            if (!value)
            {
                throw new InvalidOperationException("A key/value entry is read-only.");
            }
        }
    }

    public IEnumerable<string> GetMembers() => ["key", "value"];

    public bool Contains(string member) => member is "key" or "Key" or "value" or "Value";

    public bool TryGetValue(TemplateContext? context, SourceSpan span, string member, out object? value)
    {
        value = member switch
        {
            "key" or "Key" => Key,
            "value" or "Value" => Value,
            _ => null,
        };
        return value is not null;
    }

    public bool CanWrite(string member) => false;

    public bool TrySetValue(TemplateContext? context, SourceSpan span, string member, object? value, bool readOnly) => false;

    public bool Remove(string member) => false;

    public void SetReadOnly(string member, bool readOnly)
    {
    }

    public IScriptObject Clone(bool deep) => this;

    public override string ToString() => $"{Key} {Value}";
}
