using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Nexus.Workflows;

namespace Nexus.Artifacts;

/// <summary>
/// Stores results over <see cref="ArtifactOptions.InlineLimitBytes"/> as artifacts (the task keeps an
/// <see cref="ArtifactReference"/>) and turns references back into values: in a step's args just before its attempt
/// runs, and in what the API shows.
/// </summary>
public sealed class ClaimCheck(IArtifactStore store, IOptions<ArtifactOptions> options)
{
    /// <summary>The store behind it.</summary>
    public IArtifactStore Store => store;

    /// <summary><paramref name="resultJson"/> itself when small enough (or null), else the reference to the artifact
    /// <paramref name="name"/> it was stored as.</summary>
    public async Task<string?> OffloadAsync(string? resultJson, string name, CancellationToken cancellationToken)
    {
        var limit = options.Value.InlineLimitBytes;
        // A UTF-16 char is at most 3 UTF-8 bytes: short results are never counted.
        if (resultJson is null || limit <= 0 || (long)resultJson.Length * 3 <= limit || Encoding.UTF8.GetByteCount(resultJson) <= limit) return resultJson;
        var bytes = Encoding.UTF8.GetBytes(resultJson);
        using var content = new MemoryStream(bytes, writable: false);
        var stored = await store.PutAsync(name, content, cancellationToken).ConfigureAwait(false);
        return ArtifactReference.Create(stored.Name, stored.Bytes);
    }

    /// <summary>The JSON with every reference in it replaced by the value it points to (at its <c>path</c>).
    /// Text without a reference comes back as it is, without parsing.</summary>
    /// <exception cref="ArtifactMissingException">A referenced artifact is gone.</exception>
    public async Task<string?> ResolveAsync(string? json, CancellationToken cancellationToken)
    {
        if (!ArtifactReference.MayContain(json)) return json;
        var node = JsonNode.Parse(json!);
        var resolved = await ResolveAsync(node, cancellationToken).ConfigureAwait(false);
        return resolved?.ToJsonString() ?? "null";
    }

    private async Task<JsonNode?> ResolveAsync(JsonNode? node, CancellationToken ct)
    {
        switch (node)
        {
            case JsonObject o when ArtifactReference.NameOf(o) is { } name:
                return await LoadAsync(name, ArtifactReference.PathOf(o), ct).ConfigureAwait(false);
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList()) o[key] = await ResolveAsync(o[key], ct).ConfigureAwait(false);
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) a[i] = await ResolveAsync(a[i], ct).ConfigureAwait(false);
                return a;
            default:
                return node;
        }
    }

    private async Task<JsonNode?> LoadAsync(string name, string? path, CancellationToken ct)
    {
        if (ArtifactName.Problem(name) is { } problem) throw new ArtifactMissingException(name, $"the reference's name {problem}");
        await using var content = await store.OpenAsync(name, ct).ConfigureAwait(false)
            ?? throw new ArtifactMissingException(name, "it is not in the artifact store");
        var value = await JsonNode.ParseAsync(content, cancellationToken: ct).ConfigureAwait(false);
        if (path is null) return value;
        try
        {
            return Templates.Lookup("value." + path, new JsonObject { ["value"] = value })?.DeepClone();
        }
        catch (TemplateException ex)
        {
            throw new ArtifactMissingException(name, $"the stored output has no '{path}' ({ex.Message})");
        }
    }
}

/// <summary>A claim-check reference whose artifact cannot be read (deleted, or not the value it claimed).</summary>
public sealed class ArtifactMissingException(string name, string problem)
    : NexusException("artifact-missing", $"artifact '{name}': {problem}")
{
    /// <summary>The artifact's name.</summary>
    public string Name { get; } = name;
}
