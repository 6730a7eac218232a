using Akka.TestKit.Xunit2;
using Reconciler.Host.Daemon;

namespace Reconciler.Tests.Daemon;

/// <summary>The daemon's actor system configuration binds every message to a serializer that refuses to serialise.</summary>
public sealed class LocalOnlySerializerTests() : TestKit(LocalActorSystem.Hocon)
{
    [Fact]
    public void Objects_get_the_local_only_serializer_and_it_refuses_them()
    {
        var serializer = Sys.Serialization.FindSerializerForType(typeof(object));

        Assert.IsType<LocalOnlySerializer>(serializer);
        Assert.Throws<NotSupportedException>(() => serializer.ToBinary("a message"));
        Assert.Throws<NotSupportedException>(() => serializer.FromBinary<string>([1]));
    }
}
