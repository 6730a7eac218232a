using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Reconciler.Host.Daemon;

/// <summary>
/// Stands in for Akka's default <c>json</c> serializer (Newtonsoft.Json) in a system that never serialises: nothing is
/// loaded for it, and a message that did get serialised (a remoting or persistence plugin added one day) fails loudly
/// instead of going through a serializer nobody chose.
/// </summary>
internal sealed class LocalOnlySerializer : Serializer
{
    public LocalOnlySerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <summary>Akka passes <c>akka.actor.serialization-settings.json</c> when it exists (Newtonsoft's settings): unused.</summary>
    public LocalOnlySerializer(ExtendedActorSystem system, Config settings)
        : this(system)
    {
    }

    /// <summary>Newtonsoft's identifier: this one takes its place.</summary>
    public override int Identifier => 1;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new NotSupportedException($"Reconciler's actor system is local and serialises nothing (asked to serialise {obj.GetType().Name})");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new NotSupportedException($"Reconciler's actor system is local and deserialises nothing (asked for {type.Name})");
}
