using System.Net;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Events;

/// <summary>The event API over real HTTP: namespaces, emit (one, many, per topic), reading the log, subscriptions
/// running a plugin per event, external consumers, replay, cursor moves and dead letters; bad input named.</summary>
public abstract class EventEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<string> NamespaceAsync(HttpClient client)
    {
        var ns = NewName("ns");
        await (await client.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}","description":"tests"}""")).JsonAsync(HttpStatusCode.Created);
        return ns;
    }

    private static Task<JsonElement> ReadUntilAsync(HttpClient client, string url, int count) =>
        Eventually.UntilAsync(async () => await (await client.GetAsync(url)).JsonAsync(), p => p.GetProperty("events").GetArrayLength() >= count,
            because: $"{count} events at {url}", describe: p => p.GetRawText());

    [Fact]
    public async Task Namespaces_AreCreatedOnce_Listed_AndBadNamesAreNamed()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);

        var again = await (await client.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}","description":"other"}""")).JsonAsync();
        Assert.Equal("tests", again.GetProperty("description").GetString());
        var list = (await (await client.GetAsync("/api/v1/namespaces")).JsonAsync()).EnumerateArray().Select(n => n.GetProperty("name").GetString()).ToList();
        Assert.Contains(ns, list);
        Assert.Contains("default", list);
        Assert.Equal(ns, (await (await client.GetAsync($"/api/v1/namespaces/{ns}")).JsonAsync()).GetProperty("name").GetString());
        await (await client.PostJsonAsync("/api/v1/namespaces", """{"name":"Bad Name"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
        await (await client.GetAsync("/api/v1/namespaces/nope-" + Guid.NewGuid().ToString("N")[..6])).ProblemAsync(HttpStatusCode.NotFound, "namespace-not-found");
    }

    [Fact]
    public async Task Emit_OneManyAndPerTopic_ThenReadThemInOrderByCursor()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);

        var one = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events",
            """{"topic":"orders.created","payload":{"id":1},"priority":"high","key":"o-1","headers":{"source":"web"}}""")).JsonAsync();
        var many = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events",
            """{"events":[{"topic":"orders.paid","payload":{"id":1}},{"topic":"users.created","payload":"ada","idempotencyKey":"u-1"}]}""")).JsonAsync();
        using var topicForm = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{ns}/topics/orders.shipped?key=o-1")
        {
            Content = new StringContent("""{"id":1,"carrier":"dhl"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        topicForm.Headers.Add("Idempotency-Key", "ship-1");
        var shipped = await (await client.SendAsync(topicForm)).JsonAsync();
        var repeat = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events", """{"topic":"users.created","payload":"ada","idempotencyKey":"u-1"}""")).JsonAsync();

        Assert.True(one.GetProperty("events")[0].GetProperty("created").GetBoolean());
        Assert.Equal(2, many.GetProperty("events").GetArrayLength());
        Assert.True(shipped.GetProperty("created").GetBoolean());
        Assert.False(repeat.GetProperty("events")[0].GetProperty("created").GetBoolean());
        Assert.Equal(many.GetProperty("events")[1].GetProperty("position").GetInt64(), repeat.GetProperty("events")[0].GetProperty("position").GetInt64());

        var page = await ReadUntilAsync(client, $"/api/v1/namespaces/{ns}/events?limit=2", 2);
        var first = page.GetProperty("events")[0];
        Assert.Equal(("orders.created", "high", "o-1", "web", 1), (first.GetProperty("topic").GetString(), first.GetProperty("priority").GetString(),
            first.GetProperty("key").GetString(), first.GetProperty("headers").GetProperty("source").GetString(), first.GetProperty("payload").GetProperty("id").GetInt32()));
        var rest = await ReadUntilAsync(client, $"/api/v1/namespaces/{ns}/events?after={page.GetProperty("next").GetString()}", 2);
        Assert.Equal(["users.created", "orders.shipped"], rest.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("topic").GetString()));
        var orders = await ReadUntilAsync(client, $"/api/v1/namespaces/{ns}/events?pattern=orders.*", 3);
        Assert.Equal(3, orders.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Emit_BadInput_IsRefusedNamingTheField()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var url = $"/api/v1/namespaces/{ns}/events";

        await (await client.PostJsonAsync(url, """{"topic":"$state.cart","payload":{}}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "topic");
        await (await client.PostJsonAsync(url, """{"topic":"orders..x","payload":{}}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "topic");
        await (await client.PostJsonAsync(url, """{"topic":"orders.x"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "payload");
        await (await client.PostJsonAsync(url, """{"topic":"orders.x","payload":1,"priority":"urgent"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "priority");
        await (await client.PostJsonAsync(url, """{"events":[{"topic":"a.b","payload":1},{"topic":"a.*","payload":1}]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "events[1].topic");
        await (await client.PostJsonAsync(url, """{"events":[]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "events");
        await (await client.PostJsonAsync(url, """{"topic":"a.b","payload":1,"colour":"red"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await client.PostJsonAsync(url, "[1]")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "body");
        await (await client.GetAsync(url + "?after=abc")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "after");
        await (await client.PostJsonAsync($"/api/v1/namespaces/missing-{Guid.NewGuid():N}"[..40] + "/events", """{"topic":"a.b","payload":1}""")).ProblemAsync(HttpStatusCode.NotFound, "namespace-not-found");
    }

    [Fact]
    public async Task PluginSubscription_RunsOneTaskPerMatchingEvent_WithArgsFromTheEvent()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var queue = NewName("evq");
        var sub = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/subscriptions", $$$"""
            {"name":"write-file","pattern":"files.*","action":"plugin","target":"text.generate","queue":"{{{queue}}}",
             "argsTemplate":{"filename":"ev-{{position}}.txt","words":"{{payload.words}}"},"filter":{"payload.words":{"$gte":3}},"start":{"kind":"new"}}
            """)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(queue, sub.GetProperty("queue").GetString());

        var emitted = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events",
            """{"events":[{"topic":"files.wanted","payload":{"words":4}},{"topic":"files.wanted","payload":{"words":1}},{"topic":"other.x","payload":{"words":9}}]}""")).JsonAsync();
        var position = emitted.GetProperty("events")[0].GetProperty("position").GetInt64();

        var tasks = await Eventually.UntilAsync(async () => await (await client.GetAsync($"/api/v1/tasks?queue={queue}&state=succeeded")).JsonAsync(),
            p => p.GetProperty("items").GetArrayLength() >= 1, because: "the delivery to succeed");
        var task = Assert.Single(tasks.GetProperty("items").EnumerateArray());
        Assert.Equal($"ev-{position}.txt", task.GetProperty("args").GetProperty("filename").GetString());
        Assert.Equal(4, task.GetProperty("args").GetProperty("words").GetInt32());

        await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/subscriptions/write-file/replay", $$"""{"fromPosition":{{position}},"toPosition":{{position}},"replayId":"again"}"""))
            .JsonAsync();
        await Eventually.UntilAsync(async () => (await (await client.GetAsync($"/api/v1/tasks?queue={queue}&state=succeeded")).JsonAsync()).GetProperty("items").GetArrayLength() == 2,
            because: "the replayed delivery to succeed");
        var all = (await (await client.GetAsync($"/api/v1/namespaces/{ns}/subscriptions")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal("write-file", Assert.Single(all).GetProperty("name").GetString());
    }

    [Fact]
    public async Task WorkflowSubscription_StartsOneRunPerEvent_AndGetShowsTheLag()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var workflow = NewName("wf");
        await (await client.PostJsonAsync("/api/v1/workflows", $$$"""{"name":"{{{workflow}}}","steps":[{"id":"a","kind":"noop","args":{"order":"${input.order}"}}]}""")).JsonAsync(HttpStatusCode.Created);
        var sub = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/subscriptions", $$$"""
            {"name":"start","pattern":"orders.*","action":"workflow","target":"{{{workflow}}}","argsTemplate":{"order":"{{payload.id}}"}}
            """)).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("workflow", sub.GetProperty("action").GetString());

        await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events", """{"events":[{"topic":"orders.created","payload":{"id":"o-1"}},{"topic":"orders.created","payload":{"id":"o-2"}}]}""")).JsonAsync();
        var runs = await Eventually.UntilAsync(async () => await (await client.GetAsync($"/api/v1/runs?workflow={workflow}&state=succeeded")).JsonAsync(),
            p => p.GetProperty("items").GetArrayLength() == 2, because: "a run per event", describe: p => p.GetRawText());
        var got = await (await client.GetAsync($"/api/v1/namespaces/{ns}/subscriptions/start")).JsonAsync();

        Assert.Equal(["o-1", "o-2"], runs.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("output").GetProperty("a").GetProperty("order").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(0, got.GetProperty("lag").GetProperty("events").GetInt64());
        await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/subscriptions", """{"name":"nameless","pattern":"orders.*","action":"workflow"}"""))
            .ProblemAsync(HttpStatusCode.BadRequest, "validation", "target");
    }

    [Fact]
    public async Task Subscription_BadInput_IsRefusedNamingTheField()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var url = $"/api/v1/namespaces/{ns}/subscriptions";

        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.>.b","target":"text.generate"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "pattern");
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","target":"no.such.plugin"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "target");
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","target":"text.generate","filter":{"payload.x":{"$near":1}}}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation");
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","action":"teleport"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "action");
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","action":"consumer","maxDeliveries":0}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "maxDeliveries");
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","action":"consumer","start":{"kind":"position"}}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "start.position");
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","action":"consumer"}""")).JsonAsync(HttpStatusCode.Created);
        await (await client.PostJsonAsync(url, """{"name":"s","pattern":"a.*","action":"consumer"}""")).ProblemAsync(HttpStatusCode.Conflict, "subscription-exists", "name");
        await (await client.GetAsync(url + "/nope")).ProblemAsync(HttpStatusCode.NotFound, "subscription-not-found");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(url + "/s")).StatusCode);
        await (await client.GetAsync(url + "/s")).ProblemAsync(HttpStatusCode.NotFound, "subscription-not-found");
    }

    [Fact]
    public async Task OrderedByKey_IsStoredAndReturned_AndAConsumerGetsAKeysNextEventOnlyAfterAckingThePrevious()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var subs = $"/api/v1/namespaces/{ns}/subscriptions";
        var made = await (await client.PostJsonAsync(subs, """{"name":"ordered","pattern":"carts.>","action":"consumer","orderedByKey":true,"start":{"kind":"all"}}""")).JsonAsync(HttpStatusCode.Created);
        var plain = await (await client.PostJsonAsync(subs, """{"name":"plain","pattern":"carts.>","action":"consumer"}""")).JsonAsync(HttpStatusCode.Created);
        Assert.True(made.GetProperty("orderedByKey").GetBoolean());
        Assert.False(plain.GetProperty("orderedByKey").GetBoolean());
        Assert.True((await (await client.GetAsync($"{subs}/ordered")).JsonAsync()).GetProperty("orderedByKey").GetBoolean());

        await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events", """
            {"events":[{"topic":"carts.add","payload":"a1","key":"a"},{"topic":"carts.add","payload":"a2","key":"a"},
                       {"topic":"carts.add","payload":"b1","key":"b"},{"topic":"carts.add","payload":"none"}]}
            """)).JsonAsync();

        List<JsonElement> received = [];
        await Eventually.UntilAsync(async () =>
        {
            var batch = await (await client.PostJsonAsync($"{subs}/ordered/receive", """{"consumer":"c1","max":10,"visibilityTimeoutMs":60000}""")).JsonAsync();
            received.AddRange(batch.GetProperty("deliveries").EnumerateArray());
            return received.Count;
        }, n => n >= 3, because: "the first event of each key and the unkeyed one");
        string Payload(JsonElement d) => d.GetProperty("event").GetProperty("payload").GetString()!;
        Assert.Equal(["a1", "b1", "none"], received.Select(Payload).Order(StringComparer.Ordinal));
        // a2 waits for a1: nothing more to receive until a1 is acked.
        var none = await (await client.PostJsonAsync($"{subs}/ordered/receive", """{"consumer":"c2","max":10,"visibilityTimeoutMs":60000}""")).JsonAsync();
        Assert.Equal(0, none.GetProperty("deliveries").GetArrayLength());

        var a1 = received.Single(d => Payload(d) == "a1");
        var ack = await (await client.PostJsonAsync($"{subs}/ordered/ack",
            $$"""{"deliveries":[{"id":{{a1.GetProperty("id").GetInt64()}},"leaseToken":"{{a1.GetProperty("leaseToken").GetString()}}"}]}""")).JsonAsync();
        Assert.True(ack.GetProperty("accepted")[0].GetBoolean());
        var next = await Eventually.UntilAsync(async () => await (await client.PostJsonAsync($"{subs}/ordered/receive", """{"consumer":"c2","max":10,"visibilityTimeoutMs":60000}""")).JsonAsync(),
            b => b.GetProperty("deliveries").GetArrayLength() > 0, because: "a2 after a1's ack");
        Assert.Equal("a2", Payload(Assert.Single(next.GetProperty("deliveries").EnumerateArray())));
    }

    [Fact]
    public async Task Consumers_ReceiveByPriority_Ack_Nack_ToDeadLetters_AndSeeExpiredDeliveriesAgain()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var subs = $"/api/v1/namespaces/{ns}/subscriptions";
        await (await client.PostJsonAsync(subs, """{"name":"group","pattern":"jobs.>","action":"consumer","maxDeliveries":2,"start":{"kind":"all"}}""")).JsonAsync(HttpStatusCode.Created);
        await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events", """
            {"events":[{"topic":"jobs.a","payload":"low","priority":"low"},{"topic":"jobs.b","payload":"critical","priority":"critical"},{"topic":"jobs.c","payload":"normal"}]}
            """)).JsonAsync();

        var batch = await Eventually.UntilAsync(async () => await (await client.PostJsonAsync($"{subs}/group/receive", """{"consumer":"c1","max":2,"visibilityTimeoutMs":60000}""")).JsonAsync(),
            b => b.GetProperty("deliveries").GetArrayLength() > 0, because: "deliveries to receive");
        var received = batch.GetProperty("deliveries").EnumerateArray().ToList();
        Assert.Equal("critical", received[0].GetProperty("event").GetProperty("payload").GetString());
        var got = received.ToDictionary(d => d.GetProperty("event").GetProperty("payload").GetString()!, d => d);

        // A second consumer of the group gets what the first did not take.
        var others = await Eventually.UntilAsync(async () => await (await client.PostJsonAsync($"{subs}/group/receive", """{"consumer":"c2","max":10,"visibilityTimeoutMs":1000}""")).JsonAsync(),
            b => b.GetProperty("deliveries").GetArrayLength() + received.Count >= 3, because: "the rest of the deliveries");
        var otherPayloads = others.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("event").GetProperty("payload").GetString()).ToList();
        Assert.Empty(otherPayloads.Intersect(got.Keys));

        string Ref(JsonElement d) => $$"""{"id":{{d.GetProperty("id").GetInt64()}},"leaseToken":"{{d.GetProperty("leaseToken").GetString()}}"}""";
        var first = received[0];
        var ack = await (await client.PostJsonAsync($"{subs}/group/ack", $$"""{"deliveries":[{{Ref(first)}}]}""")).JsonAsync();
        Assert.True(ack.GetProperty("accepted")[0].GetBoolean());
        var ackAgain = await (await client.PostJsonAsync($"{subs}/group/ack", $$"""{"deliveries":[{{Ref(first)}}]}""")).JsonAsync();
        Assert.False(ackAgain.GetProperty("accepted")[0].GetBoolean());
        if (received.Count > 1)
        {
            var extended = await (await client.PostJsonAsync($"{subs}/group/extend", $$"""{"deliveries":[{{Ref(received[1])}}],"visibilityTimeoutMs":60000}""")).JsonAsync();
            Assert.True(extended.GetProperty("accepted")[0].GetBoolean());
        }

        // The expired one (1 s) comes back as its second delivery; a nack of the last delivery makes a dead letter.
        var expired = others.GetProperty("deliveries")[0];
        var back = await Eventually.UntilAsync(async () => await (await client.PostJsonAsync($"{subs}/group/receive", """{"consumer":"c3","max":10,"visibilityTimeoutMs":60000}""")).JsonAsync(),
            b => b.GetProperty("deliveries").GetArrayLength() > 0, because: "the expired delivery to come back");
        var again = back.GetProperty("deliveries")[0];
        Assert.Equal(expired.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        Assert.Equal(2, again.GetProperty("delivery").GetInt32());
        var nack = await (await client.PostJsonAsync($"{subs}/group/nack", $$"""{"id":{{again.GetProperty("id").GetInt64()}},"leaseToken":"{{again.GetProperty("leaseToken").GetString()}}","reason":"cannot parse it"}""")).JsonAsync();
        Assert.True(nack.GetProperty("accepted")[0].GetBoolean());
        var letters = (await (await client.GetAsync($"/api/v1/namespaces/{ns}/dead-letters")).JsonAsync()).EnumerateArray().ToList();
        var letter = Assert.Single(letters);
        Assert.Equal(("group", "cannot parse it", 2), (letter.GetProperty("subscription").GetString(), letter.GetProperty("reason").GetString(), letter.GetProperty("deliveries").GetInt32()));

        await (await client.PostJsonAsync($"{subs}/group/ack", """{"deliveries":[]}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "deliveries");
        await (await client.PostJsonAsync($"{subs}/group/receive", """{"max":0}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "max");
        await (await client.PostJsonAsync($"{subs}/group/receive", """{"visibilityTimeoutMs":5}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "visibilityTimeoutMs");
    }

    [Fact]
    public async Task Cursor_MovedBackToTheStart_DeliversTheEventsAgain()
    {
        using var client = Host.Admin();
        var ns = await NamespaceAsync(client);
        var subs = $"/api/v1/namespaces/{ns}/subscriptions";
        await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events", """{"events":[{"topic":"t.a","payload":1},{"topic":"t.b","payload":2}]}""")).JsonAsync();
        await (await client.PostJsonAsync(subs, """{"name":"c","pattern":"t.*","action":"consumer","start":{"kind":"all"}}""")).JsonAsync(HttpStatusCode.Created);

        async Task<int> DrainAsync()
        {
            var total = 0;
            await Eventually.UntilAsync(async () =>
            {
                var batch = await (await client.PostJsonAsync($"{subs}/c/receive", """{"max":10,"visibilityTimeoutMs":60000}""")).JsonAsync();
                foreach (var d in batch.GetProperty("deliveries").EnumerateArray())
                {
                    total++;
                    await client.PostJsonAsync($"{subs}/c/ack", $$"""{"deliveries":[{"id":{{d.GetProperty("id").GetInt64()}},"leaseToken":"{{d.GetProperty("leaseToken").GetString()}}"}]}""");
                }
                return total;
            }, t => t >= 2, because: "two deliveries");
            return total;
        }

        Assert.Equal(2, await DrainAsync());
        var moved = await (await client.PostJsonAsync($"{subs}/c/cursor", """{"kind":"all"}""")).JsonAsync();
        Assert.Equal("0-0", moved.GetProperty("cursor").GetString());
        Assert.Equal(2, await DrainAsync());
        await (await client.PostJsonAsync($"{subs}/c/cursor", """{"kind":"sideways"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "body.kind");
    }
}

public sealed class SqliteEventEndpointTests(SqliteServer server) : EventEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresEventEndpointTests(PostgresServer server) : EventEndpointTests(server), IClassFixture<PostgresServer>;
