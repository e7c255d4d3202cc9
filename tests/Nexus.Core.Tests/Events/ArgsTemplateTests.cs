using System.Text.Json;
using Nexus.Events;

namespace Nexus.Core.Tests.Events;

public sealed class ArgsTemplateTests
{
    private static readonly EventRecord Order = new()
    {
        Position = 42,
        Cursor = new LogCursor(0, 42),
        Namespace = "shop",
        Topic = "orders.created",
        Priority = EventPriority.High,
        Key = "order-7",
        Headers = new Dictionary<string, string> { ["source"] = "web" },
        PayloadJson = """{"order":{"id":7,"lines":[{"sku":"a-1"}]},"total":99.5}""",
        Time = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public void WholeStringPlaceholders_BecomeTheValue_AndInlineOnesItsText()
    {
        var args = ArgsTemplate.Render(
            """{"id":"{{payload.order.id}}","sku":"{{ payload.order.lines.0.sku }}","note":"order {{key}} from {{headers.source}} at #{{position}}","missing":"{{payload.nope}}","fixed":[1,"x"]}""",
            EventDocument.Json(Order));

        var root = JsonDocument.Parse(args).RootElement;
        Assert.Equal(7, root.GetProperty("id").GetInt32());
        Assert.Equal("a-1", root.GetProperty("sku").GetString());
        Assert.Equal("order order-7 from web at #42", root.GetProperty("note").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("missing").ValueKind);
        Assert.Equal("[1,\"x\"]", root.GetProperty("fixed").GetRawText());
    }

    [Fact]
    public void NoTemplate_PassesAnObjectPayload_AndWrapsAnyOther()
    {
        Assert.Equal(Order.PayloadJson, ArgsTemplate.Render(null, EventDocument.Json(Order)));
        Assert.Equal("""{"payload":[1,2]}""", ArgsTemplate.Render(null, EventDocument.Json(Order with { PayloadJson = "[1,2]" })));
    }

    [Theory]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{", "not valid JSON")]
    public void BadTemplates_AreRefusedNamingTheField(string template, string problem)
    {
        var ex = Assert.Throws<TaskValidationException>(() => ArgsTemplate.Validate(template));
        Assert.Equal("argsTemplate", ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TheEventDocument_ReadsBackAsTheEvent()
    {
        using var doc = JsonDocument.Parse(EventDocument.Json(Order));
        var back = EventDocument.Parse(doc.RootElement);

        Assert.Equal((Order.Position, Order.Topic, Order.Key, Order.Priority, Order.Time, Order.Namespace), (back.Position, back.Topic, back.Key, back.Priority, back.Time, back.Namespace));
        Assert.Equal("web", back.Headers["source"]);
        Assert.Equal(99.5, JsonDocument.Parse(back.PayloadJson).RootElement.GetProperty("total").GetDouble());
    }

    [Theory]
    [InlineData("0-42", 0L, 42L)]
    [InlineData("981-7", 981L, 7L)]
    [InlineData("42", 0L, 42L)]
    public void Cursors_RoundTripTheirTokenForm(string text, long tx, long position)
    {
        Assert.True(LogCursor.TryParse(text, out var cursor));
        Assert.Equal(new LogCursor(tx, position), cursor);
        Assert.True(LogCursor.TryParse(cursor.ToString(), out var again));
        Assert.Equal(cursor, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a-1")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("1-2-3")]
    public void Cursors_RefuseOtherText(string text) => Assert.False(LogCursor.TryParse(text, out _));
}
