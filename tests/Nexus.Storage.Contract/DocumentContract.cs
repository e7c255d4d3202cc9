using Microsoft.Extensions.DependencyInjection;
using Nexus.Documents;
using Nexus.Hosting;
using Nexus.State;
using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Contract;

/// <summary>Live documents on the driver under test: create, patch with a version check, replace, delete, query by
/// filter with keyset paging, a schema per model, and the stage pipeline (a pre-write stage that enriches, a post-write
/// stage whose task commits with the document — or, when it throws, neither does).</summary>
public abstract class DocumentContract : EngineHarness
{
    private async Task<(INexusDocuments Docs, INexusTasks Tasks)> StartDocsAsync(params IDocumentStage[] stages)
    {
        var (host, tasks) = await StartAsync(services: s =>
        {
            foreach (var stage in stages) s.AddSingleton(stage);
        });
        return (host.Services.GetRequiredService<INexusDocuments>(), tasks);
    }

    [Fact]
    public async Task CreatePatchReplaceDelete_WithVersions()
    {
        var (docs, _) = await StartDocsAsync();

        var created = await docs.CreateAsync("shop", "orders", """{"status":"new","items":[{"sku":"a","qty":1}]}""", "o-1");
        var patched = await docs.PatchAsync("shop", "orders", "o-1", """[{"op":"test","path":"/status","value":"new"},{"op":"replace","path":"/status","value":"paid"},{"op":"add","path":"/items/-","value":{"sku":"b","qty":2}}]""", expectedVersion: 1);
        var stale = await Assert.ThrowsAsync<StateConflictException>(() => docs.PatchAsync("shop", "orders", "o-1", """[{"op":"remove","path":"/status"}]""", expectedVersion: 1));
        var failed = await Assert.ThrowsAsync<JsonPatchException>(() => docs.PatchAsync("shop", "orders", "o-1", """[{"op":"remove","path":"/items/0"},{"op":"test","path":"/status","value":"new"}]"""));
        var replaced = await docs.ReplaceAsync("shop", "orders", "o-1", """{"status":"shipped"}""", expectedVersion: 2);
        var duplicate = await Assert.ThrowsAsync<StateConflictException>(() => docs.CreateAsync("shop", "orders", "{}", "o-1"));
        var deleted = await docs.DeleteAsync("shop", "orders", "o-1", expectedVersion: 3);

        Assert.Equal(1L, created.Version);
        Assert.Equal((2L, "paid"), (patched.Version, System.Text.Json.Nodes.JsonNode.Parse(patched.ValueJson)!["status"]!.GetValue<string>()));
        Assert.Equal(2, System.Text.Json.Nodes.JsonNode.Parse(patched.ValueJson)!["items"]!.AsArray().Count);
        Assert.Equal(2L, stale.CurrentVersion);
        Assert.StartsWith("patch[1]: test failed", failed.Message, StringComparison.Ordinal);
        Assert.Equal((3L, """{"status":"shipped"}"""), (replaced.Version, replaced.ValueJson));
        Assert.Equal(3L, duplicate.CurrentVersion);
        Assert.Equal(4L, deleted);
        Assert.Null(await docs.GetAsync("shop", "orders", "o-1"));
        await Assert.ThrowsAsync<DocumentNotFoundException>(() => docs.PatchAsync("shop", "orders", "o-1", "[]"));
    }

    [Fact]
    public async Task Query_ByFilter_WithKeysetPaging()
    {
        var (docs, _) = await StartDocsAsync();
        for (var i = 0; i < 12; i++)
        {
            await docs.CreateAsync("shop", "tickets", $$"""{"priority":"{{(i % 3 == 0 ? "high" : "low")}}","n":{{i}}}""", $"t-{i:00}");
        }
        await docs.CreateAsync("shop", "other", """{"priority":"high"}""", "x");

        var first = await docs.QueryAsync("shop", "tickets", """{"priority":{"$eq":"high"}}""", limit: 2);
        var rest = await docs.QueryAsync("shop", "tickets", """{"priority":{"$eq":"high"}}""", after: first.Next, limit: 10);
        var big = await docs.QueryAsync("shop", "tickets", """{"n":{"$gte":10}}""");

        Assert.Equal(["t-00", "t-03"], first.Items.Select(d => d.Id));
        Assert.Equal("t-03", first.Next);
        Assert.Equal(["t-06", "t-09"], rest.Items.Select(d => d.Id));
        Assert.Null(rest.Next);
        Assert.Equal(["t-10", "t-11"], big.Items.Select(d => d.Id));
        await Assert.ThrowsAsync<Filters.FilterException>(() => docs.QueryAsync("shop", "tickets", """{"n":{"$regex":"x"}}"""));
    }

    [Fact]
    public async Task ASchema_IsCheckedOnEveryWrite_NamingTheField()
    {
        var (docs, _) = await StartDocsAsync();
        await docs.SetSchemaAsync("shop", "orders", """{"type":"object","required":["total"],"properties":{"total":{"type":"number","minimum":0}}}""");

        var missing = await Assert.ThrowsAsync<TaskValidationException>(() => docs.CreateAsync("shop", "orders", """{"x":1}"""));
        var ok = await docs.CreateAsync("shop", "orders", """{"total":5}""", "o");
        var negative = await Assert.ThrowsAsync<TaskValidationException>(() => docs.PatchAsync("shop", "orders", "o", """[{"op":"replace","path":"/total","value":-1}]"""));
        var notObject = await Assert.ThrowsAsync<TaskValidationException>(() => docs.ReplaceAsync("shop", "orders", "o", "[1]"));

        Assert.Equal("document.total", missing.Field);
        Assert.Equal("document.total", negative.Field);
        Assert.Equal("document", notObject.Field);
        Assert.Equal(1L, (await docs.GetAsync("shop", "orders", "o"))!.Version);
        Assert.Equal(1L, ok.Version);
        Assert.Equal("schema", (await Assert.ThrowsAsync<TaskValidationException>(() => docs.SetSchemaAsync("shop", "orders", """{"$ref":"http://x"}"""))).Field.Split('.')[0]);
    }

    [Fact]
    public async Task Stages_EnrichBeforeTheWrite_AndTheirSideEffectsCommitWithIt()
    {
        var hook = new WebhookStage();
        var (docs, tasks) = await StartDocsAsync(new StampStage(), hook);

        var created = await docs.CreateAsync("shop", "orders", """{"total":1}""", "o-1");
        var listed = await tasks.ListAsync(new TaskQuery { Tag = "webhook", Limit = 10 });

        Assert.Equal("stamped", System.Text.Json.Nodes.JsonNode.Parse(created.ValueJson)!["by"]!.GetValue<string>());
        var task = Assert.Single(listed.Items);
        Assert.Equal("o-1", System.Text.Json.Nodes.JsonNode.Parse(task.ArgsJson)!["id"]!.GetValue<string>());

        hook.Fail = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => docs.CreateAsync("shop", "orders", """{"total":2}""", "o-2"));
        Assert.Null(await docs.GetAsync("shop", "orders", "o-2"));
        Assert.Single((await tasks.ListAsync(new TaskQuery { Tag = "webhook", Limit = 10 })).Items);
    }

    private sealed class StampStage : IDocumentStage
    {
        public bool Handles(string app, string model) => model == "orders";

        public ValueTask<string> BeforeWriteAsync(DocumentWrite write, CancellationToken cancellationToken)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(write.ValueJson)!.AsObject();
            node["by"] = "stamped";
            return ValueTask.FromResult(node.ToJsonString());
        }
    }

    private sealed class WebhookStage : IDocumentStage
    {
        public bool Fail { get; set; }

        public bool Handles(string app, string model) => true;

        public async Task AfterWriteAsync(DocumentChange change, IStoreTransaction transaction, CancellationToken cancellationToken)
        {
            await transaction.Tasks.InsertAsync(new InsertTasksParams([new NewTask
            {
                Plugin = "test.probe", ArgsJson = $$"""{"value":"{{change.Model}}","id":"{{change.Id}}"}""", Queue = "hooks", MaxAttempts = 1, Tags = ["webhook"], Delay = TimeSpan.FromHours(1),
            }]), cancellationToken);
            if (Fail) throw new InvalidOperationException("the webhook stage failed");
        }
    }
}
