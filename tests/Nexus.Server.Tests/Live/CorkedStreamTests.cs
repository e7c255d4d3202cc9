using System.Net.WebSockets;
using System.Text;
using Nexus.Server.Live;

namespace Nexus.Server.Tests.Live;

/// <summary>The corked stream under the <c>/ws</c> sender: while corked, the WebSocket's messages gather and reach the
/// connection in one write on uncork, each still its own message, in order; uncorked writes go straight through.</summary>
public sealed class CorkedStreamTests
{
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            base.Write(buffer);
        }
    }

    [Fact]
    public async Task CorkedMessages_LeaveInOneWrite_InOrder_AndUncorkedWritesPassThrough()
    {
        var wire = new CountingStream();
        var corked = new CorkedStream(wire);
        using var server = WebSocket.CreateFromStream(corked, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        await corked.CorkAsync(CancellationToken.None);
        foreach (var text in new[] { "{\"n\":1}", "{\"n\":2}", "{\"n\":3}" })
        {
            await server.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        Assert.Equal(0, wire.Writes);
        Assert.True(corked.Corked > 0);
        await corked.UncorkAsync(CancellationToken.None);
        Assert.Equal(1, wire.Writes);
        Assert.Equal(0, corked.Corked);

        await server.SendAsync(Encoding.UTF8.GetBytes("{\"n\":4}"), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal(2, wire.Writes);

        using var client = WebSocket.CreateFromStream(new MemoryStream(wire.ToArray()), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var buffer = new byte[256];
        var received = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var r = await client.ReceiveAsync(buffer, CancellationToken.None);
            Assert.True(r.EndOfMessage);
            Assert.Equal(WebSocketMessageType.Text, r.MessageType);
            received.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"], received);
    }
}
