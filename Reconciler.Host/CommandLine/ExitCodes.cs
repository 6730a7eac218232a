namespace Reconciler.Host.CommandLine;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A template failed to render, check, write or reload (<c>--onetime</c>).</summary>
    public const int Failed = 1;

    /// <summary>The configuration or a template is wrong.</summary>
    public const int BadConfiguration = 2;
}
