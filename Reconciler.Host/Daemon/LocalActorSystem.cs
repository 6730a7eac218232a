using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Hosting.Logging;
using Akka.Util;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Reconciler.Actors.Scheduling;

namespace Reconciler.Host.Daemon;

/// <summary>
/// The daemon's actor system: one process, no remoting, no persistence, created without loading what only those use
/// (bench/results.md, "Footprint, second round"). Akka.Hosting creates it with <c>ActorSystem.Create(name, setup)</c>,
/// which evaluates <c>ConfigurationFactory.Load()</c> even when the setup carries a configuration
/// (Akka's <c>src/core/Akka/Actor/ActorSystem.cs</c>: <c>GetOrElse(ConfigurationFactory.Load())</c>): an app.config
/// lookup through System.Configuration.ConfigurationManager that loads System.Private.Xml, System.Net.WebClient and
/// System.ComponentModel.TypeConverter. Here the system is constructed from Akka.Hosting's configuration and setups
/// directly, as <c>ActorSystem.Create</c> itself does, so that lookup never runs. That takes Akka's internal
/// <c>ActorSystemImpl</c>: every public factory (<c>ActorSystem.Create</c>'s overloads) goes through the lookup, and
/// none takes a ready system. Tests/Daemon/LocalActorSystemTests pins what this relies on, so an Akka upgrade that
/// changes it fails there.
/// </summary>
internal static class LocalActorSystem
{
    public const string Name = "reconciler";

    /// <summary>
    /// Akka's serialization extension instantiates every serializer in <c>akka.actor.serializers</c> at start
    /// (<c>src/core/Akka/Serialization/Serialization.cs</c>); the default <c>json</c> one is Newtonsoft.Json, which brings
    /// System.Runtime.Serialization.Formatters. A local system serialises nothing: <see cref="LocalOnlySerializer"/> instead.
    /// </summary>
    public static string Hocon { get; } = $"akka.actor.serializers.json = \"{typeof(LocalOnlySerializer).AssemblyQualifiedName}\"";

    /// <summary>Replaces the <see cref="ActorSystem"/> that <c>AddAkka</c> registered.</summary>
    public static void Register(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<ActorSystem>(Create));

    /// <remarks>
    /// Akka.Hosting's own factory also writes registered extensions into the configuration and adds a dependency-resolver
    /// setup: this daemon registers no extension and resolves no actor through DI. Adding either means adding it here.
    /// <para>
    /// Akka creates the types its configuration names by name, which a native (trimmed) build keeps only when told:
    /// the scheduler and serializer this daemon configures here, and what Akka.Streams' own configuration names
    /// (Daemon/AkkaStreamsTypes.xml; Akka.Hosting adds that configuration). Akka itself is kept whole (Reconciler.Host.csproj).
    /// </para>
    /// </remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(TimerScheduler))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(LocalOnlySerializer))]
    private static ActorSystem Create(IServiceProvider provider)
    {
        var akka = provider.GetRequiredService<AkkaConfigurationBuilder>();
        return Start(akka.Configuration.GetOrElse(Config.Empty), provider.GetRequiredService<ILoggerFactory>(), akka.Setups);
    }

    /// <summary>
    /// A system of its own for <c>--onetime</c>, whose reloads and runtime changes run in a reloader actor as the
    /// daemon's do: the same configuration and loggers, without the generic host.
    /// </summary>
    public static ActorSystem StartStandalone(ILoggerFactory loggers) =>
        Start(
            ConfigurationFactory.ParseString($"akka.loglevel = WARNING\nakka.scheduler.implementation = \"{typeof(TimerScheduler).AssemblyQualifiedName}\"\n{Hocon}"),
            loggers,
            []);

    private static ActorSystemImpl Start(Config config, ILoggerFactory loggers, IEnumerable<Setup> setups)
    {
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), new LoggerFactorySetup(loggers));
        foreach (var extra in setups)
        {
            setup = setup.And(extra);
        }

        var system = new ActorSystemImpl(Name, config, setup, Option<Props>.None);
        system.Start();
        return system;
    }
}
