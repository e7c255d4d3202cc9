using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres.Tests;

/// <summary>The COPY fast path for large plain batches stores exactly what the general insert stores.</summary>
public sealed class CopyInsertTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(4560);

    private PostgresStore _copying = null!;
    private PostgresStore _general = null!;

    public async Task InitializeAsync()
    {
        var server = await PostgresTestServer.GetAsync();
        _copying = server.CreateStore(o => o.CopyThreshold = 2);
        _general = server.CreateStore(o => o.CopyThreshold = 0);
        await _copying.MigrateAsync();
        await _general.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _copying.DisposeAsync();
        await _general.DisposeAsync();
    }

    /// <summary>Every kind of field a submit can set, each in several shapes.</summary>
    private static List<NewTask> Varied() =>
    [
        .. Enumerable.Range(0, 120).Select(i => new NewTask
        {
            Plugin = i % 2 == 0 ? "test.echo" : "test.other",
            ArgsJson = $$$"""{"n":{{{i}}},"text":"ü \"{{{i}}}\"","nested":{"a":[1,2,{{{i}}}]}}""",
            Queue = i % 3 == 0 ? "default" : "q" + (i % 3),
            Priority = i % 5 - 2,
            RunAt = i % 7 == 0 ? Now.AddMinutes(i) : i % 11 == 0 ? Now.AddSeconds(-i) : null,
            Delay = i % 4 == 1 ? TimeSpan.FromMilliseconds(1500 * i) : null,
            MaxAttempts = 1 + i % 9,
            Retry = i % 6 == 0 ? new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(i + 1), Multiplier = 1.5, MaxDelay = TimeSpan.FromHours(1), Jitter = 0.1 } : null,
            Timeout = i % 8 == 0 ? TimeSpan.FromMilliseconds(250 * (i + 1)) : null,
            Tags = i % 2 == 0 ? ["even", "t" + i] : [],
            TraceContext = i % 3 == 0 ? $"00-0af7651916cd43dd8448eb211c80319c-{i:x16}-01" : i % 3 == 1 ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nvendor=x" : null,
        }),
    ];

    [Fact]
    public async Task CopyInsert_StoresEveryFieldAsTheGeneralInsertDoes()
    {
        var copied = await _copying.Tasks.InsertAsync(new InsertTasksParams(Varied()) { Now = Now });
        var inserted = await _general.Tasks.InsertAsync(new InsertTasksParams(Varied()) { Now = Now });

        Assert.All(copied, r => Assert.True(r.Created));
        Assert.Equal(120, copied.Count);
        for (var i = 0; i < copied.Count; i++)
        {
            var a = await _copying.Tasks.GetAsync(copied[i].Id);
            var b = await _general.Tasks.GetAsync(inserted[i].Id);
            Assert.NotNull(a);
            Assert.NotNull(b);
            Assert.Equal(Describe(b), Describe(a));
        }
        Assert.Equal(ExpectedScheduled(), await TestTasks.CountRowsAsync(_copying.DataSource, _copying.Schema, "state = 'scheduled'"));
    }

    [Fact]
    public async Task CopyInsert_GivesIdsInBatchOrder_SoTheClaimKeepsSubmitOrder()
    {
        var results = await _copying.Tasks.InsertAsync(new InsertTasksParams(TestTasks.Many(300)));

        var ids = results.Select(r => r.Id).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(300, ids.Distinct().Count());
        var claimed = await _copying.Tasks.ClaimAsync(new ClaimParams("node", 300, TimeSpan.FromMinutes(1)));
        Assert.Equal(ids, claimed.Select(t => t.Id));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $$"""{"n": {{i}}}"""), claimed.Select(t => t.ArgsJson));
    }

    [Fact]
    public async Task CopyInsert_IntoAQueueWithABacklogLimit_TakesTheCheckedPathAndIsRefused()
    {
        await _copying.Queues.ConfigureAsync("bounded", maxConcurrency: null, maxBacklog: 50);

        var ex = await Assert.ThrowsAsync<QueueFullException>(() =>
            _copying.Tasks.InsertAsync(new InsertTasksParams([.. TestTasks.Many(20, "free"), .. TestTasks.Many(60, "bounded")])));

        Assert.Equal("bounded", ex.Queue);
        Assert.Equal(0, await TestTasks.CountRowsAsync(_copying.DataSource, _copying.Schema));
    }

    [Fact]
    public async Task CopyInsert_WithAUniqueKeyInTheBatch_StaysIdempotent()
    {
        var first = await _copying.Tasks.InsertAsync(new InsertTasksParams([.. TestTasks.Many(10), TestTasks.New(uniqueKey: "k")]));
        var second = await _copying.Tasks.InsertAsync(new InsertTasksParams([.. TestTasks.Many(10), TestTasks.New(uniqueKey: "k")]));

        Assert.Equal((first[10].Id, false), (second[10].Id, second[10].Created));
        Assert.Equal(21, await TestTasks.CountRowsAsync(_copying.DataSource, _copying.Schema));
    }

    private static long ExpectedScheduled() =>
        Varied().Count(t => (t.RunAt ?? Now + (t.Delay ?? TimeSpan.Zero)) > Now);

    private static string Describe(TaskRecord t) =>
        string.Join(" | ", t.Plugin, t.Queue, t.Priority, t.State, t.ArgsJson, t.Attempt, t.MaxAttempts, t.RunAt.ToString("O"),
            t.CreatedAt.ToString("O"), t.Timeout, t.Retry, string.Join(",", t.Tags), t.UniqueKey, t.ResultJson, t.LeaseToken, t.Errors.Count, t.TraceContext);
}
