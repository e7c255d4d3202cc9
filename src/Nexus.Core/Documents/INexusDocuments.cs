namespace Nexus.Documents;

/// <summary>
/// Live JSON documents: <c>app / model / id</c>, created, replaced, changed by JSON Patch (RFC 6902) with a version
/// check, deleted, and queried by filter (<see cref="Filters.JsonFilter"/>) with keyset paging. An optional JSON Schema
/// per model is checked on every write, and every write runs the registered <see cref="IDocumentStage"/>s.
/// </summary>
public interface INexusDocuments
{
    /// <summary>Creates a document (a new id when <paramref name="id"/> is null).</summary>
    /// <exception cref="State.StateConflictException">A document with that id exists.</exception>
    Task<DocumentEntry> CreateAsync(string app, string model, string valueJson, string? id = null, CancellationToken cancellationToken = default);

    /// <summary>The document, or null.</summary>
    Task<DocumentEntry?> GetAsync(string app, string model, string id, CancellationToken cancellationToken = default);

    /// <summary>Replaces a document (with <paramref name="expectedVersion"/>, only at that version).</summary>
    Task<DocumentEntry> ReplaceAsync(string app, string model, string id, string valueJson, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Applies a JSON Patch (with <paramref name="expectedVersion"/>, only at that version); whole or not at all.</summary>
    /// <exception cref="JsonPatchException">An operation failed (a <c>test</c>, a missing path); nothing changed.</exception>
    Task<DocumentEntry> PatchAsync(string app, string model, string id, string patchJson, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document; returns the version of the deletion.</summary>
    Task<long> DeleteAsync(string app, string model, string id, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Documents of a model that match <paramref name="filterJson"/> (null: all), in id order, after
    /// <paramref name="after"/>. A page may hold fewer than <paramref name="limit"/> items and still have a
    /// <see cref="DocumentPage.Next"/>: at most 10,000 documents are read per call.</summary>
    Task<DocumentPage> QueryAsync(string app, string model, string? filterJson = null, string? after = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Sets (or with null removes) the JSON Schema every write of the model must pass (the subset of
    /// <see cref="Plugins.JsonArgsSchema"/>). Existing documents are not re-checked.</summary>
    Task SetSchemaAsync(string app, string model, string? schemaJson, CancellationToken cancellationToken = default);

    /// <summary>The model's schema, or null.</summary>
    Task<string?> GetSchemaAsync(string app, string model, CancellationToken cancellationToken = default);
}
