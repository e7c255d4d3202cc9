using System.Net;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary><see cref="NexusClient.Schedules"/> against the real server: put, get, list, next, pause with a resume
/// time, resume, a real fire's history, delete, and a bad cron as <see cref="NexusApiException"/> naming the field.</summary>
public abstract class ScheduleClientTests(ServerFixture fixture)
{
    protected ServerHost Host => fixture.Host;

    [Fact]
    public async Task PutGetListNextPauseResumeHistoryDelete()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);
        var name = Clients.NewName("sched");

        var saved = await client.Schedules.PutAsync(name, new ScheduleRequest
        {
            Cron = "* * * * * *",
            Target = ScheduleTargets.Task("text.generate", """{"filename":"client/cron.txt","words":3}"""),
            Overlap = "skip",
        });
        var got = await client.Schedules.GetAsync(name);
        var page = await client.Schedules.ListAsync(limit: 1000);
        var next = await client.Schedules.NextAsync(name, 5);
        var fires = await FiresAsync(client, name);
        var paused = await client.Schedules.PauseAsync(name, "client test", DateTimeOffset.UtcNow.AddHours(1));
        var resumed = await client.Schedules.ResumeAsync(name);
        await client.Schedules.PauseAsync(name);
        await client.Schedules.DeleteAsync(name);
        var gone = await Assert.ThrowsAsync<NexusApiException>(() => client.Schedules.GetAsync(name));

        Assert.Equal(("skip", "UTC"), (saved.Overlap, saved.TimeZone));
        Assert.Equal("text.generate", got.Target.GetProperty("task").GetProperty("plugin").GetString());
        Assert.Contains(page.Items, s => s.Name == name);
        Assert.Equal(5, next.Count);
        Assert.All(next.Zip(next.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second - p.First));
        Assert.Equal("fired", fires[^1].Outcome);
        Assert.NotNull(fires[^1].TaskId);
        Assert.Equal((true, "client test"), (paused.Paused, paused.PauseReason));
        Assert.False(resumed.Paused);
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (gone.Status, gone.Code));
    }

    /// <summary>Polls the history until the server's scheduler has fired, with a deadline.</summary>
    private static async Task<IReadOnlyList<ScheduleFireResponse>> FiresAsync(NexusClient client, string name)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(Clients.Deadline.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (true)
        {
            var fires = await client.Schedules.HistoryAsync(name);
            if (fires.Count > 0) return fires;
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"Schedule {name} did not fire within {Clients.Deadline}.");
            await Task.Delay(Clients.Poll);
        }
    }

    [Fact]
    public async Task ABadCron_IsAValidationErrorNamingCron()
    {
        using var http = new HttpClient();
        var client = Clients.For(Host, http);

        var ex = await Assert.ThrowsAsync<NexusApiException>(() => client.Schedules.PutAsync(Clients.NewName("bad"), new ScheduleRequest
        {
            Cron = "every tuesday",
            Target = ScheduleTargets.Task("text.generate", """{"filename":"x.txt"}"""),
        }));

        Assert.Equal(("validation", "cron"), (ex.Code, ex.Field));
    }
}

public sealed class SqliteScheduleClientTests(SqliteServer server) : ScheduleClientTests(server), IClassFixture<SqliteServer>;

public sealed class PostgresScheduleClientTests(PostgresServer server) : ScheduleClientTests(server), IClassFixture<PostgresServer>;
