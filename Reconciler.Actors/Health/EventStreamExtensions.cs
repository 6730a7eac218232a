using Akka.Event;

namespace Reconciler.Actors.Health;

public static class EventStreamExtensions
{
    /// <summary>Subscribes <paramref name="subscriber"/> to every type in <paramref name="topics"/>, synchronously.</summary>
    public static void Subscribe(this EventStream stream, Akka.Actor.IActorRef subscriber, IEnumerable<Type> topics)
    {
        foreach (var topic in topics)
        {
            stream.Subscribe(subscriber, topic);
        }
    }
}
