namespace Reconciler.Actors.Registration;

/// <summary>etcd refused a registration call for a reason retrying cannot fix (credentials, permissions, a bad key).</summary>
public class RegistrationRejectedException(string message, Exception? inner = null) : Exception(message, inner);
