using Json.Schema;

namespace Nexus.Server.Tests.Deploy;

/// <summary>deploy/compose/compose.yaml against the JSON Schema of the Compose Specification (Schemas/README.md): an
/// unknown service key, a misspelled option or a value of the wrong type fails, as `docker compose config` would.</summary>
public sealed partial class ComposeSchemaTests
{
    private static readonly JsonSchema Schema = Load();

    private static JsonSchema Load()
    {
        // Compose's "duration" is a Go duration (1m30s, 500ms), as the specification's own validator registers it; JSON
        // Schema's built-in "duration" is ISO 8601 (PT1M30S).
        Formats.Register(new RegexFormat("duration", GoDuration()));
        return JsonSchema.FromFile(Path.Combine(Infrastructure.RepositoryRoot.Path(), "tests", "Nexus.Server.Tests", "Deploy", "Schemas", "compose-spec.json"));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial System.Text.RegularExpressions.Regex GoDuration();

    private static EvaluationResults Evaluate(System.Text.Json.Nodes.JsonNode? compose) =>
        Schema.Evaluate(compose, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Errors(EvaluationResults results) =>
        string.Join("\n", results.Details.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    [Fact]
    public void TheComposeFile_IsValidAgainstTheComposeSpecification()
    {
        var compose = DeployFiles.Yaml(DeployFiles.PathOf("compose", "compose.yaml"), typed: true).Single();
        var results = Evaluate(compose);
        Assert.True(results.IsValid, "deploy/compose/compose.yaml does not match the Compose Specification:\n" + Errors(results));
    }

    [Fact]
    public void TheSchema_RefusesAMisspelledServiceOption()
    {
        var compose = DeployFiles.Yaml(DeployFiles.PathOf("compose", "compose.yaml"), typed: true).Single()!;
        compose["services"]!["postgres"]!["restarts"] = "always";
        Assert.False(Evaluate(compose).IsValid);
    }
}
