using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Testing;

namespace Nexus.Server.Tests.Observability;

/// <summary>The built server with <c>Nexus:Logging:Json=true</c>: every line written while a task runs, the plugin's
/// own and the engine's, carries TaskId, Plugin, Queue, Attempt and TraceId.</summary>
public sealed class JsonLogTests
{
    private static readonly TimeSpan PollStep = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task JsonLogs_OfARunningTask_CarryTaskIdPluginQueueAttemptAndTraceId()
    {
        await using var server = ServerProcess.Start("json-log-test", "--Nexus:Logging:Json=true");
        var lines = server.Lines;
        using var client = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };
        var ok = await client.SubmitAsync("""{"plugin":"text.generate","args":{"filename":"logs/story.txt","words":20},"queue":"logq"}""");
        var dead = await client.SubmitAsync("""{"plugin":"text.wordcount","args":{"inputFile":"logs/missing.txt"},"queue":"logq"}""");
        await client.WaitForStateAsync(ok, "succeeded");
        await client.WaitForStateAsync(dead, "dead");

        var pluginLine = await FindAsync(lines, l => l.GetProperty("Category").GetString() == "Nexus.Task.text.generate" && l.GetProperty("Message").GetString()!.StartsWith("Wrote 20 words", StringComparison.Ordinal));
        var engineLine = await FindAsync(lines, l => l.GetProperty("Category").GetString() == "Nexus.Attempts" && l.GetProperty("Message").GetString()!.Contains($"Task {dead} ", StringComparison.Ordinal));

        AssertTaskScope(pluginLine, ok, "text.generate");
        AssertTaskScope(engineLine, dead, "text.wordcount");
    }

    private static void AssertTaskScope(JsonElement line, long id, string plugin)
    {
        var scope = line.GetProperty("Scopes").EnumerateArray().Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TaskId", out _));
        Assert.Equal(id, scope.GetProperty("TaskId").GetInt64());
        Assert.Equal(plugin, scope.GetProperty("Plugin").GetString());
        Assert.Equal("logq", scope.GetProperty("Queue").GetString());
        Assert.Equal(1, scope.GetProperty("Attempt").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", scope.GetProperty("TraceId").GetString());
    }

    private static async Task<JsonElement> FindAsync(System.Collections.Concurrent.ConcurrentQueue<string> lines, Func<JsonElement, bool> match)
    {
        var found = await Eventually.UntilAsync(
            () =>
            {
                foreach (var text in lines)
                {
                    if (!text.StartsWith('{')) continue;
                    using var document = JsonDocument.Parse(text);
                    var line = document.RootElement;
                    if (line.TryGetProperty("Category", out _) && line.TryGetProperty("Message", out _) && match(line)) return Task.FromResult<JsonElement?>(line.Clone());
                }
                return Task.FromResult<JsonElement?>(null);
            },
            line => line is not null,
            Http.Deadline,
            PollStep,
            "such a log line",
            _ => "the log lines:\n" + string.Join('\n', lines));
        return found!.Value;
    }

}
