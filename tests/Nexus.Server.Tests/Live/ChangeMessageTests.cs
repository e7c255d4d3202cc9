using System.Buffers;
using System.Text;
using System.Text.Json;
using Nexus.Events;
using Nexus.Live;
using Nexus.Server.Live;

namespace Nexus.Server.Tests.Live;

/// <summary>The <c>change</c> message spliced from the parts every subscriber shares (<see cref="ChangeParts"/>, formatted
/// once per change) and one subscriber's <c>sub</c> and channels: byte for byte the message written whole, for every
/// kind, with names that need escaping; the parts are formatted once however many subscribers receive the change.</summary>
public sealed class ChangeMessageTests
{
    private static int _position;

    private static LiveChange Change(string topic, string payload, string? key = null)
    {
        var position = Interlocked.Increment(ref _position);
        return LiveChange.From(new EventRecord
        {
            Position = position,
            Cursor = new LogCursor(7, position),
            Namespace = "shop",
            Topic = topic,
            Key = key,
            PayloadJson = payload,
            Time = new DateTimeOffset(2026, 12, 2, 14, 0, 0, TimeSpan.FromHours(1)),
        });
    }

    public static TheoryData<string, string, string?> Changes() => new()
    {
        { "$state.carts.42", """{"kind":"state","op":"updated","version":3,"key":"carts/42","value":{"n":"é\"<x>","items":[1,2]}}""", "carts/42" },
        { "$state.carts.43", """{"kind":"state","op":"deleted","version":4,"key":"carts/43","expired":true}""", "carts/43" },
        { "$docs.shop.orders.o-1", """{"kind":"document","op":"created","version":1,"model":"orders","id":"o-1","document":{"priority":"high"}}""", "orders/o-1" },
        { "$docs.shop.orders.o-1", """{"kind":"document","op":"updated","version":2,"model":"orders","id":"o-1","patch":[{"op":"replace","path":"/p","value":1}],"document":{"p":1}}""", "orders/o-1" },
        { "$docs.shop.orders.o-1", """{"kind":"document","op":"deleted","version":3,"model":"orders","id":"o-1"}""", "orders/o-1" },
        { "orders.paid", """{"amount":12.5,"note":"a\nb"}""", null },
        { "orders.paid", """[]""", "k" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void TheSplicedMessage_IsTheMessageWrittenWhole(string topic, string payload, string? key)
    {
        var change = Change(topic, payload, key);
        foreach (var (sub, channels) in new[] { ("s1", new[] { "docs:orders" }), ("a \"quoted\" <sub>", new[] { "state-prefix:carts/", "events:orders.>", "état:ü" }) })
        {
            var delivery = new LiveDelivery(sub, "shop", change, channels);
            var spliced = Encoding.UTF8.GetString(LiveMessages.Change(delivery));
            Assert.Equal(WrittenWhole(delivery), spliced);
            using var parsed = JsonDocument.Parse(spliced);
            Assert.Equal(sub, parsed.RootElement.GetProperty("sub").GetString());
            Assert.Equal(channels, parsed.RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetString()!));
        }
    }

    [Fact]
    public void ThePartsOfAChange_AreFormattedOnce_ForEverySubscriber()
    {
        var change = Change("$state.k", """{"kind":"state","op":"created","version":1,"key":"k","value":1}""", "k");
        var first = ChangeParts.Of(change, "shop");
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Same(first, ChangeParts.Of(change, "shop")));
        Assert.Equal(change.Cursor.ToString(), first.Cursor);
        // Another change has its own.
        Assert.NotSame(first, ChangeParts.Of(Change("$state.k", """{"kind":"state","op":"updated","version":2,"key":"k","value":2}""", "k"), "shop"));
    }

    /// <summary>The message as one writer writes it (the formatting before the shared parts).</summary>
    private static string WrittenWhole(LiveDelivery d)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            var c = d.Change;
            w.WriteStartObject();
            w.WriteString("type", "change");
            w.WriteString("sub", d.SubscriptionId);
            w.WriteString("namespace", d.Namespace);
            w.WriteString("cursor", c.Cursor.ToString());
            w.WriteNumber("position", c.Event.Position);
            w.WriteStartArray("channels");
            foreach (var channel in d.Channels) w.WriteStringValue(channel);
            w.WriteEndArray();
            w.WriteString("time", c.Event.Time);
            LiveMessages.WriteBody(w, c);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
