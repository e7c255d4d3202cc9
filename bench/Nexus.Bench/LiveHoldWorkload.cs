using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Nexus.Bench;

/// <summary>Many held connections: one server process (SQLite), <c>--live-connections</c> WebSocket clients (10,000) on
/// loopback, each subscribed to one state key and held; the server's resident memory (RSS) before and with them, and
/// one change that must reach every one of them (the time from the write to the last delivery).</summary>
internal sealed class LiveHoldWorkload(BenchOptions options)
{
    private const string Key = "bench-live-key-0123456789abcdefghijklmnopqrstuvwxyz";

    public async Task<WorkloadResult> RunAsync()
    {
        var count = options.LiveConnections;
        var folder = Path.Combine(Path.GetTempPath(), "nexus-bench-live", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var environment = new Dictionary<string, string>
        {
            ["Nexus__Store"] = "sqlite",
            ["Nexus__Sqlite"] = $"Data Source={Path.Combine(folder, "live.db")}",
            ["Nexus__ArtifactsRoot"] = Path.Combine(folder, "generated"),
            ["Nexus__Auth__BootstrapKey"] = Key,
            ["Logging__LogLevel__Default"] = "Warning",
            // The harness finds the server's address in its "listening on" line.
            ["Logging__LogLevel__Nexus.Server"] = "Information",
        };
        await using var nodes = await ServerNodes.StartAsync(1, environment);
        var server = nodes.Addresses[0];
        var process = nodes.Processes[0];
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        // One write first so the namespace, the key and the store are warm before the baseline.
        (await http.PutAsync("/api/v1/namespaces/bench/state/k", new StringContent("{\"value\":0}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        process.Refresh();
        var rssBefore = process.WorkingSet64;

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var sockets = new ClientWebSocket[count];
        var readers = new Task[count];
        using var subscribed = new CountdownEvent(count);
        using var changed = new CountdownEvent(count);
        var connecting = Stopwatch.StartNew();
        var uri = new UriBuilder(server) { Scheme = "ws", Path = "/ws" }.Uri;
        var subscribe = Encoding.UTF8.GetBytes("""{"type":"subscribe","sub":"s","namespace":"bench","channels":["state:k"]}""");
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = stop.Token }, async (i, ct) =>
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + Key);
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            await socket.ConnectAsync(uri, ct);
            await socket.SendAsync(subscribe, WebSocketMessageType.Text, true, ct);
            sockets[i] = socket;
            readers[i] = ReadAsync(socket, subscribed, changed, stop.Token);
        });
        subscribed.Wait(stop.Token);
        var connectSeconds = connecting.Elapsed.TotalSeconds;
        // The held connections settle (the server's first-message buffers returned) before the RSS is read.
        await Task.Delay(TimeSpan.FromSeconds(3));
        process.Refresh();
        var rssHeld = process.WorkingSet64;

        var write = Stopwatch.StartNew();
        (await http.PutAsync("/api/v1/namespaces/bench/state/k", new StringContent("{\"value\":1}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var reached = changed.Wait(TimeSpan.FromSeconds(60), stop.Token);
        var fanOutMs = write.Elapsed.TotalMilliseconds;
        process.Refresh();
        var rssAfter = process.WorkingSet64;
        var delivered = count - changed.CurrentCount;
        foreach (var socket in sockets) socket?.Abort();
        foreach (var socket in sockets) socket?.Dispose();
        await Task.WhenAll(readers.Where(r => r is not null)).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        static double Mb(long bytes) => Math.Round(bytes / 1048576.0, 1);
        return new WorkloadResult("sqlite", "live-hold", count, new Dictionary<string, double>
        {
            ["connections"] = count,
            ["connectSeconds"] = Math.Round(connectSeconds, 1),
            ["serverRssBeforeMb"] = Mb(rssBefore),
            ["serverRssHeldMb"] = Mb(rssHeld),
            ["serverRssAfterChangeMb"] = Mb(rssAfter),
            ["serverKbPerConnection"] = Math.Round((rssHeld - rssBefore) / 1024.0 / count, 1),
            ["oneChangeToAllMs"] = reached ? Math.Round(fanOutMs, 1) : double.NaN,
        }, count - delivered, 0);
    }

    private static async Task ReadAsync(ClientWebSocket socket, CountdownEvent subscribed, CountdownEvent changed, CancellationToken stop)
    {
        var buffer = new byte[4096];
        var change = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await socket.ReceiveAsync(buffer, stop);
                if (r.MessageType == WebSocketMessageType.Close) return;
                using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
                switch (doc.RootElement.GetProperty("type").GetString())
                {
                    case "subscribed":
                        subscribed.Signal();
                        break;
                    case "change" when !change:
                        change = true;
                        changed.Signal();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
