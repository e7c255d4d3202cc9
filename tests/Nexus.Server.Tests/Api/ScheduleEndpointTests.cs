using System.Net;
using System.Text;
using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Api;

/// <summary>/api/v1/schedules over real HTTP: create, read, preview, pause and resume, a real fire on the server's own
/// scheduler with its history, delete; bad input naming the field; roles and queue limits.</summary>
public abstract class ScheduleEndpointTests(ServerFixture fixture)
{
    private ServerHost Host => fixture.Host;

    private static string NewName() => "s-" + Guid.NewGuid().ToString("N")[..12];

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string url, string json) =>
        client.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    private static string Body(string cron, string queue = "default", string extra = "") =>
        $$"""{"cron":"{{cron}}","timeZone":"Europe/Berlin","target":{"task":{"plugin":"text.generate","args":{"filename":"cron.txt","words":3},"queue":"{{queue}}"} }{{extra}} }""";

    private async Task<string> KeyAsync(string role, string? queue = null)
    {
        using var admin = Host.Admin();
        var queues = queue is null ? "" : $$""","queues":["{{queue}}"]""";
        var created = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"k-{{Guid.NewGuid():N}}","role":"{{role}}"{{queues}}}""")).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("key").GetString()!;
    }

    [Fact]
    public async Task Put_Get_List_Next_Pause_Resume_Delete()
    {
        using var client = Host.Admin();
        var name = NewName();

        var created = await (await PutAsync(client, $"/api/v1/schedules/{name}", Body("0 3 * * *", extra: ""","overlap":"skip","misfire":"fire-all","catchUpWindow":"2h","description":"nightly" """))).JsonAsync();
        Assert.Equal(("0 3 * * *", "Europe/Berlin", "skip", "fire-all", 7_200_000L), (created.GetProperty("cron").GetString(), created.GetProperty("timeZone").GetString(),
            created.GetProperty("overlap").GetString(), created.GetProperty("misfire").GetString(), created.GetProperty("catchUpWindowMs").GetInt64()));
        Assert.Equal("text.generate", created.GetProperty("target").GetProperty("task").GetProperty("plugin").GetString());
        var got = await (await client.GetAsync($"/api/v1/schedules/{name}")).JsonAsync();
        Assert.Equal("nightly", got.GetProperty("description").GetString());
        var list = await (await client.GetAsync("/api/v1/schedules?limit=1000")).JsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == name);

        var next = (await (await client.GetAsync($"/api/v1/schedules/{name}/next?count=3")).JsonAsync()).GetProperty("slots").EnumerateArray().Select(e => e.GetDateTimeOffset()).ToList();
        Assert.Equal(3, next.Count);
        Assert.All(next, slot => Assert.Equal(3, TimeZoneInfo.ConvertTime(slot, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour));
        Assert.Equal(created.GetProperty("nextFireAt").GetDateTimeOffset(), next[0]);

        var resumeAt = DateTimeOffset.UtcNow.AddDays(1);
        var paused = await (await client.PostJsonAsync($"/api/v1/schedules/{name}/pause", $$"""{"reason":"deploy freeze","resumeAt":"{{resumeAt:O}}"}""")).JsonAsync();
        Assert.Equal((true, "deploy freeze"), (paused.GetProperty("paused").GetBoolean(), paused.GetProperty("pauseReason").GetString()));
        Assert.Equal(resumeAt.ToUnixTimeMilliseconds() / 1000, paused.GetProperty("resumeAt").GetDateTimeOffset().ToUnixTimeMilliseconds() / 1000);
        var resumed = await (await client.PostAsync($"/api/v1/schedules/{name}/resume", null)).JsonAsync();
        Assert.False(resumed.GetProperty("paused").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/schedules/{name}")).StatusCode);
        await (await client.GetAsync($"/api/v1/schedules/{name}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await client.DeleteAsync($"/api/v1/schedules/{name}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AnEverySecondSchedule_FiresOnTheServer_ItsTaskRuns_AndTheHistoryShowsIt()
    {
        using var client = Host.Admin();
        var name = NewName();
        await (await PutAsync(client, $"/api/v1/schedules/{name}", Body("* * * * * *"))).JsonAsync();

        var history = await Nexus.Testing.Eventually.UntilAsync(
            async () => (await (await client.GetAsync($"/api/v1/schedules/{name}/history")).JsonAsync()).GetProperty("items"),
            items => items.GetArrayLength() > 0, because: "the server's scheduler to fire");
        await (await client.PostAsync($"/api/v1/schedules/{name}/pause", null)).JsonAsync();

        var fire = history[0];
        Assert.Equal("fired", fire.GetProperty("outcome").GetString());
        var task = await client.WaitForStateAsync(fire.GetProperty("taskId").GetInt64(), "succeeded");
        Assert.Contains($"schedule:{name}", task.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0, fire.GetProperty("slot").GetDateTimeOffset().Millisecond);
        var metrics = await Nexus.Testing.Eventually.UntilAsync(async () => await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync(),
            text => text.Contains("nexus_schedule_fires_total{", StringComparison.Ordinal) && text.Contains(name, StringComparison.Ordinal), because: "the fire in /metrics");
        Assert.Matches($"nexus_schedule_fires_total\\{{[^}}]*outcome=\"fired\"[^}}]*schedule=\"{name}\"", metrics);
    }

    [Fact]
    public async Task AnEventTarget_AppendsToTheLogOnTheServer_AndTheHistoryNamesTheEvent()
    {
        using var client = Host.Admin();
        var name = NewName();
        var topic = "reports.daily";
        var ns = "ns-" + Guid.NewGuid().ToString("N")[..10];
        await (await client.PostJsonAsync("/api/v1/namespaces", $$"""{"name":"{{ns}}"}""")).JsonAsync(HttpStatusCode.Created);
        await (await PutAsync(client, $"/api/v1/schedules/{name}", "{\"cron\":\"* * * * * *\",\"target\":{\"event\":{\"namespace\":\"" + ns + "\",\"topic\":\"" + topic + "\",\"payload\":{\"daily\":true},\"key\":\"r\"}}}")).JsonAsync();

        var history = await Nexus.Testing.Eventually.UntilAsync(
            async () => (await (await client.GetAsync($"/api/v1/schedules/{name}/history")).JsonAsync()).GetProperty("items"),
            items => items.GetArrayLength() > 0, because: "the server's scheduler to fire");
        await (await client.PostAsync($"/api/v1/schedules/{name}/pause", null)).JsonAsync();

        var fire = history[history.GetArrayLength() - 1];
        Assert.Equal("fired", fire.GetProperty("outcome").GetString());
        var position = long.Parse(fire.GetProperty("detail").GetString()!["event ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var log = await Nexus.Testing.Eventually.UntilAsync(async () => await (await client.GetAsync($"/api/v1/namespaces/{ns}/events?limit=100")).JsonAsync(),
            l => l.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("position").GetInt64() == position), because: "the fired event in the log");
        var e = log.GetProperty("events").EnumerateArray().First(x => x.GetProperty("position").GetInt64() == position);
        Assert.Equal((position, topic, "r", true), (e.GetProperty("position").GetInt64(), e.GetProperty("topic").GetString(), e.GetProperty("key").GetString(), e.GetProperty("payload").GetProperty("daily").GetBoolean()));
    }

    [Theory]
    [InlineData("""{"timeZone":"UTC","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}}}""", "cron")]
    [InlineData("""{"cron":"99 * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}}}""", "cron")]
    [InlineData("""{"cron":"* * * * *","timeZone":"Nowhere/Land","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}}}""", "timeZone")]
    [InlineData("""{"cron":"* * * * *"}""", "target")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"no.such.plugin"}}}""", "target.task.plugin")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{}}}}""", "target.task.args.filename")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"},"queue":"bad queue"}}}""", "target.task.queue")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}},"misfire":"sometimes"}""", "misfire")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}},"overlap":"never"}""", "overlap")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}},"catchUpWindow":"8d"}""", "catchUpWindow")]
    [InlineData("""{"cron":"* * * * *","target":{"task":{"plugin":"text.generate","args":{"filename":"x.txt"}}},"colour":"red"}""", "colour")]
    [InlineData("""{"cron":"* * * * *","target":{"event":{"namespace":"default"}}}""", "target.event.topic")]
    [InlineData("""{"cron":"* * * * *","target":{"event":{"namespace":"default","topic":"$state.x"}}}""", "target.event.topic")]
    [InlineData("""{"cron":"* * * * *","target":{"event":{"namespace":"default","topic":"a.b","priority":"urgent"}}}""", "target.event.priority")]
    [InlineData("""{"cron":"* * * * *","target":{"workflow":{"input":{}}}}""", "target.workflow.name")]
    [InlineData("""{"cron":"* * * * *","target":{"workflow":{"name":"w","input":"text"}}}""", "target.workflow.input")]
    public async Task Put_BadInput_Is400_NamingTheField(string body, string field)
    {
        using var client = Host.Admin();
        var name = NewName();

        await (await PutAsync(client, $"/api/v1/schedules/{name}", body)).ProblemAsync(HttpStatusCode.BadRequest, "validation", field);
        await (await client.GetAsync($"/api/v1/schedules/{name}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task BadNamesAndQueries_Are400_AndANonJsonBodyIs415()
    {
        using var client = Host.Admin();
        await (await PutAsync(client, "/api/v1/schedules/bad%20name", Body("* * * * *"))).ProblemAsync(HttpStatusCode.BadRequest, "validation", "name");
        await (await client.GetAsync("/api/v1/schedules?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "limit");
        var name = NewName();
        await (await PutAsync(client, $"/api/v1/schedules/{name}", Body("0 0 1 1 *"))).JsonAsync();
        await (await client.GetAsync($"/api/v1/schedules/{name}/next?count=5000")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "count");
        await (await client.GetAsync($"/api/v1/schedules/{name}/history?before=yesterday")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "before");
        await (await client.PostJsonAsync($"/api/v1/schedules/{name}/pause", """{"resumeAt":"2001-01-01T00:00:00Z"}""")).ProblemAsync(HttpStatusCode.BadRequest, "validation", "resumeAt");
        var response = await client.PutAsync($"/api/v1/schedules/{name}", new StringContent("cron=1", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Viewer_Reads_ButCannotChange_AndNoKeyIsRefused()
    {
        using var admin = Host.Admin();
        var name = NewName();
        await (await PutAsync(admin, $"/api/v1/schedules/{name}", Body("0 0 1 1 *"))).JsonAsync();
        using var viewer = Host.Client(await KeyAsync("viewer"));

        await (await viewer.GetAsync($"/api/v1/schedules/{name}")).JsonAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(viewer, $"/api/v1/schedules/{name}", Body("* * * * *"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/schedules/{name}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/v1/schedules/{name}")).StatusCode);
        using var anonymous = Host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/schedules")).StatusCode);
        Assert.Equal("0 0 1 1 *", (await (await admin.GetAsync($"/api/v1/schedules/{name}")).JsonAsync()).GetProperty("cron").GetString());
    }

    [Fact]
    public async Task QueueLimitedKey_SeesAndChangesOnlyTheSchedulesOfItsQueue()
    {
        using var admin = Host.Admin();
        var mine = "q-" + Guid.NewGuid().ToString("N")[..10];
        var theirs = "q-" + Guid.NewGuid().ToString("N")[..10];
        var own = NewName();
        var other = NewName();
        await (await PutAsync(admin, $"/api/v1/schedules/{other}", Body("0 0 1 1 *", theirs))).JsonAsync();
        using var limited = Host.Client(await KeyAsync("operator", mine));

        await (await PutAsync(limited, $"/api/v1/schedules/{own}", Body("0 0 1 1 *", mine))).JsonAsync();
        await (await PutAsync(limited, $"/api/v1/schedules/{NewName()}", Body("0 0 1 1 *", theirs))).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "target.task.queue");
        var eventTarget = """{"cron":"* * * * *","target":{"event":{"namespace":"shop","topic":"t"}}}""";
        await (await PutAsync(limited, $"/api/v1/schedules/{NewName()}", eventTarget)).ProblemAsync(HttpStatusCode.Forbidden, "queue-forbidden", "target");
        await (await PutAsync(limited, $"/api/v1/schedules/{other}", Body("* * * * *", mine))).ProblemAsync(HttpStatusCode.Conflict, "name-taken");
        await (await limited.GetAsync($"/api/v1/schedules/{other}")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await limited.PostAsync($"/api/v1/schedules/{other}/pause", null)).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await limited.GetAsync($"/api/v1/schedules/{other}/history")).ProblemAsync(HttpStatusCode.NotFound, "not-found");
        var names = (await (await limited.GetAsync("/api/v1/schedules?limit=1000")).JsonAsync()).GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.Contains(own, names);
        Assert.DoesNotContain(other, names);

        var untouched = await (await admin.GetAsync($"/api/v1/schedules/{other}")).JsonAsync();
        Assert.Equal(("0 0 1 1 *", false), (untouched.GetProperty("cron").GetString(), untouched.GetProperty("paused").GetBoolean()));
    }
}

public sealed class SqliteScheduleEndpointTests(SqliteServer server) : ScheduleEndpointTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresScheduleEndpointTests(PostgresServer server) : ScheduleEndpointTests(server), IClassFixture<PostgresServer>;
