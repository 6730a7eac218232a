namespace Reconciler.Actors.Runtime;

/// <summary>A server of <paramref name="Backend"/> that was added (<c>Old</c> null), removed (<c>New</c> null) or changed.</summary>
public sealed record HaproxyServerChange(string Backend, HaproxyServerLine? Old, HaproxyServerLine? New)
{
    public string Name => (New ?? Old)!.Name;

    public string Target => $"{Backend}/{Name}";
}
