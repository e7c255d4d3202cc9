using Microsoft.AspNetCore.Http.Features;

namespace Nexus.Server.Live;

/// <summary>Puts a <see cref="CorkedStream"/> under the <c>/ws</c> WebSocket (HTTP/1.1 upgrade): runs before
/// <c>UseWebSockets</c>, which takes the upgrade feature this sets, so the sender can write a batch of messages with one
/// write to the connection. Other upgrades, and a handshake over HTTP/2, go unbatched.</summary>
internal static class WebSocketBatching
{
    public static IApplicationBuilder UseLiveWebSocketBatching(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Request.Path.Equals("/ws", StringComparison.OrdinalIgnoreCase) && http.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            http.Features.Set<IHttpUpgradeFeature>(new CorkingUpgrade(upgrade));
        }
        return next(http);
    });

    /// <summary>The corked stream under this request's WebSocket, once accepted; null when unbatched.</summary>
    public static CorkedStream? CorkedStreamOf(HttpContext http) => (http.Features.Get<IHttpUpgradeFeature>() as CorkingUpgrade)?.Stream;

    private sealed class CorkingUpgrade(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
    {
        public CorkedStream? Stream { get; private set; }

        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => Stream = new CorkedStream(await inner.UpgradeAsync().ConfigureAwait(false));
    }
}
