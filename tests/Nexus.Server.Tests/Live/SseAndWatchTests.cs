using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage;

namespace Nexus.Server.Tests.Live;

/// <summary>/sse and the state watch: events whose id is the cursor and a resume with Last-Event-ID; a long poll that
/// waits for the next change; 410 resync-needed once retention passed the cursor; bad input naming the field.</summary>
public sealed class SseAndWatchTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    private static string NewNs() => "w-" + Guid.NewGuid().ToString("N")[..10];

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string ns, string key, string value) =>
        client.PutAsync($"/api/v1/namespaces/{ns}/state/{key}", new StringContent($$"""{"value":{{value}}}""", Encoding.UTF8, "application/json"));

    /// <summary>Reads SSE events (event name, id, data) from a streaming response.</summary>
    private static async IAsyncEnumerable<(string Event, string? Id, JsonElement Data)> EventsAsync(HttpResponseMessage response)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null, id = null, data = null;
        while (await reader.ReadLineAsync().WaitAsync(Http.Deadline) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    using var doc = JsonDocument.Parse(data);
                    yield return (name ?? "message", id, doc.RootElement.Clone());
                }
                (name, id, data) = (null, null, null);
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            // Several data lines make one data, joined by a line feed (the EventSource rule).
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = data is null ? line[6..] : data + "\n" + line[6..];
        }
    }

    private static async Task<List<(string Event, string? Id, JsonElement Data)>> TakeAsync(HttpResponseMessage response, int changes)
    {
        var list = new List<(string, string?, JsonElement)>();
        await foreach (var e in EventsAsync(response))
        {
            if (e.Event != "change") continue;
            list.Add(e);
            if (list.Count == changes) break;
        }
        return list;
    }

    [Fact]
    public async Task Sse_SendsChangesWithTheirCursorAsId_AndResumesFromLastEventId()
    {
        var ns = NewNs();
        using var admin = Host.Admin();
        var head = (await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=k&timeout=0s")).JsonAsync()).GetProperty("next").GetString()!;
        for (var i = 1; i <= 3; i++) await (await PutAsync(admin, ns, "k", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).JsonAsync();

        using var first = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sse?namespace={ns}&channel=state:k&after={head}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", first.Content.Headers.ContentType?.MediaType);
        var got = await TakeAsync(first, 2);

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/sse?namespace={ns}&channel=state:k");
        again.Headers.Add("Last-Event-ID", got[^1].Id);
        using var resumed = await admin.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
        var rest = TakeAsync(resumed, 2);
        await (await PutAsync(admin, ns, "k", "4")).JsonAsync();

        Assert.Equal([1L, 2L], got.Select(e => e.Data.GetProperty("version").GetInt64()));
        Assert.All(got, e => Assert.Equal(e.Id, e.Data.GetProperty("cursor").GetString()));
        Assert.Equal([3L, 4L], (await rest).Select(e => e.Data.GetProperty("version").GetInt64()));
    }

    [Fact]
    public async Task Sse_AValueWrittenOverSeveralLines_ArrivesWhole()
    {
        var ns = NewNs();
        using var admin = Host.Admin();
        var head = (await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=k&timeout=0s")).JsonAsync()).GetProperty("next").GetString()!;
        // Pretty-printed JSON, with LF and CR LF between its tokens, as an editor or `jq` writes it.
        await (await PutAsync(admin, ns, "k", "{\n  \"a\": 1,\r\n  \"b\": [\n    2\n  ]\n}")).JsonAsync();

        using var sse = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sse?namespace={ns}&channel=state:k&after={head}"), HttpCompletionOption.ResponseHeadersRead);
        var change = Assert.Single(await TakeAsync(sse, 1));

        Assert.Equal((1, 2), (change.Data.GetProperty("value").GetProperty("a").GetInt32(), change.Data.GetProperty("value").GetProperty("b")[0].GetInt32()));
        Assert.Equal(change.Id, change.Data.GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task ALongPoll_WaitsForTheNextChange_AndPollsOnFromNext()
    {
        var ns = NewNs();
        using var admin = Host.Admin();
        var head = (await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?prefix=carts/&timeout=0s")).JsonAsync()).GetProperty("next").GetString()!;

        var poll = admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?prefix=carts/&after={head}&timeout=30s");
        await (await PutAsync(admin, ns, "other", "1")).JsonAsync();
        await (await PutAsync(admin, ns, "carts/1", """{"items":[1]}""")).JsonAsync();
        var answer = await (await poll).JsonAsync();
        var change = Assert.Single(answer.GetProperty("changes").EnumerateArray());
        await (await admin.DeleteAsync($"/api/v1/namespaces/{ns}/state/carts/1")).JsonAsync();
        var next = await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?prefix=carts/&after={answer.GetProperty("next").GetString()}")).JsonAsync();

        Assert.Equal(("carts/1", "created", 1), (change.GetProperty("key").GetString(), change.GetProperty("op").GetString(), change.GetProperty("value").GetProperty("items")[0].GetInt32()));
        Assert.Equal("deleted", Assert.Single(next.GetProperty("changes").EnumerateArray()).GetProperty("op").GetString());
        await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?after=nope")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "after");
        await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=a&prefix=b")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "key");
        await (await admin.GetAsync($"/sse?namespace={ns}&channel=nope:x")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "channel");
    }

    [Fact]
    public async Task ACursorPastRetention_Answers410ResyncNeeded_OnTheWatch_AndAResyncOnTheSocket()
    {
        var ns = NewNs();
        using var admin = Host.Admin();
        var head = (await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=k&timeout=0s")).JsonAsync()).GetProperty("next").GetString()!;
        await (await PutAsync(admin, ns, "k", "1")).JsonAsync();
        Assert.Single((await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=k&after={head}")).JsonAsync()).GetProperty("changes").EnumerateArray());

        await Host.NexusStore.Events.MaintainAsync(new LogMaintenanceParams(TimeSpan.FromHours(1)) { Now = DateTimeOffset.UtcNow.AddDays(3) });

        var gone = await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=k&after={head}")).ProblemAsync(HttpStatusCode.Gone, "resync-needed", "after");
        Assert.NotEqual(head, gone.GetProperty("horizon").GetString());
        await using var live = await LiveClient.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await live.SubscribeAsync("s", ns, """["state:k"]""", head);
        var resync = await live.NextAsync("resync");
        Assert.Equal("resync-needed", resync.GetProperty("code").GetString());
        await live.SubscribeAsync("s", ns, """["state:k"]""", resync.GetProperty("head").GetString());
        await live.NextAsync("subscribed");
        await (await PutAsync(admin, ns, "k", "2")).JsonAsync();
        Assert.Equal(2, (await live.NextAsync("change")).GetProperty("version").GetInt64());
    }
}

/// <summary>A slow consumer on a server whose connections hold at most a few messages: cut off with the reason.</summary>
public sealed class SlowConsumerTests
{
    [Fact]
    public async Task AClientThatDoesNotRead_IsCutOffAtTheBuffer_WithTheReason()
    {
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:Live:BufferSize"] = "4" });
        using var admin = host.Admin();
        var ns = "slow-" + Guid.NewGuid().ToString("N")[..8];
        var head = (await (await admin.GetAsync($"/api/v1/namespaces/{ns}/state-watch?key=k&timeout=0s")).JsonAsync()).GetProperty("next").GetString()!;
        // 2,000 changes in one import, each ~1 KiB: caught up at once, far more than 4 messages and the socket's buffers.
        var keys = string.Join(",", Enumerable.Range(0, 2000).Select(i => $$"""{"key":"k/{{i}}","value":"{{new string('x', 1000)}}"}"""));
        await (await admin.PostJsonAsync($"/api/v1/namespaces/{ns}/state-import", $$"""{"namespace":"{{ns}}","keys":[{{keys}}]}""")).JsonAsync();

        await using var live = await LiveClient.ConnectAsync(host.Address, ServerHost.BootstrapKey);
        await live.SubscribeAsync("s", ns, """["state-prefix:k/"]""", head);
        var connections = host.Services.GetRequiredService<Nexus.Server.Live.LiveConnections>();
        await Nexus.Testing.Eventually.UntilAsync(() => connections.CutOffs == 1, because: "the connection to be cut off while its client reads nothing");
        JsonElement? last = null;
        while (await live.ReceiveAsync() is { } m) last = m;

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, live.CloseStatus);
        Assert.Equal("slow-consumer", live.CloseDescription);
        Assert.Equal(("closing", "slow-consumer"), (last!.Value.GetProperty("type").GetString(), last.Value.GetProperty("code").GetString()));
    }
}
