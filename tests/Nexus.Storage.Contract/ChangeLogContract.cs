using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Documents;
using Nexus.Events;
using Nexus.State;
using Nexus.Storage;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary>The one log on the driver under test: every state write, compare-and-set, delete and expiry and every
/// document create, replace, patch and delete appends its <c>$</c>-topic entry in the write's own transaction — a write
/// that fails appends nothing, a write whose post-write stage throws takes its entry back.</summary>
public abstract class ChangeLogContract : EngineHarness
{
    private async Task<(INexusState State, INexusDocuments Docs, INexusStore Store)> StartLogAsync(params IDocumentStage[] stages)
    {
        var (host, _) = await StartAsync(o => o.StateExpiryInterval = TimeSpan.FromMilliseconds(50), services: s =>
        {
            foreach (var stage in stages) s.AddSingleton(stage);
        });
        return (host.Services.GetRequiredService<INexusState>(), host.Services.GetRequiredService<INexusDocuments>(), LastStore!);
    }

    private static async Task<IReadOnlyList<EventRecord>> LogAsync(INexusStore store, string ns) =>
        (await store.Events.ReadAsync(new ReadEventsParams(ns, LogCursor.Start, 1000))).Events;

    /// <summary>The log once it holds <paramref name="count"/> entries: on PostgreSQL a reader waits for every older
    /// transaction of the cluster (other tests' too) before it reads a commit.</summary>
    private static async Task<IReadOnlyList<EventRecord>> LogOfAsync(INexusStore store, string ns, int count)
    {
        IReadOnlyList<EventRecord> log = [];
        await Eventually.UntilAsync(async () => (log = await LogAsync(store, ns)).Count >= count, because: $"{count} entries in the log of {ns}");
        return log;
    }

    /// <summary>The whole log up to a marker appended now: what was committed before it is all there.</summary>
    private static async Task<IReadOnlyList<EventRecord>> LogToMarkerAsync(INexusStore store, string ns)
    {
        await store.Events.AppendAsync(new AppendEventsParams(ns, [new NewEvent { Topic = "test.marker", PayloadJson = "{}" }]));
        IReadOnlyList<EventRecord> log = [];
        await Eventually.UntilAsync(async () => (log = await LogAsync(store, ns)).Any(e => e.Topic == "test.marker"), because: "the marker to be readable");
        return [.. log.Where(e => e.Topic != "test.marker")];
    }

    private static JsonObject Payload(EventRecord e) => JsonNode.Parse(e.PayloadJson)!.AsObject();

    [Fact]
    public async Task StateWrites_AppendTheirEntries_InOrder_CreatingTheNamespaceOnFirstWrite()
    {
        var (state, _, store) = await StartLogAsync();
        Assert.Null(await store.Events.GetNamespaceAsync("carts"));

        var v1 = await state.SetAsync("carts", "carts/42", """{"items":[]}""", new StateWriteOptions { ExpectedVersion = 0 });
        var v2 = await state.SetAsync("carts", "carts/42", """{"items":["book"]}""", new StateWriteOptions { ExpectedVersion = v1.Version });
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync("carts", "carts/42", "{}", new StateWriteOptions { ExpectedVersion = v1.Version }));
        await state.DeleteAsync("carts", "carts/42");
        await state.SetAsync("carts", "a.b:c-d", "1", new StateWriteOptions { Ttl = TimeSpan.FromMilliseconds(1) });

        var log = await LogOfAsync(store, "carts", 5);

        Assert.NotNull(await store.Events.GetNamespaceAsync("carts"));
        Assert.Equal(["$state.carts.42", "$state.carts.42", "$state.carts.42", "$state.a-2Eb-3Ac-2Dd", "$state.a-2Eb-3Ac-2Dd"], log.Select(e => e.Topic));
        Assert.Equal(
            [("created", 1L), ("updated", 2L), ("deleted", 3L), ("created", 1L), ("deleted", 2L)],
            log.Select(e => (Payload(e)["op"]!.GetValue<string>(), Payload(e)["version"]!.GetValue<long>())));
        Assert.Equal("""{"items":["book"]}""", Payload(log[1])["value"]!.ToJsonString());
        Assert.Equal("carts/42", log[0].Key);
        Assert.True(Payload(log[4])["expired"]!.GetValue<bool>());
        Assert.Null(Payload(log[2])["value"]);
        Assert.Equal(v2.Version, Payload(log[1])["version"]!.GetValue<long>());
        Assert.True(log.Zip(log.Skip(1)).All(p => p.First.Cursor < p.Second.Cursor), "entries in log order");
    }

    [Fact]
    public async Task DocumentWrites_AppendTheSlimPatchFromThePreviousVersion()
    {
        var (_, docs, store) = await StartLogAsync();

        await docs.CreateAsync("shop", "orders", """{"status":"new","items":[1],"note":"x"}""", "o-1");
        await docs.PatchAsync("shop", "orders", "o-1", """[{"op":"replace","path":"/status","value":"paid"},{"op":"remove","path":"/note"}]""");
        await docs.ReplaceAsync("shop", "orders", "o-1", """{"status":"paid","items":[1,2],"a/b":true}""");
        await docs.DeleteAsync("shop", "orders", "o-1");

        var log = await LogOfAsync(store, "shop", 4);
        Assert.All(log, e => Assert.Equal("$docs.shop.orders.o-2D1", e.Topic));
        Assert.Equal(["created", "updated", "updated", "deleted"], log.Select(e => Payload(e)["op"]!.GetValue<string>()));
        Assert.Equal([1L, 2L, 3L, 4L], log.Select(e => Payload(e)["version"]!.GetValue<long>()));
        Assert.Null(Payload(log[0])["patch"]);
        Assert.Equal("""[{"op":"remove","path":"/note"},{"op":"replace","path":"/status","value":"paid"}]""", Payload(log[1])["patch"]!.ToJsonString());
        Assert.Equal("""[{"op":"replace","path":"/items","value":[1,2]},{"op":"add","path":"/a~1b","value":true}]""", Payload(log[2])["patch"]!.ToJsonString());

        // Each patch applied to the previous version gives the next one.
        var copy = Payload(log[0])["document"]!.ToJsonString();
        foreach (var e in log.Skip(1).Take(2))
        {
            copy = JsonPatch.Apply(copy, Payload(e)["patch"]!.ToJsonString());
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(copy), Payload(e)["document"]), copy);
        }
        Assert.Equal(("orders", "o-1"), (Payload(log[3])["model"]!.GetValue<string>(), Payload(log[3])["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AFailingWrite_AppendsNothing()
    {
        var stage = new FailingStage();
        var (state, docs, store) = await StartLogAsync(stage);
        await docs.CreateAsync("shop", "orders", """{"n":1}""", "o-1");

        stage.Fail = true;
        // The entry is appended before the post-write stage runs: the stage's failure takes back both.
        await Assert.ThrowsAsync<InvalidOperationException>(() => docs.CreateAsync("shop", "orders", """{"n":2}""", "o-2"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => docs.PatchAsync("shop", "orders", "o-1", """[{"op":"replace","path":"/n","value":3}]"""));
        await Assert.ThrowsAsync<InvalidOperationException>(() => docs.DeleteAsync("shop", "orders", "o-1"));
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync("shop", "k", "1", new StateWriteOptions { ExpectedVersion = 5 }));
        await Assert.ThrowsAsync<StateNotFoundException>(() => state.DeleteAsync("shop", "absent"));
        // A namespace made implicitly inside a write that failed is not left behind.
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync("fresh", "k", "1", new StateWriteOptions { ExpectedVersion = 5 }));

        var log = await LogToMarkerAsync(store, "shop");
        Assert.Equal(["created"], log.Select(e => Payload(e)["op"]!.GetValue<string>()));
        Assert.Equal(1L, (await docs.GetAsync("shop", "orders", "o-1"))!.Version);
        Assert.Null(await store.Events.GetNamespaceAsync("fresh"));

        // And a unit of work that throws after a state write and its entry takes back both.
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.InTransactionAsync<int>(async (tx, ct) =>
        {
            var written = await tx.State.SetAsync(new SetStateParams("shop", "k", "1"), ct);
            await tx.Events.AppendAsync(new AppendEventsParams("shop", [ChangeLog.StateSet(written)]), ct);
            throw new InvalidOperationException("after the append");
        }));
        Assert.Single(await LogToMarkerAsync(store, "shop"));
        Assert.Null(await state.GetAsync("shop", "k"));
    }

    private sealed class FailingStage : IDocumentStage
    {
        public bool Fail { get; set; }

        public bool Handles(string app, string model) => true;

        public Task AfterWriteAsync(DocumentChange change, IStoreTransaction transaction, CancellationToken cancellationToken) =>
            Fail ? throw new InvalidOperationException("the stage failed") : Task.CompletedTask;
    }
}
