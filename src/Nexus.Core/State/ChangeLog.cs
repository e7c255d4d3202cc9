using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Nexus.Events;
using Nexus.Storage;

namespace Nexus.State;

/// <summary>
/// Writes the log entries of state and document changes (docs/realtime.md) inside the write's own unit of work, so a
/// change and its entry commit together or not at all. State does not ask for its namespace to exist while the log
/// does: the first change in a namespace this node has not seen creates it in the same transaction (an idempotent
/// insert), and a namespace is remembered only once that transaction committed.
/// </summary>
internal sealed class ChangeLog(Action committed)
{
    private const int MaxEventKey = 255;
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    /// <summary>Appends <paramref name="changes"/> to <paramref name="namespace"/>'s log through <paramref name="tx"/>.</summary>
    public async Task AppendAsync(IStoreTransaction tx, string @namespace, IReadOnlyList<NewEvent> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0) return;
        if (!_known.ContainsKey(@namespace))
        {
            await tx.Events.CreateNamespaceAsync(new NewNamespace(@namespace), cancellationToken).ConfigureAwait(false);
        }
        await tx.Events.AppendAsync(new AppendEventsParams(@namespace, changes), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True once a change of <paramref name="namespace"/> committed here: its namespace exists.</summary>
    public bool Knows(string @namespace) => _known.ContainsKey(@namespace);

    /// <summary>After the transaction committed: the namespace exists for good; readers of the log may look.</summary>
    public void Committed(string @namespace)
    {
        _known.TryAdd(@namespace, 0);
        committed();
    }

    /// <summary>The entry of a state write (<c>created</c> when the key held no live value before it, else <c>updated</c>).
    /// Told by the store, not by comparing times: two writes within one clock tick must not both read as created.</summary>
    public static NewEvent StateSet(StateWriteResult written)
    {
        ArgumentNullException.ThrowIfNull(written);
        var entry = written.Entry!;
        var op = written.Created ? ChangeOps.Created : ChangeOps.Updated;
        return State(entry.Key, Write(w =>
        {
            Head(w, "state", op, entry.Version);
            w.WriteString("key", entry.Key);
            w.WritePropertyName("value");
            w.WriteRawValue(entry.ValueJson, skipInputValidation: true);
            if (entry.ExpiresAt is { } at) w.WriteString("expiresAt", at);
        }));
    }

    /// <summary>The entry of a state delete, or of an expiry (<c>expired: true</c>).</summary>
    public static NewEvent StateDeleted(string key, long version, bool expired = false) => State(key, Write(w =>
    {
        Head(w, "state", ChangeOps.Deleted, version);
        w.WriteString("key", key);
        if (expired) w.WriteBoolean("expired", true);
    }));

    /// <summary>The entry of a document write: the whole document, and for an update the slim JSON Patch from the
    /// previous version.</summary>
    public static NewEvent Document(string app, string model, string id, string op, long version, string? documentJson, string? previousJson)
    {
        var patch = op == ChangeOps.Updated && previousJson is not null && documentJson is not null ? Documents.JsonDiff.Diff(previousJson, documentJson) : null;
        return new NewEvent
        {
            Topic = ChangeTopics.Document(app, model, id),
            Key = Bounded($"{model}/{id}"),
            PayloadJson = Write(w =>
            {
                Head(w, "document", op, version);
                w.WriteString("model", model);
                w.WriteString("id", id);
                if (patch is not null)
                {
                    w.WritePropertyName("patch");
                    w.WriteRawValue(patch, skipInputValidation: true);
                }
                if (documentJson is not null)
                {
                    w.WritePropertyName("document");
                    w.WriteRawValue(documentJson, skipInputValidation: true);
                }
            }),
        };
    }

    private static NewEvent State(string key, string payload) => new() { Topic = ChangeTopics.State(key), Key = Bounded(key), PayloadJson = payload };

    private static string? Bounded(string key) => key.Length <= MaxEventKey ? key : null;

    private static void Head(Utf8JsonWriter w, string kind, string op, long version)
    {
        w.WriteString("kind", kind);
        w.WriteString("op", op);
        w.WriteNumber("version", version);
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>The operations a change entry names.</summary>
public static class ChangeOps
{
    /// <summary>A key or document that did not exist.</summary>
    public const string Created = "created";
    /// <summary>A new version of an existing key or document.</summary>
    public const string Updated = "updated";
    /// <summary>Deleted (or, for a state key, expired).</summary>
    public const string Deleted = "deleted";
}
