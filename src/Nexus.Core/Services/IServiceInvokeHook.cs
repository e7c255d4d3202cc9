namespace Nexus.Services;

/// <summary>
/// A plugin hook around every invoke through Nexus (seed 003's hook system): register any number in DI
/// (<c>services.AddSingleton&lt;IServiceInvokeHook, MyHook&gt;()</c>); they run in registration order. A hook may veto
/// an invoke by throwing <see cref="ServiceInvokeRefusedException"/> in <see cref="BeforeAsync"/> (the caller gets 403
/// with its message); any other exception of a hook is logged and ignored, so a broken hook never breaks invokes.
/// </summary>
public interface IServiceInvokeHook
{
    /// <summary>Before the request is forwarded; may add request headers through <see cref="ServiceInvocation.RequestHeaders"/>.</summary>
    Task BeforeAsync(ServiceInvocation invocation, CancellationToken cancellationToken);

    /// <summary>After the answer (or the failure) came back.</summary>
    Task AfterAsync(ServiceInvocation invocation, ServiceInvokeResult result, CancellationToken cancellationToken);
}

/// <summary>One invoke: the service, the chosen instance and the request.</summary>
/// <param name="Service">The service's name.</param>
/// <param name="Instance">The chosen instance.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">The path (and query) forwarded, below the instance's base URL.</param>
/// <param name="Caller">Who called, as the server names them.</param>
public sealed record ServiceInvocation(string Service, ServiceInstance Instance, string Method, string Path, string Caller)
{
    /// <summary>Headers the hooks add to the forwarded request.</summary>
    public IDictionary<string, string> RequestHeaders { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>How an invoke ended.</summary>
/// <param name="Status">The instance's HTTP status, or 502/504 when it failed or timed out.</param>
/// <param name="Elapsed">Time from forwarding to the answer.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record ServiceInvokeResult(int Status, TimeSpan Elapsed, string? Error);

/// <summary>Thrown by a hook to refuse an invoke; the caller gets 403 with the message.</summary>
public sealed class ServiceInvokeRefusedException(string message) : NexusException("invoke-refused", message);
