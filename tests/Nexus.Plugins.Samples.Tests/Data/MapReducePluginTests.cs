using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nexus.Plugins.Samples.Tests.Data;

public sealed partial class MapReducePluginTests : IDisposable
{
    private readonly TempArtifacts _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed record Sale(int Id, string Category, int? Price, int Qty);

    private ValueTask<MapReduceResult> Run(MapReduceArgs args, CancellationToken ct = default) =>
        new MapReducePlugin(_dir.Options).ExecuteAsync(args, _dir.Context("data.mapreduce", ct));

    /// <summary>1000 sales; every 10th has no price and every 15th a null one. Prices are whole, so sums are exact.</summary>
    private List<Sale> WriteSales(string relative)
    {
        var random = new Random(5);
        string[] categories = ["food", "books", "tools", "toys"];
        var sales = Enumerable.Range(0, 1000).Select(i => new Sale(i, categories[random.Next(4)], i % 15 == 0 ? null : random.Next(1, 1000), random.Next(1, 9))).ToList();
        var array = new JsonArray();
        foreach (var s in sales)
        {
            var record = new JsonObject { ["id"] = s.Id, ["category"] = s.Category, ["order"] = new JsonObject { ["qty"] = s.Qty } };
            if (s.Id % 10 != 0) record["price"] = s.Price is { } p ? JsonValue.Create(p) : null;
            array.Add(record);
        }
        _dir.Write(relative, array.ToJsonString());
        return sales;
    }

    private static IEnumerable<int> PricesOf(List<Sale> sales) => sales.Where(s => s.Id % 10 != 0 && s.Price is not null).Select(s => s.Price!.Value);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public async Task Sum_OfAJsonField_MatchesLinq_WhateverTheWorkers(int workers)
    {
        var sales = WriteSales("in/sales.json");

        var result = await Run(new MapReduceArgs("in/sales.json", "out/sum.json", MapReduceOperation.Sum, Field: "price", Workers: workers));

        Assert.Equal(PricesOf(sales).Sum(), result.Sum);
        Assert.Equal(PricesOf(sales).Count(), result.Count);
        Assert.Equal(sales.Count - PricesOf(sales).Count(), result.Skipped);
        Assert.Equal(1000, result.Records);
        Assert.Equal("json", result.InputKind);
        Assert.Equal(Math.Min(1000, workers * 4), result.Chunks);
        Assert.Null(result.Words);
        Assert.Null(result.Groups);
    }

    [Fact]
    public async Task Avg_OfANestedField_MatchesLinq()
    {
        var sales = WriteSales("sales.json");

        var result = await Run(new MapReduceArgs("sales.json", "avg.json", MapReduceOperation.Avg, Field: "order.qty", Workers: 8));

        Assert.Equal(sales.Average(s => s.Qty), result.Average!.Value, 9);
        Assert.Equal(1000, result.Count);
        Assert.Equal(0, result.Skipped);
    }

    [Fact]
    public async Task GroupBy_WithAField_MatchesLinqGroups()
    {
        var sales = WriteSales("sales.json");

        var result = await Run(new MapReduceArgs("sales.json", "groups.json", MapReduceOperation.GroupBy, Field: "price", Key: "category", Workers: 4));

        var expected = sales.GroupBy(s => s.Category)
            .Select(g =>
            {
                var prices = PricesOf([.. g]).ToList();
                return new GroupSummary(g.Key, g.Count(), prices.Sum(), prices.Average());
            })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected.Count, result.GroupCount);
        Assert.Equal(expected.Select(g => (g.Key, g.Count, g.Sum)), result.Groups!.Select(g => (g.Key, g.Count, g.Sum)));
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i].Average!.Value, result.Groups![i].Average!.Value, 9);
    }

    [Fact]
    public async Task GroupBy_NonStringKeys_UseTheirJsonText_AndMissingKeysAreSkipped()
    {
        _dir.Write("k.json", """[{"k":1},{"k":1},{"k":true},{"k":null},{"other":2},{"k":"1"}]""");

        var result = await Run(new MapReduceArgs("k.json", "k-out.json", MapReduceOperation.GroupBy, Key: "k"));

        Assert.Equal([("1", 3L), ("null", 1L), ("true", 1L)], result.Groups!.Select(g => (g.Key, g.Count)));
        Assert.Equal(1, result.Skipped);
        Assert.All(result.Groups!, g => Assert.Null(g.Sum));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task WordCount_OfPlainText_MatchesAReferenceCount(int workers)
    {
        var random = new Random(11);
        string[] vocabulary = ["Alpha", "beta", "GAMMA", "don't", "'tis", "x-ray", "42", "naïve", "end."];
        var text = string.Join("", Enumerable.Range(0, 20_000).Select(_ => vocabulary[random.Next(vocabulary.Length)] + (random.Next(8) == 0 ? "\n" : " ")));
        _dir.Write("words.txt", text);

        var result = await Run(new MapReduceArgs("words.txt", "wc.json", Workers: workers));

        var reference = WordPattern().Matches(text).Select(m => m.Value.Trim('\'').ToLowerInvariant()).Where(w => w.Length > 0)
            .GroupBy(w => w).Select(g => (g.Key, (long)g.Count()))
            .OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(reference.Sum(p => p.Item2), result.TotalWords);
        Assert.Equal(reference.Count, result.UniqueWords);
        Assert.Equal(reference, result.Words!.Select(w => (w.Word, w.Count)));
        Assert.Equal("text", result.InputKind);
        Assert.Equal(text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1), result.Records);
        if (workers > 1) Assert.True(result.Chunks > 1, "a 150 KB text should be split into several chunks");
    }

    [GeneratedRegex(@"[\p{L}\p{Nd}']+")]
    private static partial Regex WordPattern();

    [Fact]
    public async Task WordCount_OfOneJsonField_CountsOnlyItsStrings()
    {
        _dir.Write("posts.json", """[{"title":"Hello world","body":"ignored words"},{"title":"hello again","tags":["x"]},{"body":"no title"}]""");

        var result = await Run(new MapReduceArgs("posts.json", "wc.json", Field: "title"));

        Assert.Equal([("hello", 2L), ("again", 1L), ("world", 1L)], result.Words!.Select(w => (w.Word, w.Count)));
        Assert.Equal(3, result.Records);
    }

    [Fact]
    public async Task Sum_OfPlainTextLines_AddsOneNumberPerLine_IgnoringBlankLines()
    {
        _dir.Write("n.txt", "1.5\n2\n\n  -0.5 \n1e2\n");

        var result = await Run(new MapReduceArgs("n.txt", "n.json", MapReduceOperation.Sum));

        Assert.Equal(103, result.Sum);
        Assert.Equal(4, result.Count);
    }

    [Fact]
    public async Task OutputFile_HoldsTheReturnedResult()
    {
        WriteSales("sales.json");

        var result = await Run(new MapReduceArgs("sales.json", "deep/out/result.json", MapReduceOperation.GroupBy, Key: "category"));

        var written = JsonSerializer.Deserialize<MapReduceResult>(File.ReadAllText(_dir.At("deep/out/result.json")), NexusJson.Options)!;
        Assert.Equal(JsonSerializer.Serialize(result, NexusJson.Options), JsonSerializer.Serialize(written, NexusJson.Options));
        Assert.Equal("deep/out/result.json", result.OutputFile);
        Assert.Contains("\"operation\": \"groupby\"", File.ReadAllText(_dir.At("deep/out/result.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReturnedLists_AreCutToMaxResultEntries_TheFileHasThemAll()
    {
        _dir.Settings.MaxResultEntries = 2;
        _dir.Write("t.txt", "a a a b b c d");

        var result = await Run(new MapReduceArgs("t.txt", "t.json"));

        Assert.True(result.Truncated);
        Assert.Equal([("a", 3L), ("b", 2L)], result.Words!.Select(w => (w.Word, w.Count)));
        var written = JsonSerializer.Deserialize<MapReduceResult>(File.ReadAllText(_dir.At("t.json")), NexusJson.Options)!;
        Assert.False(written.Truncated);
        Assert.Equal(4, written.Words!.Count);
    }

    [Fact]
    public async Task ReportsProgressPerChunk()
    {
        WriteSales("sales.json");

        var result = await Run(new MapReduceArgs("sales.json", "s.json", MapReduceOperation.Sum, Field: "price", Workers: 2));

        _dir.AssertProgressCompleted();
        Assert.Equal(result.Chunks, _dir.Progress.Count(p => p.Message?.StartsWith("mapped chunk", StringComparison.Ordinal) == true));
    }

    public static TheoryData<string, string, MapReduceArgs, string> BadInputs => new()
    {
        { "sales.json", "[{\"price\":1,\"qty\":2}]", new MapReduceArgs("sales.json", "o.json", MapReduceOperation.Sum), "args.field:" },
        { "sales.json", "[{\"name\":\"a\"}]", new MapReduceArgs("sales.json", "o.json", MapReduceOperation.Sum), "args.field:" },
        { "sales.json", "[{\"price\":1},{\"price\":\"cheap\"}]", new MapReduceArgs("sales.json", "o.json", MapReduceOperation.Sum, Field: "price"), "args.field: element [1]" },
        { "sales.json", "[{\"price\":1},7]", new MapReduceArgs("sales.json", "o.json", MapReduceOperation.Avg, Field: "price"), "args.inputFile: element [1]" },
        { "sales.json", "[{\"a\":1},", new MapReduceArgs("sales.json", "o.json"), "args.inputFile:" },
        { "t.txt", "some words", new MapReduceArgs("t.txt", "o.json", MapReduceOperation.GroupBy, Key: "k"), "args.inputFile:" },
        { "t.txt", "some words", new MapReduceArgs("t.txt", "o.json", Field: "title"), "args.field:" },
        { "t.txt", "1\ntwo\n", new MapReduceArgs("t.txt", "o.json", MapReduceOperation.Sum), "args.inputFile: line 2" },
        { "sales.json", "[{\"k\":1}]", new MapReduceArgs("sales.json", "o.json", MapReduceOperation.GroupBy), "args.key:" },
        { "t.txt", "x", new MapReduceArgs("missing.txt", "o.json"), "args.inputFile:" },
        { "t.txt", "x", new MapReduceArgs("t.txt", "../outside/o.json"), "args.outputFile:" },
        { "t.txt", "x", new MapReduceArgs("/etc/hostname", "o.json"), "args.inputFile:" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_IsRefusedNamingTheField_AndWritesNoOutput(string file, string content, MapReduceArgs args, string messageStart)
    {
        _dir.Write(file, content);

        var ex = await Assert.ThrowsAsync<PermanentTaskException>(() => Run(args).AsTask());

        Assert.StartsWith(messageStart, ex.Message, StringComparison.Ordinal);
        Assert.Equal(["root/" + file], _dir.AllFiles());
    }

    [Fact]
    public async Task CancelledAfterTheFirstChunk_WritesNoOutput()
    {
        WriteSales("sales.json");
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new MapReducePlugin(_dir.Options)
            .ExecuteAsync(new MapReduceArgs("sales.json", "o.json", MapReduceOperation.Sum, Field: "price", Workers: 1), _dir.CancellingContext("data.mapreduce", cts, reports: 2)).AsTask());

        Assert.Equal(2, _dir.Progress.Count);
        Assert.Equal(["root/sales.json"], _dir.AllFiles());
    }

    [Fact]
    public async Task Cancelled_WritesNoOutput()
    {
        WriteSales("sales.json");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(new MapReduceArgs("sales.json", "o.json", MapReduceOperation.Sum, Field: "price"), cts.Token).AsTask());

        Assert.Equal(["root/sales.json"], _dir.AllFiles());
    }
}
