using System.Text.Json;

namespace Nexus.Contracts;

/// <summary>A state key as it is now.</summary>
/// <param name="Namespace">Its namespace.</param>
/// <param name="Key">The key.</param>
/// <param name="Value">Its JSON value.</param>
/// <param name="Version">Its version (also the ETag, quoted).</param>
/// <param name="CreatedAt">When it was first written (since it last did not exist).</param>
/// <param name="UpdatedAt">When this version was written.</param>
/// <param name="ExpiresAt">When it expires, or null.</param>
public sealed record StateResponse(string Namespace, string Key, JsonElement Value, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A write of a state key.</summary>
/// <param name="Value">The JSON value to store (any JSON: object, array, string, number, boolean or null).</param>
/// <param name="ExpectedVersion">Write only over this version (0: only when the key does not exist); null or absent writes anyway. An <c>If-Match: "3"</c> header says the same (<c>If-None-Match: *</c> is version 0).</param>
/// <param name="Ttl">Expire after this long (<c>30s</c>, <c>5m</c>, <c>PT1H</c>); null never expires.</param>
public sealed record StateWriteRequest(JsonElement? Value, long? ExpectedVersion, string? Ttl);

/// <summary>A page of state keys, in code point order of the key.</summary>
/// <param name="Items">The keys.</param>
/// <param name="Next">Pass as <c>after</c> for the next page; null on the last page.</param>
public sealed record StateListResponse(IReadOnlyList<StateResponse> Items, string? Next);

/// <summary>What a delete did.</summary>
/// <param name="Key">The key.</param>
/// <param name="Version">The version the deletion wrote (the history keeps it).</param>
public sealed record StateDeleteResponse(string Key, long Version);

/// <summary>One version of a key's history.</summary>
/// <param name="Version">The version.</param>
/// <param name="Operation"><c>set</c>, <c>delete</c> or <c>expire</c>.</param>
/// <param name="Value">The value it held; null for a delete or an expiry.</param>
/// <param name="At">When.</param>
public sealed record StateVersionResponse(long Version, string Operation, JsonElement? Value, DateTimeOffset At);

/// <summary>A namespace's keys at one moment (export), or what to import.</summary>
/// <param name="Namespace">Where they came from.</param>
/// <param name="Keys">The keys.</param>
public sealed record StateSnapshotDocument(string Namespace, IReadOnlyList<StateSnapshotKeyDocument> Keys);

/// <summary>One key of a snapshot.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">Its value.</param>
/// <param name="ExpiresAt">When it expires, or null.</param>
public sealed record StateSnapshotKeyDocument(string Key, JsonElement Value, DateTimeOffset? ExpiresAt);

/// <summary>What an import did.</summary>
/// <param name="Written">Keys written.</param>
public sealed record StateImportResponse(int Written);
