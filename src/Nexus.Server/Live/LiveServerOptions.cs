namespace Nexus.Server.Live;

/// <summary>The real-time endpoints' settings (<c>Nexus:Live</c>; docs/realtime.md).</summary>
public sealed class LiveServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Nexus:Live";

    /// <summary>Messages a connection may have waiting to be sent before it is cut off as a slow consumer. Default 1,000.</summary>
    public int BufferSize { get; set; } = 1000;

    /// <summary>Subscriptions one connection may hold. Default 100.</summary>
    public int MaxSubscriptions { get; set; } = 100;

    /// <summary>Browser origins allowed besides the server's own (<c>https://app.example</c>; <c>*</c>: any). A
    /// handshake with an <c>Origin</c> header that is neither is refused (403 <c>origin-forbidden</c>). Default none.</summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>How long a token minted at <c>POST /api/v1/live/tokens</c> is accepted. Default 5 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The secret (at least 32 characters) that signs query-string tokens; every node of a cluster must share
    /// it for a token minted on one to open a connection on another. Unset: a random secret per process.</summary>
    public string? TokenSecret { get; set; }

    /// <summary>A comment line (SSE) or ping (WebSocket) after this long without a message. Default 15 s.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest wait of a state-watch long poll. Default 30 s (the request's <c>timeout</c> may be shorter).</summary>
    public TimeSpan MaxLongPoll { get; set; } = TimeSpan.FromSeconds(30);
}
