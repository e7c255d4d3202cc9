using System.Net;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Observability;

/// <summary><c>GET /metrics</c> after real work on the real server: exact counts by plugin and queue, histogram
/// counts, queue depth from the store, and deny by default.</summary>
public sealed class MetricsEndpointTests
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(50);
    private const string FastRetry = """{"initialDelayMs":10,"multiplier":1,"maxDelayMs":10,"jitter":0}""";

    private static Task<ServerHost> StartAsync(StoreKind store) => ServerHost.StartAsync(
        store,
        new Dictionary<string, string?> { ["Nexus:QueueCountsInterval"] = "00:00:00.100" },
        new ServerHooks { Nexus = n => n.AddPlugin<FlakyPlugin>() });

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Metrics_AfterSuccessRetryDeadAndCancel_CountEachOutcomeByPluginAndQueue(StoreKind store)
    {
        await using var host = await StartAsync(store);
        // A second server in this process, busy with the same plugin and queue on its own store: not counted here.
        await using var other = await StartAsync(StoreKind.Sqlite);
        using var admin = host.Admin();
        using var otherAdmin = other.Admin();
        var queue = "obs-" + Guid.NewGuid().ToString("N")[..8];
        string Flaky(int fail, int maxAttempts, string extra = "") =>
            $$"""{"plugin":"{{FlakyPlugin.Name}}","args":{"failAttempts":{{fail}}},"queue":"{{queue}}","maxAttempts":{{maxAttempts}},"retry":{{FastRetry}}{{extra}}}""";

        await otherAdmin.WaitForStateAsync(await otherAdmin.SubmitAsync(Flaky(fail: 0, maxAttempts: 1)), "succeeded");
        var ok = await admin.SubmitAsync(Flaky(fail: 0, maxAttempts: 1));
        var retried = await admin.SubmitAsync(Flaky(fail: 1, maxAttempts: 3));
        var dead = await admin.SubmitAsync(Flaky(fail: 5, maxAttempts: 2));
        var later = await admin.SubmitAsync(Flaky(fail: 0, maxAttempts: 1, extra: ""","delayMs":3600000"""));
        await admin.WaitForStateAsync(ok, "succeeded");
        Assert.Equal(2, (await admin.WaitForStateAsync(retried, "succeeded")).GetProperty("attempt").GetInt32());
        await admin.WaitForStateAsync(dead, "dead");
        (await admin.PostAsync($"/api/v1/tasks/{later}/cancel", null)).EnsureSuccessStatusCode();

        var labels = new[] { ("plugin", FlakyPlugin.Name), ("queue", queue) };
        // Outcomes are counted once the store accepted them and queue depth is read in the background: wait for both.
        var metrics = await ScrapeUntilAsync(admin, m =>
            m.Value("nexus_tasks_cancelled_total", labels) == 1
            && m.Value("nexus_task_duration_seconds_count", [.. labels, ("outcome", "dead")]) == 1
            && m.Value("nexus_queue_tasks", ("queue", queue), ("state", "cancelled")) == 1);

        Assert.Equal(4, metrics.Value("nexus_tasks_submitted_total", labels));
        Assert.Equal(2, metrics.Value("nexus_tasks_succeeded_total", labels));
        Assert.Equal(2, metrics.Value("nexus_tasks_failed_total", labels)); // attempt 1 of "retried" and of "dead"
        Assert.Equal(2, metrics.Value("nexus_tasks_retried_total", labels)); // their second attempts
        Assert.Equal(1, metrics.Value("nexus_tasks_dead_total", labels));
        Assert.Equal(1, metrics.Value("nexus_tasks_cancelled_total", labels));

        Assert.Equal(2, metrics.Value("nexus_task_duration_seconds_count", [.. labels, ("outcome", "succeeded")]));
        Assert.Equal(2, metrics.Value("nexus_task_duration_seconds_count", [.. labels, ("outcome", "failed")]));
        Assert.Equal(1, metrics.Value("nexus_task_duration_seconds_count", [.. labels, ("outcome", "dead")]));
        Assert.Equal(5, metrics.Value("nexus_task_start_latency_seconds_count", labels));
        Assert.Equal(5, metrics.Value("nexus_task_start_latency_seconds_bucket", [.. labels, ("le", "+Inf")]));

        Assert.Equal(2, metrics.Value("nexus_queue_tasks", ("queue", queue), ("state", "succeeded")));
        Assert.Equal(1, metrics.Value("nexus_queue_tasks", ("queue", queue), ("state", "dead")));
        Assert.Equal(0, metrics.Value("nexus_queue_tasks", ("queue", queue), ("state", "available")));
        Assert.Equal(0, metrics.Value("nexus_queue_tasks", ("queue", queue), ("state", "running")));
        Assert.Null(metrics.Value("nexus_tasks_succeeded_total", ("plugin", FlakyPlugin.Name), ("queue", "default")));
    }

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Metrics_CountExternalWorkersOutcomes_AsTheyCountLocalOnes(StoreKind store)
    {
        await using var host = await StartAsync(store);
        using var admin = host.Admin();
        var worker = new Workers.WorkerClient(admin);
        await worker.RegisterAsync();
        var ok = await worker.SubmitAsync(admin);
        var retried = await worker.SubmitAsync(admin, extra: ""","maxAttempts":2,"retry":{"initialDelayMs":0,"maxDelayMs":0,"jitter":0}""");

        var first = await worker.LeaseAsync(max: 10);
        Assert.Equal(2, first.Count);
        var stale = $$"""{"id":{{ok}},"leaseToken":"{{Guid.NewGuid()}}","outcome":"succeeded","result":1}""";
        await worker.CompleteAsync(string.Join(",",
            stale,
            Workers.WorkerClient.Succeeded(first.Single(t => t.GetProperty("id").GetInt64() == ok), "1"),
            Workers.WorkerClient.Failed(first.Single(t => t.GetProperty("id").GetInt64() == retried), retryable: true)));
        var second = Assert.Single(await worker.LeaseAsync(waitMs: 10_000));
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        await worker.CompleteAsync(Workers.WorkerClient.Failed(second, retryable: true));
        await admin.WaitForStateAsync(retried, "dead");

        var labels = new[] { ("plugin", worker.Echo), ("queue", worker.Queue) };
        var metrics = await ScrapeUntilAsync(admin, m => m.Value("nexus_tasks_dead_total", labels) == 1);

        Assert.Equal(2, metrics.Value("nexus_tasks_submitted_total", labels));
        Assert.Equal(1, metrics.Value("nexus_tasks_succeeded_total", labels)); // not the stale token's
        Assert.Equal(1, metrics.Value("nexus_tasks_failed_total", labels));
        Assert.Equal(1, metrics.Value("nexus_tasks_retried_total", labels));
        Assert.Equal(1, metrics.Value("nexus_tasks_dead_total", labels));
        Assert.Equal(3, metrics.Value("nexus_task_start_latency_seconds_count", labels));
        Assert.Equal(1, metrics.Value("nexus_task_duration_seconds_count", [.. labels, ("outcome", "succeeded")]));
        Assert.Equal(1, metrics.Value("nexus_task_duration_seconds_count", [.. labels, ("outcome", "dead")]));
    }

    [Fact]
    public async Task Metrics_DenyByDefault_ButAnyRoleWithTheReadRightMayScrape()
    {
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite);
        using var anonymous = host.Client();
        await (await anonymous.GetAsync("/metrics")).ProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var wrong = host.Client("nexus_not-a-real-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics")).StatusCode);

        using var admin = host.Admin();
        foreach (var (role, expected) in new[] { ("viewer", HttpStatusCode.OK), ("operator", HttpStatusCode.OK), ("worker", HttpStatusCode.Forbidden) })
        {
            var created = await (await admin.PostJsonAsync("/api/v1/keys", $$"""{"name":"scraper-{{role}}","role":"{{role}}"}""")).JsonAsync(HttpStatusCode.Created);
            using var scraper = host.Client(created.GetProperty("key").GetString());
            var response = await scraper.GetAsync("/metrics");
            Assert.True(response.StatusCode == expected, $"{role}: expected {expected}, got {response.StatusCode}");
            if (expected == HttpStatusCode.OK)
            {
                Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("nexus_workers_busy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Metrics_InDevMode_AreServedToLoopbackWithoutCredentials()
    {
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:Auth:AnonymousLoopback"] = "true" });
        using var anonymous = host.Client();

        var response = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Contains("# TYPE nexus_workers_busy", StringComparison.Ordinal), text);
    }

    private static Task<PrometheusText> ScrapeUntilAsync(HttpClient client, Func<PrometheusText, bool> done) =>
        Eventually.UntilAsync(
            async () =>
            {
                var response = await client.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return new PrometheusText(await response.Content.ReadAsStringAsync());
            },
            done,
            Http.Deadline,
            PollStep,
            "/metrics to reach the expected values",
            metrics => "\n" + metrics.Text);
}
