using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nexus.Server.Tests.Infrastructure;
using Nexus.Storage.Postgres.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Nexus.CrashTests;

/// <summary>A WebSocket client loses nothing across server restarts (issue 15's battery): the built server binary runs as
/// a process on one store; a client subscribed to a state prefix keeps a copy while a writer sets keys; the server is
/// killed with SIGKILL three times, each time while changes flow, and started again on the same store (a new port); the
/// client reconnects with the cursor of the last change it received. Every key's versions arrive one by one (no gap,
/// no duplicate) and at the end the client's copy equals the store.</summary>
public sealed class LiveServerKillTests(ITestOutputHelper output)
{
    private const int Keys = 5, Kills = 3, ChangesBetweenKills = 25;
    private static readonly TimeSpan Deadline = Infrastructure.Eventually.Long;

    [Fact]
    public async Task OneSqliteFile_ServerKilledThreeTimes_TheClientsCopyEqualsTheStore()
    {
        var folder = Directory.CreateTempSubdirectory("nexus-live-kill-").FullName;
        try
        {
            await RunAsync(["--Nexus:Store=sqlite", $"--Nexus:Sqlite=Data Source={Path.Combine(folder, "nexus.db")}"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task OnePostgresSchema_ServerKilledThreeTimes_TheClientsCopyEqualsTheStore()
    {
        var pg = await PostgresTestServer.GetAsync();
        await RunAsync(["--Nexus:Store=postgres", $"--Nexus:Postgres={pg.ConnectionString}", $"--Nexus:PostgresSchema={pg.NewSchema()}"]);
    }

    private async Task RunAsync(string[] store)
    {
        var ns = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var servers = new Servers();
        var server = ServerProcess.Start("live-crash-0", store);
        servers.Up(new Uri(await server.AddressAsync()));
        var client = new Client(ns, servers);
        using var stop = new CancellationTokenSource();
        using var stopWriting = new CancellationTokenSource();
        var reading = Task.Run(() => client.RunAsync(stop.Token));
        Task? writing = null;
        try
        {
            await Until(() => client.Subscribed, "the client to be subscribed");
            writing = Task.Run(() => WriteAsync(ns, servers, stopWriting.Token));
            for (var kill = 1; kill <= Kills; kill++)
            {
                var target = client.Received + ChangesBetweenKills;
                await Until(() => client.Received >= target, $"{target} changes before kill {kill} (received {client.Received})");
                servers.Down();
                server.Process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, whatever was in flight is cut
                await server.DisposeAsync();
                server = ServerProcess.Start($"live-crash-{kill}", store);
                servers.Up(new Uri(await server.AddressAsync()));
                output.WriteLine($"kill {kill}: restarted at {servers.Address} after {client.Received} changes, {client.Connections} connections");
            }
            var last = client.Received + ChangesBetweenKills;
            await Until(() => client.Received >= last, $"{last} changes after the last restart (received {client.Received})");
            await stopWriting.CancelAsync();
            await writing;

            using var http = new HttpClient { BaseAddress = servers.Address };
            var stored = new Dictionary<string, (long Version, string Value)>();
            async Task<bool> CaughtUpAsync()
            {
                // Read again each time: the write the writer gave up on when it stopped may still land.
                var page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/{ns}/state?prefix=k/&limit=1000"))!;
                stored = page["items"]!.AsArray().ToDictionary(i => i!["key"]!.GetValue<string>(), i => (i!["version"]!.GetValue<long>(), i["value"]!.ToJsonString()));
                return stored.Count == Keys && stored.All(s => client.Copy.TryGetValue(s.Key, out var c) && c.Version == s.Value.Version);
            }
            // The client catches up with the last writes, then holds exactly what the store holds.
            await Infrastructure.Eventually.UntilAsync(CaughtUpAsync, Deadline, () => Task.FromResult("the client's copy to reach the store: "
                + string.Join(", ", stored.Select(s => $"{s.Key} store v{s.Value.Version} client v{(client.Copy.TryGetValue(s.Key, out var c) ? c.Version : 0)}"))));
            foreach (var (key, (version, value)) in stored)
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(value), JsonNode.Parse(client.Copy[key].Value)), $"{key} v{version}: store {value}, client {client.Copy[key].Value}");
            }
            Assert.True(client.Faults.IsEmpty, string.Join("\n", client.Faults));
            Assert.True(client.Connections > Kills, $"only {client.Connections} connections for {Kills} kills");
            output.WriteLine($"{client.Received} changes over {client.Connections} connections; store versions {string.Join(", ", stored.Select(s => $"{s.Key}=v{s.Value.Version}"))}");
        }
        finally
        {
            await stopWriting.CancelAsync();
            await stop.CancelAsync();
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (writing is not null) await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await server.DisposeAsync();
        }
    }

    private static Task Until(Func<bool> condition, string what) => Until(condition, () => what);

    private static Task Until(Func<bool> condition, Func<string> what) => Infrastructure.Eventually.UntilAsync(condition, Deadline, what);

    /// <summary>Sets <c>k/0</c>…<c>k/4</c> in turn until stopped; a write the dead server did not answer is tried again on
    /// the next server (it may have been committed: the key then just gets one more version).</summary>
    private static async Task WriteAsync(string ns, Servers servers, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            while (!stop.IsCancellationRequested)
            {
                var address = servers.Address;
                try
                {
                    using var body = new StringContent($$$"""{"value":{"i":{{{i}}}}}""", Encoding.UTF8, "application/json");
                    using var response = await http.PutAsync(new Uri(address, $"/api/v1/namespaces/{ns}/state/k/{i % Keys}"), body, stop);
                    if (response.IsSuccessStatusCode) break;
                    throw new InvalidOperationException($"PUT k/{i % Keys} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(stop)}");
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    await servers.AfterAsync(address, stop);
                }
            }
        }
    }

    /// <summary>Where the server is now; who failed against an address waits here for the next one.</summary>
    private sealed class Servers
    {
        private readonly Lock _gate = new();
        private Uri? _address;
        private TaskCompletionSource _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Uri Address
        {
            get
            {
                lock (_gate) return _address!;
            }
        }

        public void Down()
        {
            lock (_gate) _address = new Uri("http://127.0.0.1:9/"); // nothing listens on the discard port
        }

        public void Up(Uri address)
        {
            TaskCompletionSource restarted;
            lock (_gate)
            {
                _address = address;
                restarted = _restarted;
                _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            restarted.SetResult();
        }

        /// <summary>Returns once the server is at another address than <paramref name="failed"/>, or after a short
        /// pause when it is still there (a failure that was not a kill is tried again).</summary>
        public async Task AfterAsync(Uri failed, CancellationToken stop)
        {
            Task restarted;
            lock (_gate)
            {
                if (_address != failed) return;
                restarted = _restarted.Task;
            }
            await Task.WhenAny(restarted, Task.Delay(TimeSpan.FromMilliseconds(200), stop));
        }
    }

    /// <summary>The WebSocket client: subscribes to <c>state-prefix:k/</c> after its last cursor (from now the first
    /// time), keeps every key's latest version and value, and records a version that is not the next one of its key.</summary>
    private sealed class Client(string ns, Servers servers)
    {
        private int _received, _connections;
        private string? _cursor;

        public System.Collections.Concurrent.ConcurrentDictionary<string, (long Version, string Value)> Copy { get; } = new(StringComparer.Ordinal);
        public System.Collections.Concurrent.ConcurrentQueue<string> Faults { get; } = new();
        public int Received => Volatile.Read(ref _received);
        public int Connections => Volatile.Read(ref _connections);
        public bool Subscribed => Volatile.Read(ref _cursor) is not null;

        public async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var address = servers.Address;
                try
                {
                    await ReadAsync(address, stop);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or TimeoutException && !stop.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                await servers.AfterAsync(address, stop);
            }
        }

        private async Task ReadAsync(Uri address, CancellationToken stop)
        {
            using var socket = new ClientWebSocket();
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                connect.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(new UriBuilder(address) { Scheme = "ws", Path = "/ws" }.Uri, connect.Token);
            }
            Interlocked.Increment(ref _connections);
            var after = _cursor is null ? "" : $",\"after\":\"{_cursor}\"";
            await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"type":"subscribe","sub":"copy","namespace":"{{ns}}","channels":["state-prefix:k/"]{{after}}}"""),
                WebSocketMessageType.Text, true, stop);
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, stop);
                if (read.MessageType == WebSocketMessageType.Close) return;
                message.Write(buffer, 0, read.Count);
                if (!read.EndOfMessage) continue;
                using var doc = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                Handle(doc.RootElement);
            }
        }

        private void Handle(JsonElement m)
        {
            switch (m.GetProperty("type").GetString())
            {
                case "subscribed":
                    Interlocked.CompareExchange(ref _cursor, m.GetProperty("cursor").GetString(), null);
                    return;
                case "change":
                    var key = m.GetProperty("key").GetString()!;
                    var version = m.GetProperty("version").GetInt64();
                    var had = Copy.TryGetValue(key, out var previous) ? previous.Version : 0;
                    if (version != had + 1) Faults.Enqueue($"{key}: v{version} after v{had} ({(version <= had ? "a duplicate" : "a gap")}) at {m.GetProperty("cursor").GetString()}");
                    Copy[key] = (version, m.GetProperty("value").GetRawText());
                    Volatile.Write(ref _cursor, m.GetProperty("cursor").GetString());
                    Interlocked.Increment(ref _received);
                    return;
                case "resync" or "error" or "closing":
                    Faults.Enqueue("unexpected " + m.GetRawText());
                    return;
            }
        }
    }
}
