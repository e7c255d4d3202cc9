using System.Text;
using Microsoft.Extensions.Options;
using Nexus.Live;
using Nexus.Server.Api;
using Nexus.Server.Auth;

namespace Nexus.Server.Live;

/// <summary><c>/sse</c>: one live subscription as Server-Sent Events (docs/realtime.md):
/// <c>?namespace=shop&amp;channel=docs:orders&amp;channel=state:carts/42&amp;filter={…}&amp;after=0-42</c>. Every
/// change is an event <c>change</c> whose id is its cursor, so a browser's <c>EventSource</c> resumes by itself
/// (<c>Last-Event-ID</c>). A resync ends the stream with an event <c>resync</c>, a slow consumer with <c>closing</c>.</summary>
internal static class SseEndpoint
{
    public static async Task HandleAsync(HttpContext http, INexusLive live, IOptions<LiveServerOptions> options, LiveConnections registry)
    {
        OriginCheck.Ensure(http, options.Value);
        var query = http.Request.Query;
        var ns = query["namespace"].FirstOrDefault() ?? throw ApiProblemException.Invalid("namespace", "is required");
        Events.Names.Namespace(ns);
        Caller.From(http.User).EnsureNamespace(ns);
        var filter = query["filter"].FirstOrDefault();
        var channels = query["channel"].Select((c, i) => LiveChannel.Parse(c, filter, query["channel"].Count == 1 ? "channel" : $"channel[{i}]")).ToList();
        if (channels.Count == 0) throw ApiProblemException.Invalid("channel", "name at least one channel (docs:{model}[/{id}], state:{key}, state-prefix:{prefix}, events:{pattern})");
        var after = LiveRequests.After(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? query["after"].FirstOrDefault());
        // A bare position is looked up now, so that one without an event is a 400 before the stream starts.
        if (after is { } given) after = await live.ResolveAsync(ns, given, cancellationToken: http.RequestAborted);
        await StreamAsync(http, live, options.Value, registry, new LiveRequest(query["sub"].FirstOrDefault() ?? "sse", ns, channels, after));
    }

    /// <summary>Streams one subscription until the client leaves, a resync, or a cut-off.</summary>
    public static async Task StreamAsync(HttpContext http, INexusLive live, LiveServerOptions settings, LiveConnections registry, LiveRequest request)
    {
        var device = LiveDevice.Of(http);
        await using var connection = new LiveConnection(live, settings, registry, Caller.From(http.User), device);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.CutOff);
        connection.Send(LiveMessages.Welcome(connection.Id, device, settings.BufferSize));
        try
        {
            await connection.SubscribeAsync(request, stop.Token);
            var body = http.Response.Body;
            while (!stop.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                wait.CancelAfter(settings.KeepAlive);
                bool more;
                try
                {
                    more = await connection.Outgoing.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    await body.WriteAsync(": keep-alive\n\n"u8.ToArray(), stop.Token);
                    await body.FlushAsync(stop.Token);
                    continue;
                }
                if (!more) break;
                var ended = false;
                while (connection.Outgoing.TryRead(out var message))
                {
                    await body.WriteAsync(Frame(message), stop.Token);
                    ended |= message.Type is "resync" or "error";
                }
                await body.FlushAsync(stop.Token);
                if (ended) break;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        if (connection.Cut is { } cut && !http.RequestAborted.IsCancellationRequested)
        {
            await http.Response.Body.WriteAsync(Frame(LiveOutgoing.Of(LiveMessages.Closing(cut.Code, cut.Message))), http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    private static byte[] Frame(LiveOutgoing message)
    {
        var head = new StringBuilder(48);
        head.Append("event: ").Append(message.Type).Append('\n');
        if (message.Cursor is not null) head.Append("id: ").Append(message.Cursor).Append('\n');
        head.Append("data: ");
        return [.. Encoding.UTF8.GetBytes(head.ToString()), .. message.Utf8, (byte)'\n', (byte)'\n'];
    }
}
