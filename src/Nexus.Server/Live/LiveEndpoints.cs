using Nexus.Contracts;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Nexus.Live;
using Nexus.Server.Api;
using Nexus.Server.Auth;

namespace Nexus.Server.Live;

/// <summary>The live surface: <c>/ws</c> and <c>/sse</c> (read right, the namespace rule on every subscription), live
/// tokens for browsers, and the state watch (long poll or SSE) under <c>/api/v1/namespaces/{ns}/state-watch</c>.</summary>
internal static class LiveEndpoints
{
    public static void MapLiveEndpoints(this WebApplication app, RouteGroupBuilder api)
    {
        app.Map("/ws", WebSocketEndpoint.HandleAsync).Require(Right.Read).ExcludeFromDescription();
        app.MapGet("/sse", SseEndpoint.HandleAsync).Require(Right.Read).ExcludeFromDescription();
        api.MapPost("/live/tokens", Mint).Require(Right.Read).WithTags("Live")
            .WithSummary("Mint a short-lived token for /ws and /sse (?access_token=): the caller's rights, a device id")
            .Produces<LiveTokenResponse>().ProducesCommonProblems(400, 403);
        api.MapGet("/namespaces/{ns}/state-watch", WatchAsync).Require(Right.Read).WithTags("State")
            .WithSummary("Changes of a state key or prefix after a cursor: a long poll (JSON), or SSE with Accept: text/event-stream; 410 resync-needed when retention passed the cursor")
            .Produces<StateWatchResponse>().ProducesCommonProblems(400, 403, 404, 410);
    }

    private static IResult Mint(HttpContext http, LiveTokens tokens, [FromQuery] string? device)
    {
        var caller = Caller.From(http.User);
        var name = QueryValues.Text(device, "device", 128) ?? caller.KeyId ?? caller.Name;
        var (token, expires) = tokens.Mint(http.User, name);
        return Results.Ok(new LiveTokenResponse(token, expires, name));
    }

    private static async Task WatchAsync(HttpContext http, INexusLive live, IOptions<LiveServerOptions> options, LiveConnections registry, string ns,
        [FromQuery] string? key, [FromQuery] string? prefix, [FromQuery] string? after, [FromQuery] string? timeout, [FromQuery] string? limit)
    {
        Caller.From(http.User).EnsureNamespace(ns);
        if (key is not null && prefix is not null) throw ApiProblemException.Invalid("key", "give key or prefix, not both");
        var channel = key is not null ? LiveChannel.Parse("state:" + key, null, "key") : LiveChannel.Parse("state-prefix:" + (prefix ?? ""), null, "prefix");
        var from = LiveRequests.After(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? after);
        if (from is { } given) from = await live.ResolveAsync(ns, given, cancellationToken: http.RequestAborted);
        if (http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true))
        {
            OriginCheck.Ensure(http, options.Value);
            await SseEndpoint.StreamAsync(http, live, options.Value, registry, new LiveRequest("watch", ns, [channel], from));
            return;
        }
        var max = QueryValues.Int(limit, "limit", 1, 1000) ?? 100;
        var wait = options.Value.MaxLongPoll;
        if (timeout is not null)
        {
            var parsed = Durations.Parse(timeout).Duration ?? throw ApiProblemException.Invalid("timeout", $"'{QueryValues.Shorten(timeout)}' is not a duration (0s, 10s, 1m)");
            if (parsed < wait) wait = parsed;
        }
        var start = from ?? await live.HeadAsync(ns, http.RequestAborted);
        var sink = new Collector(max);
        await using (await live.SubscribeAsync(new LiveRequest("watch", ns, [channel], start), sink, http.RequestAborted))
        {
            if (sink.Count == 0 && wait > TimeSpan.Zero)
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                deadline.CancelAfter(wait);
                try
                {
                    await sink.Arrived.Reader.WaitToReadAsync(deadline.Token);
                }
                catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
                {
                }
            }
        }
        var changes = sink.Take();
        var next = changes.Count == 0 ? start : changes[^1].Change.Cursor;
        var json = new StringBuilder("{\"changes\":[");
        for (var i = 0; i < changes.Count; i++) json.Append(i == 0 ? "" : ",").Append(Encoding.UTF8.GetString(LiveMessages.Change(changes[i])));
        json.Append("],\"next\":\"").Append(next.ToString()).Append("\"}");
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json.ToString(), http.RequestAborted);
    }

    /// <summary>The long poll's sink: keeps up to its limit, in order; the first one wakes the request.</summary>
    private sealed class Collector(int max) : ILiveSink
    {
        private readonly Lock _gate = new();
        private readonly List<LiveDelivery> _items = [];

        public Channel<bool> Arrived { get; } = Channel.CreateBounded<bool>(1);

        public int Count
        {
            get
            {
                lock (_gate) return _items.Count;
            }
        }

        public bool TryWrite(LiveDelivery delivery)
        {
            lock (_gate)
            {
                if (_items.Count >= max) return false;
                _items.Add(delivery);
            }
            Arrived.Writer.TryWrite(true);
            return true;
        }

        public List<LiveDelivery> Take()
        {
            lock (_gate) return [.. _items];
        }
    }
}
