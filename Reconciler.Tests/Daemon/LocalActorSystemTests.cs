using Akka.Actor;
using Akka.Hosting.Logging;
using Reconciler.Actors.Scheduling;
using Reconciler.Host.Daemon;
using Reconciler.Tests.Fixtures;

namespace Reconciler.Tests.Daemon;

/// <summary>
/// Pins what LocalActorSystem relies on in Akka's internal <c>ActorSystemImpl</c> (no public way builds a system from a
/// setup without Akka's app.config lookup): constructed directly from a configuration and setups, the system honours
/// both as <c>ActorSystem.Create</c> would. An Akka upgrade that changes the constructor's meaning fails here, not in
/// production.
/// </summary>
public sealed class LocalActorSystemTests
{
    [Fact]
    public async Task Constructed_directly_the_system_is_started_with_the_configuration_and_setups_it_was_given()
    {
        using var loggers = new CapturingLoggerFactory();
        var system = LocalActorSystem.StartStandalone(loggers);
        try
        {
            Assert.Equal(LocalActorSystem.Name, system.Name);
            Assert.IsType<TimerScheduler>(system.Scheduler); // the given configuration, not only Akka's defaults
            Assert.IsType<LocalOnlySerializer>(system.Serialization.FindSerializerForType(typeof(object)));
            Assert.True(system.Settings.Setup.Get<LoggerFactorySetup>().HasValue); // the given setups
            var echo = system.ActorOf(Props.Create(() => new EchoActor()));
            Assert.Equal("started", await echo.Ask<string>("started", TimeSpan.FromSeconds(10))); // Start() ran: it runs actors
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(message => Sender.Tell(message));
    }
}
