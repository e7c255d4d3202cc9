using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nexus.State;
using Nexus.Storage;
using Nexus.Testing;

namespace Nexus.Storage.Contract;

/// <summary><see cref="INexusState"/> in a real host on the driver under test: validation naming the field, conflicts
/// that name the current version, resolvers that merge instead, snapshots, and the expiry sweep of the elected node.</summary>
public abstract class StateServiceContract : EngineHarness
{
    private async Task<INexusState> StateAsync(Action<IServiceCollection>? services = null)
    {
        var (host, _) = await StartAsync(o => o.StateExpiryInterval = TimeSpan.FromMilliseconds(50), services: services);
        return host.Services.GetRequiredService<INexusState>();
    }

    [Fact]
    public async Task ALostCompareAndSet_NamesTheCurrentVersion_AndBadInputNamesTheField()
    {
        var state = await StateAsync();
        var first = await state.SetAsync("app", "k", "1", new StateWriteOptions { ExpectedVersion = 0 });

        var conflict = await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync("app", "k", "2", new StateWriteOptions { ExpectedVersion = 0 }));
        Assert.Equal((0L, first.Version), (conflict.ExpectedVersion, conflict.CurrentVersion));
        Assert.Equal("value", (await Assert.ThrowsAsync<TaskValidationException>(() => state.SetAsync("app", "k", "{oops"))).Field);
        Assert.Equal("value", (await Assert.ThrowsAsync<TaskValidationException>(() => state.SetAsync("app", "k", "\"a\\u0000b\""))).Field);
        Assert.Equal("key", (await Assert.ThrowsAsync<TaskValidationException>(() => state.SetAsync("app", "", "1"))).Field);
        Assert.Equal("namespace", (await Assert.ThrowsAsync<TaskValidationException>(() => state.SetAsync("App!", "k", "1"))).Field);
        Assert.Equal("ttl", (await Assert.ThrowsAsync<TaskValidationException>(() => state.SetAsync("app", "k", "1", new StateWriteOptions { Ttl = TimeSpan.Zero }))).Field);
        await Assert.ThrowsAsync<StateNotFoundException>(() => state.DeleteAsync("app", "absent"));
        Assert.Equal(1L, (await state.GetAsync("app", "k"))!.Version);
    }

    [Fact]
    public async Task AResolver_MergesALostCompareAndSet_InsteadOfFailingIt()
    {
        var state = await StateAsync(s => s.AddSingleton<IStateConflictResolver, CounterMerger>());
        var v1 = await state.SetAsync("app", "counters/a", """{"n":1}""");
        await state.SetAsync("app", "counters/a", """{"n":10}""", new StateWriteOptions { ExpectedVersion = v1.Version });

        // Written against version 1 while 2 is current: the merger adds the two.
        var merged = await state.SetAsync("app", "counters/a", """{"n":5}""", new StateWriteOptions { ExpectedVersion = v1.Version });

        Assert.Equal((3L, """{"n":15}"""), (merged.Version, merged.ValueJson));
        await Assert.ThrowsAsync<StateConflictException>(() => state.SetAsync("app", "other", "1", new StateWriteOptions { ExpectedVersion = 7 }));
    }

    [Fact]
    public async Task ASnapshot_ExportsEveryLiveKey_AndImportsIntoAnotherNamespace()
    {
        var state = await StateAsync();
        await state.SetAsync("src", "a", "1");
        await state.SetAsync("src", "b/c", """{"x":[1,2]}""", new StateWriteOptions { Ttl = TimeSpan.FromHours(1) });
        await state.SetAsync("src", "gone", "0");
        await state.DeleteAsync("src", "gone");

        var snapshot = await state.ExportAsync("src");
        Assert.Equal(["a", "b/c"], snapshot.Keys.Select(k => k.Key));
        Assert.Equal(2, await state.ImportAsync("dst", snapshot));

        var copied = await state.ListAsync("dst");
        Assert.Equal(snapshot.Keys.Select(k => (k.Key, k.ValueJson)), copied.Items.Select(e => (e.Key, e.ValueJson)));
        Assert.NotNull(copied.Items.Single(e => e.Key == "b/c").ExpiresAt);
    }

    [Fact]
    public async Task TheElectedNode_SweepsExpiredKeys_IntoTheirHistory()
    {
        var state = await StateAsync();
        await state.SetAsync("app", "session", "1", new StateWriteOptions { Ttl = TimeSpan.FromMilliseconds(1) });

        await Eventually.UntilAsync(async () => (await state.HistoryAsync("app", "session"))[0].Operation == "expire", because: "the sweep to record the expiry");

        Assert.Null(await state.GetAsync("app", "session"));
        Assert.Equal([2L, 1L], (await state.HistoryAsync("app", "session")).Select(v => v.Version));
    }

    private sealed class CounterMerger : IStateConflictResolver
    {
        public bool Handles(string @namespace, string key) => key.StartsWith("counters/", StringComparison.Ordinal);

        public string? Resolve(StateConflict conflict)
        {
            var current = conflict.Current is null ? 0 : (int)JsonNode.Parse(conflict.Current.ValueJson)!["n"]!;
            var proposed = (int)JsonNode.Parse(conflict.ProposedJson)!["n"]!;
            return new JsonObject { ["n"] = current + proposed }.ToJsonString();
        }
    }
}
