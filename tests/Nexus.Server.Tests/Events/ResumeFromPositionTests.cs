using System.Globalization;
using System.Net;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Events;

/// <summary>An emit answers each event's position; the REST reader, /sse and the socket resume after that bare position
/// as after a cursor (on PostgreSQL a bare position is not a cursor: it is looked up), and a position that no event of
/// the namespace has is refused naming <c>after</c>.</summary>
public abstract class ResumeFromPositionTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static async Task<string> NamespaceAsync(HttpClient client)
    {
        var ns = "ns-" + Guid.NewGuid().ToString("N")[..10];
        await (await client.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        return ns;
    }

    private static async Task<(string Ns, long[] Positions)> EmitThreeAsync(HttpClient client)
    {
        var ns = await NamespaceAsync(client);
        var emitted = await (await client.PostJsonAsync($"/api/v1/namespaces/{ns}/events",
            """{"events":[{"topic":"orders.a","payload":1},{"topic":"orders.b","payload":2},{"topic":"orders.c","payload":3}]}""")).JsonAsync();
        return (ns, [.. emitted.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("position").GetInt64())]);
    }

    private static string Text(long position) => position.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task TheRestReader_ResumesAfterAnEmitsPosition_AndRefusesAPositionWithoutAnEvent()
    {
        using var client = Host.Admin();
        var (ns, positions) = await EmitThreeAsync(client);

        var page = await Eventually.UntilAsync(async () => await (await client.GetAsync($"/api/v1/namespaces/{ns}/events?after={Text(positions[0])}")).JsonAsync(),
            p => p.GetProperty("events").GetArrayLength() >= 2, because: "the two events after the first", describe: p => p.GetRawText());
        var all = await (await client.GetAsync($"/api/v1/namespaces/{ns}/events?after=0")).JsonAsync();

        Assert.Equal(positions[1..], page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("position").GetInt64()));
        Assert.Equal(positions, all.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("position").GetInt64()));
        await (await client.GetAsync($"/api/v1/namespaces/{ns}/events?after={Text(positions[2] + 1_000_000)}")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "after");
        // A position of another namespace is not one of this namespace's.
        var (_, elsewhere) = await EmitThreeAsync(client);
        await (await client.GetAsync($"/api/v1/namespaces/{ns}/events?after={Text(elsewhere[0])}")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "after");
    }

    [Fact]
    public async Task Sse_ResumesAfterAnEmitsPosition_AndRefusesAPositionWithoutAnEvent()
    {
        using var client = Host.Admin();
        var (ns, positions) = await EmitThreeAsync(client);

        using var stream = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sse?namespace={ns}&channel=events:orders.>&after={Text(positions[0])}"),
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        var changes = new List<long>();
        using (var reader = new StreamReader(await stream.Content.ReadAsStreamAsync()))
        {
            string? name = null;
            while (changes.Count < 2 && await reader.ReadLineAsync().WaitAsync(Http.Deadline) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && name == "change") changes.Add(JsonDocument.Parse(line[6..]).RootElement.GetProperty("position").GetInt64());
            }
        }

        Assert.Equal(positions[1..], changes);
        using var bad = await client.GetAsync($"/sse?namespace={ns}&channel=events:orders.>&after={Text(positions[2] + 1_000_000)}");
        await bad.ProblemAsync(HttpStatusCode.BadRequest, "validation", "after");
    }

    [Fact]
    public async Task TheSocket_ResumesAfterAnEmitsPosition_AndAnswersAPositionWithoutAnEventWithAnErrorNamingAfter()
    {
        using var client = Host.Admin();
        var (ns, positions) = await EmitThreeAsync(client);
        await using var live = await LiveClient.ConnectAsync(Host.Address, ServerHost.BootstrapKey);
        await live.NextAsync("welcome");

        await live.SubscribeAsync("bad", ns, """["events:orders.>"]""", after: Text(positions[2] + 1_000_000));
        var error = await live.NextAsync("error");
        await live.SubscribeAsync("s1", ns, """["events:orders.>"]""", after: Text(positions[0]));
        var subscribed = await live.NextAsync("subscribed");
        var changes = new[] { await live.NextAsync("change"), await live.NextAsync("change") };

        Assert.Equal(("bad", "after"), (error.GetProperty("sub").GetString(), error.GetProperty("field").GetString()));
        Assert.Equal("s1", subscribed.GetProperty("sub").GetString());
        Assert.Equal(positions[1..], changes.Select(c => c.GetProperty("position").GetInt64()));
    }
}

public sealed class SqliteResumeFromPositionTests(SqliteServer server) : ResumeFromPositionTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresResumeFromPositionTests(PostgresServer server) : ResumeFromPositionTests(server), IClassFixture<PostgresServer>;
