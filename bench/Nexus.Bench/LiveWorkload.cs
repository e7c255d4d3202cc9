using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Nexus.Bench;

/// <summary>Change → client latency over /ws: one server process (SQLite), <c>--live-subscribers</c> WebSocket clients
/// (200) subscribed to one state key, <c>--live-writes</c> writes (300) through HTTP by <c>--live-writers</c> writers (1),
/// one after another or paced at <c>--live-rate</c> writes/s, each carrying its send time; every client measures when the change reaches it. The server's CPU time from the first write to the
/// last delivery, per change, is the fan-out's cost (the clients run in this process, not the server's).</summary>
internal sealed class LiveWorkload(BenchOptions options)
{
    private int Subscribers => options.LiveSubscribers;
    private int Writes => options.LiveWrites;
    private const string Key = "bench-live-key-0123456789abcdefghijklmnopqrstuvwxyz";

    public async Task<WorkloadResult> RunAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-bench-live", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var environment = new Dictionary<string, string>
        {
            ["Nexus__Store"] = "sqlite",
            ["Nexus__Sqlite"] = $"Data Source={Path.Combine(folder, "live.db")}",
            ["Nexus__ArtifactsRoot"] = Path.Combine(folder, "generated"),
            ["Nexus__Auth__BootstrapKey"] = Key,
            ["Nexus__Live__BufferSize"] = "10000",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Nexus.Server"] = "Information",
        };
        await using var nodes = await ServerNodes.StartAsync(1, environment);
        var server = nodes.Addresses[0];
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);

        var latencies = new ConcurrentBag<double>();
        var received = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var sockets = new List<ClientWebSocket>();
        var readers = new List<Task>();
        for (var i = 0; i < Subscribers; i++)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Authorization", "Bearer " + Key);
            await socket.ConnectAsync(new UriBuilder(server) { Scheme = "ws", Path = "/ws" }.Uri, stop.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"subscribe","sub":"s","namespace":"bench","channels":["state:k"]}"""), WebSocketMessageType.Text, true, stop.Token);
            sockets.Add(socket);
        }
        using var subscribed = new CountdownEvent(Subscribers);
        foreach (var socket in sockets)
        {
            readers.Add(Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                var mine = 0;
                while (mine < Writes && !stop.IsCancellationRequested)
                {
                    var r = await socket.ReceiveAsync(buffer, stop.Token);
                    if (r.MessageType == WebSocketMessageType.Close) return;
                    var now = Stopwatch.GetTimestamp();
                    using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
                    var type = doc.RootElement.GetProperty("type").GetString();
                    if (type == "subscribed") subscribed.Signal();
                    if (type != "change") continue;
                    var sent = doc.RootElement.GetProperty("value").GetProperty("t").GetInt64();
                    latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                    Interlocked.Increment(ref received);
                    mine++;
                }
            }));
        }
        subscribed.Wait(stop.Token);

        var cpuBefore = nodes.CpuTime();
        var sw = Stopwatch.StartNew();
        // --live-writers writers share the writes; with --live-rate, write i is due i/rate seconds after the start
        // (a writer behind schedule sends at once), otherwise each writer sends its next write when the last is answered.
        var next = -1;
        var writers = Enumerable.Range(0, options.LiveWriters).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var i && i < Writes)
            {
                if (options.LiveRate > 0 && TimeSpan.FromSeconds((double)i / options.LiveRate) - sw.Elapsed is var due && due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, stop.Token);
                }
                var body = "{\"value\":{\"t\":" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + "}}";
                using var response = await http.PutAsync("/api/v1/namespaces/bench/state/k", new StringContent(body, Encoding.UTF8, "application/json"), stop.Token);
                response.EnsureSuccessStatusCode();
            }
        })).ToList();
        await Task.WhenAll(writers);
        var writeRate = Writes / sw.Elapsed.TotalSeconds;
        await Task.WhenAll(readers).WaitAsync(stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var elapsed = sw.Elapsed.TotalSeconds;
        var serverCpu = nodes.CpuTime() - cpuBefore;
        foreach (var socket in sockets) socket.Abort();
        foreach (var socket in sockets) socket.Dispose();

        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 2);
        var expected = Subscribers * Writes;
        return new WorkloadResult("sqlite", "live", Writes, new Dictionary<string, double>
        {
            ["subscribers"] = Subscribers,
            ["writers"] = options.LiveWriters,
            ["targetRate"] = options.LiveRate,
            ["writesPerSec"] = Math.Round(writeRate),
            ["deliveredPerSec"] = Math.Round(received / elapsed),
            ["latencyP50Ms"] = P(0.50),
            ["latencyP99Ms"] = P(0.99),
            ["serverCpuMsPerChange"] = Math.Round(serverCpu.TotalMilliseconds / Writes, 2),
        }, Math.Max(0, expected - received), Math.Max(0, received - expected));
    }
}
