using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nexus.Artifacts;
using Nexus.Workflows;

namespace Nexus.Core.Tests.Artifacts;

public sealed class ClaimCheckTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nexus-claims-" + Guid.NewGuid().ToString("N"));
    private readonly ClaimCheck _claims;

    public ClaimCheckTests() => _claims = new ClaimCheck(new LocalArtifactStore(_folder), Options.Create(new ArtifactOptions { InlineLimitBytes = 100 }));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_result_at_the_limit_stays_inline_and_one_byte_over_is_stored()
    {
        var atLimit = "\"" + new string('a', 98) + "\"";
        Assert.Same(atLimit, await _claims.OffloadAsync(atLimit, "tasks/1/output-1.json", CancellationToken.None));
        // 'é' is two UTF-8 bytes: 50 of them and the quotes are 102 bytes in 52 characters.
        var over = "\"" + new string('é', 50) + "\"";
        var reference = await _claims.OffloadAsync(over, "tasks/1/output-1.json", CancellationToken.None);
        Assert.Equal("""{"$artifact":"tasks/1/output-1.json","bytes":102}""", reference);
        Assert.Equal(new string('é', 50), JsonNode.Parse((await _claims.ResolveAsync(reference, CancellationToken.None))!)!.GetValue<string>());
    }

    [Fact]
    public async Task A_template_that_reads_past_a_reference_keeps_the_path_and_resolving_reads_it()
    {
        var value = """{"rows":[{"name":"first"},{"name":"second"}],"pad":"PADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPADPAD"}""";
        var reference = await _claims.OffloadAsync(value, "runs/4/list/output-1.json", CancellationToken.None);
        var scope = new JsonObject { ["steps"] = new JsonObject { ["list"] = new JsonObject { ["output"] = JsonNode.Parse(reference!) } } };

        var arg = Templates.ResolveString("${steps.list.output.rows.1.name}", scope)!;
        Assert.Equal("rows.1.name", arg["path"]!.GetValue<string>());
        var args = new JsonObject { ["who"] = arg, ["all"] = Templates.ResolveString("${steps.list.output}", scope) }.ToJsonString();

        var resolved = JsonNode.Parse((await _claims.ResolveAsync(args, CancellationToken.None))!)!;
        Assert.Equal("second", resolved["who"]!.GetValue<string>());
        Assert.Equal("first", resolved["all"]!["rows"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_without_a_reference_is_returned_as_it_is_and_a_missing_path_names_it()
    {
        const string plain = """{"a":1}""";
        Assert.Same(plain, await _claims.ResolveAsync(plain, CancellationToken.None));
        await _claims.OffloadAsync("{\"pad\":\"" + new string('p', 200) + "\"}", "tasks/2/output-1.json", CancellationToken.None);
        var ex = await Assert.ThrowsAsync<ArtifactMissingException>(() =>
            _claims.ResolveAsync("""{"$artifact":"tasks/2/output-1.json","path":"nope"}""", CancellationToken.None));
        Assert.Contains("has no 'nope'", ex.Message, StringComparison.Ordinal);
        var traversal = await Assert.ThrowsAsync<ArtifactMissingException>(() =>
            _claims.ResolveAsync("""{"$artifact":"../../etc/passwd"}""", CancellationToken.None));
        Assert.Contains("'..' segment", traversal.Message, StringComparison.Ordinal);
    }
}
