using System.Text.Json;
using Microsoft.Extensions.Options;
using Nexus.Filters;
using Nexus.Hosting;
using Nexus.Plugins;
using Nexus.State;
using Nexus.Storage;

namespace Nexus.Documents;

/// <summary><see cref="INexusDocuments"/> over the state store: a document is the state key
/// <c>$docs/{model}/{id}</c> of its app's namespace (versions, history and compare-and-set come from there), a model's
/// schema the key <c>$schemas/{model}</c>. Every write is one unit of work with its post-write stages.</summary>
internal sealed class DocumentService(INexusStore store, IEnumerable<IDocumentStage> stages, IOptions<NexusOptions> options, Events.EventService events) : INexusDocuments
{
    private readonly ChangeLog _log = events.Changes;
    private const int MaxScan = 10_000;
    private readonly IDocumentStage[] _stages = [.. stages];

    public async Task<DocumentEntry> CreateAsync(string app, string model, string valueJson, string? id = null, CancellationToken cancellationToken = default)
    {
        Check(app, model);
        id = id is null ? Guid.NewGuid().ToString("N") : DocumentNames.Id(id);
        return await WriteAsync(app, model, id, DocumentOperation.Created, null, valueJson, expected: 0, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DocumentEntry?> GetAsync(string app, string model, string id, CancellationToken cancellationToken = default)
    {
        Check(app, model);
        var entry = await store.State.GetAsync(app, DocumentNames.Key(model, DocumentNames.Id(id)), cancellationToken).ConfigureAwait(false);
        return entry is null ? null : Document(app, model, id, entry);
    }

    public async Task<DocumentEntry> ReplaceAsync(string app, string model, string id, string valueJson, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var current = await RequireAsync(app, model, id, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(app, model, id, DocumentOperation.Updated, current, valueJson, expectedVersion ?? current.Version, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DocumentEntry> PatchAsync(string app, string model, string id, string patchJson, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patchJson);
        var current = await RequireAsync(app, model, id, cancellationToken).ConfigureAwait(false);
        if (expectedVersion is { } expected && expected != current.Version) throw new StateConflictException(app, DocumentNames.Key(model, id), expected, current.Version);
        var patched = JsonPatch.Apply(current.ValueJson, patchJson);
        // Written over the version the patch was applied to: a concurrent write in between fails it (409), never lost.
        return await WriteAsync(app, model, id, DocumentOperation.Updated, current, patched, current.Version, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> DeleteAsync(string app, string model, string id, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        var current = await RequireAsync(app, model, id, cancellationToken).ConfigureAwait(false);
        var key = DocumentNames.Key(model, id);
        var version = await store.InTransactionAsync(async (tx, ct) =>
        {
            var result = await tx.State.DeleteAsync(new DeleteStateParams(app, key) { ExpectedVersion = expectedVersion ?? current.Version, HistoryLimit = options.Value.StateHistoryLimit }, ct).ConfigureAwait(false);
            if (!result.Written) throw Missed(app, model, id, expectedVersion ?? current.Version, result.Version);
            await _log.AppendAsync(tx, app, [ChangeLog.Document(app, model, id, ChangeOps.Deleted, result.Version, null, null)], ct).ConfigureAwait(false);
            await AfterAsync(new DocumentChange(app, model, id, DocumentOperation.Deleted, result.Version, null, current.ValueJson), tx, ct).ConfigureAwait(false);
            return result.Version;
        }, cancellationToken).ConfigureAwait(false);
        _log.Committed(app);
        return version;
    }

    public async Task<DocumentPage> QueryAsync(string app, string model, string? filterJson = null, string? after = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        Check(app, model);
        if (limit is < 1 or > 1000) throw new TaskValidationException("limit", "must be between 1 and 1000");
        var filter = filterJson is null ? null : JsonFilter.Parse(filterJson);
        var prefix = DocumentNames.Prefix(model);
        var items = new List<DocumentEntry>(limit);
        var cursor = after is null ? null : prefix + DocumentNames.Id(after, "after");
        for (var scanned = 0; scanned < MaxScan;)
        {
            var page = await store.State.ListAsync(new ListStateParams(app, prefix, cursor, 1000), cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Items)
            {
                scanned++;
                cursor = entry.Key;
                if (filter is null || filter.Matches(entry.ValueJson)) items.Add(Document(app, model, entry.Key[prefix.Length..], entry));
                if (items.Count == limit) return new DocumentPage(items, cursor[prefix.Length..]);
            }
            if (page.Next is null) return new DocumentPage(items, null);
        }
        return new DocumentPage(items, cursor?[prefix.Length..]);
    }

    public async Task SetSchemaAsync(string app, string model, string? schemaJson, CancellationToken cancellationToken = default)
    {
        Check(app, model);
        var key = DocumentNames.SchemaKey(model);
        if (schemaJson is null)
        {
            await store.State.DeleteAsync(new DeleteStateParams(app, key), cancellationToken).ConfigureAwait(false);
            return;
        }
        JsonArgsSchema.Parse(schemaJson, "schema");
        await store.State.SetAsync(new SetStateParams(app, key, schemaJson) { HistoryLimit = options.Value.StateHistoryLimit }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string?> GetSchemaAsync(string app, string model, CancellationToken cancellationToken = default)
    {
        Check(app, model);
        return (await store.State.GetAsync(app, DocumentNames.SchemaKey(model), cancellationToken).ConfigureAwait(false))?.ValueJson;
    }

    private async Task<DocumentEntry> WriteAsync(string app, string model, string id, DocumentOperation operation, DocumentEntry? current,
        string valueJson, long expected, CancellationToken cancellationToken)
    {
        var value = await BeforeAsync(new DocumentWrite(app, model, id, operation, current, Object(valueJson, "document")), cancellationToken).ConfigureAwait(false);
        if (await GetSchemaAsync(app, model, cancellationToken).ConfigureAwait(false) is { } schema)
        {
            JsonArgsSchema.Parse(schema, "schema").Validate(value, "document");
        }
        var written = await store.InTransactionAsync(async (tx, ct) =>
        {
            var result = await tx.State.SetAsync(new SetStateParams(app, DocumentNames.Key(model, id), value)
            {
                ExpectedVersion = expected,
                HistoryLimit = options.Value.StateHistoryLimit,
            }, ct).ConfigureAwait(false);
            if (!result.Written) throw Missed(app, model, id, expected, result.Version);
            // The log entry first: a post-write stage that throws takes it back with the document.
            var op = operation == DocumentOperation.Created ? ChangeOps.Created : ChangeOps.Updated;
            await _log.AppendAsync(tx, app, [ChangeLog.Document(app, model, id, op, result.Version, value, current?.ValueJson)], ct).ConfigureAwait(false);
            await AfterAsync(new DocumentChange(app, model, id, operation, result.Version, value, current?.ValueJson), tx, ct).ConfigureAwait(false);
            return Document(app, model, id, result.Entry!);
        }, cancellationToken).ConfigureAwait(false);
        _log.Committed(app);
        return written;
    }

    private async Task<string> BeforeAsync(DocumentWrite write, CancellationToken cancellationToken)
    {
        var value = write.ValueJson;
        foreach (var stage in _stages.Where(s => s.Handles(write.App, write.Model)))
        {
            value = Object(await stage.BeforeWriteAsync(write with { ValueJson = value }, cancellationToken).ConfigureAwait(false), "document");
        }
        return value;
    }

    private async Task AfterAsync(DocumentChange change, IStoreTransaction tx, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages.Where(s => s.Handles(change.App, change.Model)))
        {
            await stage.AfterWriteAsync(change, tx, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<DocumentEntry> RequireAsync(string app, string model, string id, CancellationToken cancellationToken) =>
        await GetAsync(app, model, id, cancellationToken).ConfigureAwait(false) ?? throw new DocumentNotFoundException(app, model, id);

    private static Exception Missed(string app, string model, string id, long expected, long current) =>
        current == 0 && expected != 0 ? new DocumentNotFoundException(app, model, id) : new StateConflictException(app, $"{model}/{id}", expected, current);

    /// <summary>A document is a JSON object both stores can hold.</summary>
    private static string Object(string json, string field)
    {
        StateKeys.Value(json, field);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.ValueKind == JsonValueKind.Object ? json : throw new TaskValidationException(field, "must be a JSON object");
    }

    private static void Check(string app, string model)
    {
        StateKeys.Namespace(app, "app");
        DocumentNames.Model(model);
    }

    private static DocumentEntry Document(string app, string model, string id, StateEntry e) => new(app, model, id, e.ValueJson, e.Version, e.CreatedAt, e.UpdatedAt);
}

/// <summary>No such document.</summary>
public sealed class DocumentNotFoundException(string app, string model, string id)
    : NexusException("document-not-found", $"Document '{id}' of model '{model}' does not exist in app '{app}'.");
