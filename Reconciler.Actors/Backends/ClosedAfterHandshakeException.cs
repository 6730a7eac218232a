namespace Reconciler.Actors.Backends;

/// <summary>A TLS connection the server closed right after the handshake, before answering anything.</summary>
public sealed class ClosedAfterHandshakeException() : IOException("the server closed the connection right after the TLS handshake");
