using System.Diagnostics;
using System.Net;
using Nexus.Services;
using Yarp.ReverseProxy.Forwarder;

namespace Nexus.Server.Api;

/// <summary>Forwards an invoke to a chosen instance with YARP's <see cref="IHttpForwarder"/>: the caller's path below
/// <c>/invoke</c>, query, method, headers and body go to the instance's base URL; the caller's Nexus credentials do
/// not. Hooks run before and after; the whole exchange is bounded by a timeout.</summary>
internal sealed class ServiceInvoker(IHttpForwarder forwarder, IEnumerable<IServiceInvokeHook> hooks, INexusServices services, ILogger<ServiceInvoker> logger) : IDisposable
{
    /// <summary>The request header that sets an invoke's timeout (a duration: <c>5s</c>, <c>500ms</c>); default 30 s, at most 5 minutes.</summary>
    public const string TimeoutHeader = "Nexus-Invoke-Timeout";

    /// <summary>The response header added to every answer an instance gave (not to Nexus's own problems): the id of
    /// the instance, so a client tells a service's 503 from Nexus's <c>no-healthy-instance</c>.</summary>
    public const string InstanceHeader = "Nexus-Invoke-Instance";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private readonly IServiceInvokeHook[] _hooks = [.. hooks];

    public static TimeSpan Timeout(HttpRequest request)
    {
        if (request.Headers[TimeoutHeader].FirstOrDefault() is not { } text) return DefaultTimeout;
        return Durations.TryParse(text, out var t) && t > TimeSpan.Zero && t <= MaxTimeout
            ? t
            : throw ApiProblemException.Invalid(TimeoutHeader, "must be a duration above zero and at most 5m, such as 5s or 500ms");
    }

    public async Task InvokeAsync(HttpContext http, ServiceInvocation invocation, TimeSpan timeout, IDisposable inFlight)
    {
        using (inFlight)
        {
            foreach (var hook in _hooks)
            {
                try
                {
                    await hook.BeforeAsync(invocation, http.RequestAborted);
                }
                catch (ServiceInvokeRefusedException)
                {
                    throw;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Invoke hook {Hook} failed before the invoke of {Service}; ignored.", hook.GetType().Name, invocation.Service);
                }
            }
            var started = TimeProvider.System.GetTimestamp();
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            cancel.CancelAfter(timeout);
            var error = await forwarder.SendAsync(http, invocation.Instance.BaseUrl, _client, new ForwarderRequestConfig { ActivityTimeout = timeout },
                new Transformer(invocation), cancel.Token);
            string? why = null;
            if (error != ForwarderError.None)
            {
                var timedOut = cancel.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested
                    || http.Features.Get<IForwarderErrorFeature>()?.Exception is TimeoutException or TaskCanceledException;
                why = timedOut ? $"the instance did not answer within {timeout.TotalSeconds:0.###} s" : $"forwarding failed ({error})";
                if (!http.Response.HasStarted)
                {
                    http.Response.Clear();
                    var status = timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway;
                    await Problems.WriteAsync(http, status, timedOut ? "invoke-timeout" : "invoke-failed", timedOut ? "Gateway timeout" : "Bad gateway",
                        $"Service '{invocation.Service}' instance '{invocation.Instance.Id}': {why}.");
                }
            }
            var result = new ServiceInvokeResult(http.Response.StatusCode, TimeProvider.System.GetElapsedTime(started), why);
            services.RecordInvoke(invocation.Service, result.Status);
            foreach (var hook in _hooks)
            {
                try
                {
                    await hook.AfterAsync(invocation, result, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Invoke hook {Hook} failed after the invoke of {Service}; ignored.", hook.GetType().Name, invocation.Service);
                }
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private sealed class Transformer(ServiceInvocation invocation) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(invocation.Path), httpContext.Request.QueryString);
            proxyRequest.Headers.Host = null;
            // The caller's Nexus credentials are for Nexus, never for the services behind it.
            proxyRequest.Headers.Remove("Authorization");
            proxyRequest.Headers.Remove("X-Api-Key");
            proxyRequest.Headers.Remove(TimeoutHeader);
            foreach (var (name, value) in invocation.RequestHeaders) proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var go = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            if (proxyResponse is not null) httpContext.Response.Headers[InstanceHeader] = invocation.Instance.Id;
            return go;
        }
    }
}
