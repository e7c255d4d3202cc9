using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Workers;

/// <summary>The example worker of examples/external-worker-node, run by the real <c>node</c> against a real server:
/// it registers, leases, runs and completes tasks, and deregisters on SIGTERM.</summary>
public sealed class NodeExampleWorkerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(50);

    private static string WorkerScript()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Nexus.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var script = Path.Combine(root.FullName, "examples", "external-worker-node", "worker.mjs");
        Assert.True(File.Exists(script), $"The example worker is missing at {script}.");
        return script;
    }

    private static ProcessStartInfo NodeProcess(string script)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        return start;
    }

    [Fact]
    public async Task TheNodeExampleWorker_RunsSubmittedTasks_WithTheExpectedResults_AndDeregistersOnSigterm()
    {
        await using var host = await ServerHost.StartAsync(StoreKind.Sqlite);
        using var admin = host.Admin();
        var key = await WorkerClient.CreateKeyAsync(admin, "worker");
        var start = NodeProcess(WorkerScript());
        start.Environment["NEXUS_URL"] = host.Address.ToString();
        start.Environment["NEXUS_API_KEY"] = key;
        start.Environment["NEXUS_WORKER_ID"] = "node-example";
        start.Environment["NEXUS_CONCURRENCY"] = "4";

        Process worker;
        try
        {
            worker = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"This test runs the example worker with Node.js, but 'node' could not be started ({ex.Message}). Install Node.js 20 or later and put it on PATH.");
            throw;
        }
        using var _ = worker;
        var log = new ConcurrentQueue<string>();
        worker.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        worker.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue("err: " + e.Data); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            await EventuallyAsync(async () => (await admin.GetAsync("/api/v1/plugins/js.sum")).StatusCode == HttpStatusCode.OK, "The worker registering js.sum", log, worker);

            var upper = await admin.SubmitAsync("""{"plugin":"js.uppercase","args":{"text":"hello nexus"}}""");
            var sums = new List<long>();
            for (var i = 1; i <= 5; i++) sums.Add(await admin.SubmitAsync($$"""{"plugin":"js.sum","args":{"numbers":[{{i}},{{i * 10}},100]} }"""));
            var failing = await admin.SubmitAsync("""{"plugin":"js.sum","args":{"numbers":[1],"fail":true}}""");

            var upperDone = await admin.WaitForStateAsync(upper, "succeeded");
            Assert.Equal("HELLO NEXUS", upperDone.GetProperty("result").GetProperty("text").GetString());
            for (var i = 0; i < sums.Count; i++)
            {
                var done = await admin.WaitForStateAsync(sums[i], "succeeded");
                var n = i + 1;
                Assert.Equal(n + (n * 10) + 100, done.GetProperty("result").GetProperty("sum").GetInt32());
                Assert.Equal(3, done.GetProperty("result").GetProperty("count").GetInt32());
            }
            var dead = await admin.WaitForStateAsync(failing, "dead");
            Assert.Equal("asked to fail", dead.GetProperty("errors")[0].GetProperty("message").GetString());
            var nodes = (await (await admin.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray();
            Assert.Contains(nodes, n => n.GetProperty("id").GetString() == "node-example" && n.GetProperty("kind").GetString() == "external");

            using (var term = Process.Start("kill", ["-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            await worker.WaitForExitAsync().WaitAsync(Deadline);
            Assert.Equal(0, worker.ExitCode);
            var after = (await (await admin.GetAsync("/api/v1/nodes")).JsonAsync()).GetProperty("nodes").EnumerateArray();
            Assert.DoesNotContain(after, n => n.GetProperty("id").GetString() == "node-example");
        }
        finally
        {
            if (!worker.HasExited) worker.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Waits for <paramref name="condition"/>; fails at once if the worker exits first, and either way with the
    /// worker's output.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, ConcurrentQueue<string> log, Process worker)
    {
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (worker.HasExited) Assert.Fail($"The worker exited ({worker.ExitCode}) before: {what}. Its output:\n{string.Join('\n', log)}");
                return await condition();
            }, Deadline, PollStep, what);
        }
        catch (TimeoutException timeout)
        {
            Assert.Fail($"{timeout.Message}. Worker output:\n{string.Join('\n', log)}");
        }
    }
}
