using System.Text.Json;

namespace Nexus.Client;

/// <summary>A state key as it is now (<c>GET /api/v1/namespaces/{ns}/state/{key}</c>).</summary>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">Its JSON value.</param>
/// <param name="Version">Its version; pass it as <c>expectedVersion</c> to write only over it.</param>
/// <param name="CreatedAt">When it was first written (since it last did not exist).</param>
/// <param name="UpdatedAt">When this version was written.</param>
/// <param name="ExpiresAt">When it expires, or null.</param>
public sealed record StateEntryInfo(string Namespace, string Key, JsonElement Value, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt);

/// <summary>One page of state keys, in code point order.</summary>
/// <param name="Items">The keys.</param>
/// <param name="Next">Pass as <c>after</c> for the next page; null on the last page.</param>
public sealed record StatePageInfo(IReadOnlyList<StateEntryInfo> Items, string? Next);

/// <summary>A state watch's answer (a long poll).</summary>
/// <param name="Changes">The changes after the cursor, in log order, each as a live <c>change</c> message.</param>
/// <param name="Next">The cursor to poll (or subscribe) after next; without changes and without a cursor asked for, the
/// namespace's head: take it before reading the current state and nothing falls between.</param>
public sealed record StateWatchInfo(IReadOnlyList<JsonElement> Changes, string Next);

/// <summary>One version of a key's history.</summary>
/// <param name="Version">The version.</param>
/// <param name="Operation"><c>set</c>, <c>delete</c> or <c>expire</c>.</param>
/// <param name="Value">The value it held; null for a delete or an expiry.</param>
/// <param name="At">When.</param>
public sealed record StateVersionInfo(long Version, string Operation, JsonElement? Value, DateTimeOffset At);

/// <summary>What a delete wrote.</summary>
/// <param name="Key">The key.</param>
/// <param name="Version">The version of the deletion.</param>
public sealed record StateDeleted(string Key, long Version);

internal sealed record StateWriteBody(JsonElement Value, long? ExpectedVersion, string? Ttl);
