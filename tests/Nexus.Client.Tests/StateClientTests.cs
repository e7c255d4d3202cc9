using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.State"/>: set, compare-and-set, a lost one as <c>state-conflict</c>, keys with
/// slashes and spaces, list, history, delete.</summary>
public sealed class StateClientTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    private ServerHost Host => fixture.Host;

    [Fact]
    public async Task SetCompareAndSetListHistoryDelete()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var ns = "c-" + Guid.NewGuid().ToString("N")[..8];

        var first = await client.State.SetAsync(ns, "carts/my cart", """{"items":[]}""", expectedVersion: 0);
        var second = await client.State.SetAsync(ns, "carts/my cart", """{"items":["book"]}""", expectedVersion: first.Version, ttl: "1h");
        var lost = await Assert.ThrowsAsync<NexusApiException>(() => client.State.SetAsync(ns, "carts/my cart", "{}", expectedVersion: first.Version));
        var read = await client.State.GetAsync(ns, "carts/my cart");
        var page = await client.State.ListAsync(ns, "carts/");
        var history = await client.State.HistoryAsync(ns, "carts/my cart");
        var deleted = await client.State.DeleteAsync(ns, "carts/my cart", expectedVersion: second.Version);

        Assert.Equal((1L, 2L), (first.Version, second.Version));
        Assert.Equal((HttpStatusCode.Conflict, "state-conflict"), (lost.Status, lost.Code));
        Assert.Equal("""{"items":["book"]}""", read!.Value.GetRawText());
        Assert.NotNull(read.ExpiresAt);
        Assert.Equal(["carts/my cart"], page.Items.Select(e => e.Key));
        Assert.Equal([2L, 1L], history.Select(v => v.Version));
        Assert.Equal(3L, deleted.Version);
        Assert.Null(await client.State.GetAsync(ns, "carts/my cart"));
    }

    [Fact]
    public async Task Watch_WithoutACursor_AnswersTheHead_AndAfterIt_TheChangesOfTheKeyOrPrefix()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var ns = "c-" + Guid.NewGuid().ToString("N")[..8];
        await client.State.SetAsync(ns, "carts/1", "1");

        var head = await client.State.WatchAsync(ns, "carts/1", timeout: "0s");
        await client.State.SetAsync(ns, "carts/1", "2");
        await client.State.SetAsync(ns, "other", "3");
        await client.State.SetAsync(ns, "carts/2", "4");
        var key = await client.State.WatchAsync(ns, "carts/1", after: head.Next, timeout: "0s");
        var prefix = await client.State.WatchAsync(ns, "carts/", prefix: true, after: head.Next, timeout: "0s");
        var bad = await Assert.ThrowsAsync<NexusApiException>(() => client.State.WatchAsync(ns, "carts/1", timeout: "soon"));

        Assert.Empty(head.Changes);
        Assert.Equal(["carts/1 v2"], key.Changes.Select(c => $"{c.GetProperty("key").GetString()} v{c.GetProperty("version").GetInt64()}"));
        Assert.Equal(["carts/1 v2", "carts/2 v1"], prefix.Changes.Select(c => $"{c.GetProperty("key").GetString()} v{c.GetProperty("version").GetInt64()}"));
        Assert.Equal(prefix.Changes[^1].GetProperty("cursor").GetString(), prefix.Next);
        Assert.Equal((HttpStatusCode.BadRequest, "timeout"), (bad.Status, bad.Field));
    }
}
