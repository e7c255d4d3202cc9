using System.Net;
using System.Net.Sockets;
using System.Text;
using Nexus.Client.Tests.Infrastructure;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Client.Tests;

/// <summary>What the client does when there is no server, when something other than Nexus answers, and when the
/// caller cancels.</summary>
public sealed class FailureTests(SqliteServer fixture) : IClassFixture<SqliteServer>
{
    [Fact]
    public async Task AClosedPort_ThrowsAnUnreachableConnectionException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port that was free a moment ago and has no listener now
        using var http = new HttpClient();
        var client = new NexusClient(http, new NexusClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}") });

        var ex = await Assert.ThrowsAsync<NexusConnectionException>(() => client.HealthAsync());

        Assert.True(ex.IsUnreachable);
        Assert.Null(ex.StatusCode);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHtmlErrorPage_ThrowsAConnectionExceptionWithTheStatusAndAnExcerpt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answered = AnswerOnceAsync(listener, "502 Bad Gateway", "text/html", "<html><body>proxy says no</body></html>");
        using var http = new HttpClient();
        var client = new NexusClient(http, new NexusClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}") });

        var ex = await Assert.ThrowsAsync<NexusConnectionException>(() => client.Tasks.GetAsync(1));
        await answered;

        Assert.False(ex.IsUnreachable);
        Assert.Equal(502, ex.StatusCode);
        Assert.Contains("text/html", ex.Message, StringComparison.Ordinal);
        Assert.Contains("proxy says no", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASuccessWithAForeignBody_ThrowsAConnectionExceptionNamingTheExpectedModel()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var answered = AnswerOnceAsync(listener, "200 OK", "text/plain", "hello");
        using var http = new HttpClient();
        var client = new NexusClient(http, new NexusClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}") });

        var ex = await Assert.ThrowsAsync<NexusConnectionException>(() => client.Tasks.GetAsync(1));
        await answered;

        Assert.False(ex.IsUnreachable);
        Assert.Contains(nameof(TaskResponse), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_ARequestInFlight_ThrowsOperationCanceled_NotAConnectionError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new HttpClient();
        var client = new NexusClient(http, new NexusClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
        using var cts = new CancellationTokenSource();

        var call = client.Tasks.GetAsync(1, cts.Token);
        // The request has reached a server that will never answer: only the caller's token can end the call.
        using var socket = await listener.AcceptTcpClientAsync().WaitAsync(Clients.Deadline);
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task Cancelling_AWaitForATaskThatNeverFinishes_ThrowsOperationCanceled()
    {
        using var http = new HttpClient();
        var client = Clients.For(fixture.Host, http);
        var id = (await client.Tasks.SubmitAsync(Clients.Story("client/later.txt") with { Delay = "1h" })).Id;
        using var cts = new CancellationTokenSource();

        var wait = client.Tasks.WaitAsync(id, Clients.Poll, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(TaskStates.Scheduled, (await client.Tasks.GetAsync(id)).State);
    }

    /// <summary>A one-shot HTTP/1.1 responder on a real socket: reads the request head, writes the given answer.</summary>
    private static async Task AnswerOnceAsync(TcpListener listener, string status, string contentType, string body)
    {
        using var socket = await listener.AcceptTcpClientAsync();
        var stream = socket.GetStream();
        var buffer = new byte[8192];
        var head = new StringBuilder();
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer);
            if (n == 0) break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        var answer = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }
}
