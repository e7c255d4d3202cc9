using System.Text.Json;

namespace Nexus.Contracts;

/// <summary>A live document.</summary>
/// <param name="App">Its app.</param>
/// <param name="Model">Its model.</param>
/// <param name="Id">Its id.</param>
/// <param name="Document">The document (a JSON object).</param>
/// <param name="Version">Its version (also the ETag, quoted).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When this version was written.</param>
public sealed record DocumentResponse(string App, string Model, string Id, JsonElement Document, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A document to create or replace.</summary>
/// <param name="Document">The document (a JSON object).</param>
/// <param name="Id">The id to create it under (create only; default: a new one).</param>
/// <param name="ExpectedVersion">Replace only at this version (or send <c>If-Match</c>).</param>
public sealed record DocumentWriteRequest(JsonElement? Document, string? Id, long? ExpectedVersion);

/// <summary>A page of documents, in id order.</summary>
/// <param name="Items">The documents that matched.</param>
/// <param name="Next">Pass as <c>after</c> for the next page; null when there is no more.</param>
public sealed record DocumentListResponse(IReadOnlyList<DocumentResponse> Items, string? Next);

/// <summary>What a delete wrote.</summary>
/// <param name="Id">The document.</param>
/// <param name="Version">The version of the deletion.</param>
public sealed record DocumentDeleteResponse(string Id, long Version);
