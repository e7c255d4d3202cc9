using System.Text.Json;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests.Infrastructure;

/// <summary>Typed clients of a test server, and small helpers for building submissions.</summary>
public static class Clients
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>A client of <paramref name="host"/> with <paramref name="key"/> (default: the bootstrap admin key).</summary>
    public static NexusClient For(ServerHost host, HttpClient http, string? key = ServerHost.BootstrapKey) =>
        new(http, new NexusClientOptions { BaseAddress = host.Address, ApiKey = key });

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static SubmitTaskRequest Story(string file, int words = 20) =>
        new("text.generate", Json($$"""{"filename":"{{file}}","words":{{words}}}"""));

    /// <summary>A task that fails for good at once: a word count of a file that does not exist.</summary>
    public static SubmitTaskRequest Doomed(string tag) =>
        new("text.wordcount", Json("""{"inputFile":"no-such-file.txt"}""")) { MaxAttempts = 1, Tags = [tag] };

    public static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Waits for the task's state with a deadline (the client's own WaitAsync has none).</summary>
    public static async Task<TaskResponse> WaitForAsync(this NexusClient client, long id)
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await client.Tasks.WaitAsync(id, Poll, cts.Token);
    }
}
