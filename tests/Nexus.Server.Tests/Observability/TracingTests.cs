using System.Diagnostics;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using OpenTelemetry.Trace;
using Nexus.Testing;

namespace Nexus.Server.Tests.Observability;

/// <summary>A trace started by an HTTP submit on one node continues in the execution span on another node that shares
/// the store: the trace context travels with the task.</summary>
public sealed class TracingTests
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(20);

    [Theory]
    [InlineData(StoreKind.Sqlite)]
    [InlineData(StoreKind.Postgres)]
    public async Task Trace_SubmittedOverHttpOnOneNode_ContinuesInTheExecutionSpanOnAnother(StoreKind store)
    {
        var shared = new Dictionary<string, string?>();
        if (store == StoreKind.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "nexus-trace-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            shared["Nexus:Sqlite"] = $"Data Source={Path.Combine(folder, "shared.db")}";
        }
        else
        {
            shared["Nexus:PostgresSchema"] = (await PostgresTestServer.GetAsync()).NewSchema();
        }
        var submitterSpans = new List<Activity>();
        var workerSpans = new List<Activity>();
        await using var submitter = await ServerHost.StartAsync(store,
            new Dictionary<string, string?>(shared) { ["Nexus:RunWorkers"] = "false", ["Nexus:NodeId"] = "submit-node" },
            new ServerHooks { Nexus = n => n.AddPlugin<FlakyPlugin>(), Tracing = t => t.AddInMemoryExporter(submitterSpans) });
        await using var worker = await ServerHost.StartAsync(store,
            new Dictionary<string, string?>(shared) { ["Nexus:NodeId"] = "worker-node" },
            new ServerHooks { Nexus = n => n.AddPlugin<FlakyPlugin>(), Tracing = t => t.AddInMemoryExporter(workerSpans) });
        using var client = submitter.Admin();

        // The caller's own trace: spans of other servers in this process (sources are process-wide) are told apart by it.
        var trace = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        var id = await SubmitTracedAsync(client, """{"plugin":"test.flaky","args":{"failAttempts":0}}""", trace, callerSpan);
        await client.WaitForStateAsync(id, "succeeded");

        var idTag = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var spans = await SpansAsync([submitterSpans, workerSpans], trace, found =>
            found.Any(s => s.OperationName == "nexus.execute") && found.Any(s => s.OperationName == "nexus.submit") && found.Any(s => s.Kind == ActivityKind.Server));
        var request = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        var submit = Assert.Single(spans, s => s.OperationName == "nexus.submit");
        var execute = Assert.Single(spans, s => s.OperationName == "nexus.execute");

        Assert.Equal(callerSpan, request.ParentSpanId);
        Assert.Equal(request.SpanId, submit.ParentSpanId);
        Assert.Equal(idTag, submit.GetTagItem("nexus.task.id")?.ToString());
        Assert.Equal(idTag, execute.GetTagItem("nexus.task.id")?.ToString());
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("POST", request.GetTagItem("http.request.method"));
        Assert.Equal(ActivityKind.Producer, submit.Kind);
        Assert.Equal(ActivityKind.Consumer, execute.Kind);
        Assert.Equal(trace, execute.TraceId);
        Assert.Equal(submit.SpanId, execute.ParentSpanId);
        Assert.Equal("worker-node", execute.GetTagItem("nexus.node"));
        Assert.Equal(FlakyPlugin.Name, execute.GetTagItem("nexus.plugin"));
        Assert.Equal("default", execute.GetTagItem("nexus.queue"));
        Assert.Equal(1, execute.GetTagItem("nexus.attempt"));
        Assert.Equal(ActivityStatusCode.Unset, execute.Status);
    }

    [Fact]
    public async Task Trace_OfAFailedAttempt_HasErrorStatusAndAnExceptionEvent()
    {
        var spans = new List<Activity>();
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite, null,
            new ServerHooks { Nexus = n => n.AddPlugin<FlakyPlugin>(), Tracing = t => t.AddInMemoryExporter(spans) });
        using var client = host.Admin();

        var trace = ActivityTraceId.CreateRandom();
        var id = await SubmitTracedAsync(client, """{"plugin":"test.flaky","args":{"failAttempts":9},"maxAttempts":1}""", trace, ActivitySpanId.CreateRandom());
        await client.WaitForStateAsync(id, "dead");

        var failed = Assert.Single(await SpansAsync([spans], trace, found => found.Any(s => s.OperationName == "nexus.execute")), s => s.OperationName == "nexus.execute");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        var exception = Assert.Single(failed.Events, e => e.Name == "exception");
        Assert.Equal("InvalidOperationException", exception.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal("Dead", failed.GetTagItem("nexus.outcome"));
    }

    private static async Task<long> SubmitTracedAsync(HttpClient client, string json, ActivityTraceId trace, ActivitySpanId parent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{parent.ToHexString()}-01");
        var response = await client.SendAsync(request);
        return (await response.JsonAsync(System.Net.HttpStatusCode.Created)).GetProperty("id").GetInt64();
    }

    /// <summary>The spans of <paramref name="trace"/> that the exporters got, each once, once <paramref name="complete"/> holds.</summary>
    private static Task<Activity[]> SpansAsync(List<Activity>[] exported, ActivityTraceId trace, Func<Activity[], bool> complete) =>
        Eventually.UntilAsync(
            () =>
            {
                var found = new List<Activity>();
                // The exporter adds without a lock we could share; ToArray copies without enumerating, so it never throws.
                foreach (var list in exported) found.AddRange(list.ToArray().Where(s => s is not null && s.TraceId == trace));
                return Task.FromResult(found.DistinctBy(s => s.SpanId).ToArray());
            },
            complete,
            Http.Deadline,
            PollStep,
            $"the spans of trace {trace}",
            spans => string.Join(", ", spans.Select(s => s.OperationName)));
}
