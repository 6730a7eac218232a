namespace Reconciler.Host.Invocation;

internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A template failed to render, check, write or reload (<c>--onetime</c>); etcd refused a registration (<c>register</c>).</summary>
    public const int Failed = 1;

    /// <summary>The configuration, a template or a command-line value is wrong; the key to register is another's (<c>register</c>).</summary>
    public const int BadConfiguration = 2;
}
