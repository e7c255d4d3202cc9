using System.Diagnostics;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using OpenTelemetry.Trace;

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

        var id = await client.SubmitAsync("""{"plugin":"test.flaky","args":{"failAttempts":0}}""");
        await client.WaitForStateAsync(id, "succeeded");

        // Activity sources are process-wide, so both providers may see every span: look at them together, once each.
        var idTag = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Activity? execute = null, submit = null, request = null;
        var until = DateTime.UtcNow + Http.Deadline;
        while (request is null || submit is null || execute is null)
        {
            Activity[] spans;
            lock (submitterSpans)
            {
                lock (workerSpans) spans = [.. submitterSpans.Concat(workerSpans).DistinctBy(s => s.SpanId)];
            }
            execute = spans.FirstOrDefault(s => s.OperationName == "nexus.execute" && s.GetTagItem("nexus.task.id")?.ToString() == idTag);
            submit = spans.FirstOrDefault(s => s.OperationName == "nexus.submit" && s.GetTagItem("nexus.task.id")?.ToString() == idTag);
            request = submit is null ? null : spans.FirstOrDefault(s => s.SpanId == submit.ParentSpanId);
            if (DateTime.UtcNow > until) throw new TimeoutException($"Spans missing: request {request is not null}, submit {submit is not null}, execute {execute is not null}.");
            await Task.Delay(PollStep);
        }

        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("POST", request.GetTagItem("http.request.method"));
        Assert.Equal(ActivityKind.Producer, submit.Kind);
        Assert.Equal(ActivityKind.Consumer, execute.Kind);
        Assert.Equal(request.TraceId, submit.TraceId);
        Assert.Equal(submit.TraceId, execute.TraceId);
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

        var id = await client.SubmitAsync("""{"plugin":"test.flaky","args":{"failAttempts":9},"maxAttempts":1}""");
        await client.WaitForStateAsync(id, "dead");

        var idTag = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Activity? failed = null;
        var until = DateTime.UtcNow + Http.Deadline;
        while (failed is null)
        {
            lock (spans) failed = spans.FirstOrDefault(s => s.OperationName == "nexus.execute" && s.GetTagItem("nexus.task.id")?.ToString() == idTag);
            if (failed is null && DateTime.UtcNow > until) throw new TimeoutException("No execution span.");
            if (failed is null) await Task.Delay(PollStep);
        }
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        var exception = Assert.Single(failed.Events, e => e.Name == "exception");
        Assert.Equal("InvalidOperationException", exception.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal("Dead", failed.GetTagItem("nexus.outcome"));
    }
}
