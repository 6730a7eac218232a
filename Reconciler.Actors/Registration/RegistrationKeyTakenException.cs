namespace Reconciler.Actors.Registration;

/// <summary>The key exists and is not this registration's (another lease, or none): it is left as it is.</summary>
public sealed class RegistrationKeyTakenException(string message) : RegistrationRejectedException(message);
