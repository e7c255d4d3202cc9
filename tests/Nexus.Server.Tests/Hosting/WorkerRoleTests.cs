using System.Net;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Hosting;

/// <summary><c>Nexus:Role=worker</c>: the built binary as a worker-only node beside a full server on one store. It runs
/// the tasks the server takes in, answers health and metrics, and nothing else.</summary>
public sealed class WorkerRoleTests
{
    [Fact]
    public async Task AWorkerNode_RunsTasksFromTheSharedStore_AndServesOnlyHealthAndMetrics()
    {
        // The full server takes requests but runs no workers, so every task must be run by the worker process.
        await using var server = await ServerHost.StartAsync(StoreKind.Sqlite, new Dictionary<string, string?> { ["Nexus:RunWorkers"] = "false" });
        var database = Path.Combine(Path.GetDirectoryName(server.ArtifactsRoot)!, "nexus.db");
        await using var worker = ServerProcess.Start("worker-node-1", "--Nexus:Role=worker", "--sqlite", $"Data Source={database}", "--Nexus:PollInterval=00:00:00.200");
        using var node = new HttpClient { BaseAddress = new Uri(await worker.AddressAsync()) };
        using var admin = server.Admin();

        var id = await admin.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"role/story.txt","words":20}}""");
        var task = await admin.WaitForStateAsync(id, "succeeded");
        Assert.Equal("worker-node-1", task.GetProperty("leasedBy").GetString());
        Assert.True(File.Exists(Path.Combine(worker.Folder, "generated", "role", "story.txt")));

        foreach (var path in new[] { "/api/v1/tasks", "/api/v1/whoami", $"/api/v1/tasks/{id}", "/api/v1/workers", "/openapi/v1.json", "/docs" })
        {
            var response = await node.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"GET {path} on a worker node answered {(int)response.StatusCode}, not 404.");
        }
        var submit = await node.PostJsonAsync("/api/v1/tasks", """{"plugin":"text.generate","args":{"filename":"x.txt"}}""");
        Assert.Equal(HttpStatusCode.NotFound, submit.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await node.GetAsync("/healthz")).StatusCode);
        var ready = await (await node.GetAsync("/readyz")).JsonAsync();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        // The worker node counts the attempt it ran (in development mode loopback scrapes need no key).
        var metrics = await node.GetStringAsync("/metrics");
        Assert.Contains("nexus_tasks_succeeded_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("nexus_maintenance_leader", metrics, StringComparison.Ordinal);
        Assert.Contains(worker.Lines, l => l.Contains("Nexus worker node", StringComparison.Ordinal) && l.Contains("health and metrics only", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--Nexus:Role=janitor", "Nexus:Role must be 'server' or 'worker' (was 'janitor').")]
    [InlineData("--Nexus:Role=worker --Nexus:RunWorkers=false", "Nexus:Role is worker but Nexus:RunWorkers is false")]
    public void ABadRole_IsRefusedAtStart_NamingTheSetting(string args, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => NexusServer.Build(args.Split(' ')));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
