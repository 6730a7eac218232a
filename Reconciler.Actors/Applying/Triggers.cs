namespace Reconciler.Actors.Applying;

/// <summary>What starts an apply (<see cref="ApplyRequest.Trigger"/>): a small fixed set, as the journal says it.</summary>
public static class Triggers
{
    public const string KeysChanged = "keys changed";

    /// <summary>SIGHUP: a template new or changed in the configuration renders from the current keys.</summary>
    public const string ConfigurationReloaded = "configuration reloaded";

    /// <summary>The renderer tries a failed apply again (backoff, or a configuration reload that kept it).</summary>
    public const string Retry = "retry";

    public const string OneTime = "onetime";
}
