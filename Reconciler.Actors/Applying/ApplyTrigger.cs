namespace Reconciler.Actors.Applying;

/// <summary>What starts an apply (<see cref="ApplyRequest.Trigger"/>): a closed set, each with the words the journal and the log line say.</summary>
public sealed record ApplyTrigger
{
    public static readonly ApplyTrigger KeysChanged = new("keys changed");

    /// <summary>SIGHUP: a template new or changed in the configuration renders from the current keys.</summary>
    public static readonly ApplyTrigger ConfigurationReloaded = new("configuration reloaded");

    /// <summary>The renderer tries a failed apply again (backoff, or a configuration reload that kept it).</summary>
    public static readonly ApplyTrigger Retry = new("retry");

    public static readonly ApplyTrigger OneTime = new("onetime");

    private ApplyTrigger(string label) => Label = label;

    /// <summary>As the journal's trigger column and the log line's <c>changes=none (…)</c> say it.</summary>
    public string Label { get; }

    public override string ToString() => Label;
}
