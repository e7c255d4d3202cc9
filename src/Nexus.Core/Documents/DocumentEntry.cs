namespace Nexus.Documents;

/// <summary>One live document.</summary>
/// <param name="App">Its app (a namespace).</param>
/// <param name="Model">Its model, e.g. <c>orders</c>.</param>
/// <param name="Id">Its id within the model.</param>
/// <param name="ValueJson">The document: a JSON object.</param>
/// <param name="Version">Its version: 1 when created, one more on every write.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When this version was written.</param>
public sealed record DocumentEntry(string App, string Model, string Id, string ValueJson, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of documents, in id order.</summary>
/// <param name="Items">The documents that matched.</param>
/// <param name="Next">Pass as <c>after</c> for the next page; null when there is no more.</param>
public sealed record DocumentPage(IReadOnlyList<DocumentEntry> Items, string? Next);

/// <summary>How a document changed.</summary>
public enum DocumentOperation
{
    /// <summary>It was created.</summary>
    Created,
    /// <summary>It was replaced or patched.</summary>
    Updated,
    /// <summary>It was deleted.</summary>
    Deleted,
}

/// <summary>A write about to happen, as pre-write stages see it.</summary>
/// <param name="App">The app.</param>
/// <param name="Model">The model.</param>
/// <param name="Id">The document id.</param>
/// <param name="Operation">Created or updated.</param>
/// <param name="Current">The document before the write (null when it is created).</param>
/// <param name="ValueJson">What is about to be written (after the stages before this one).</param>
public sealed record DocumentWrite(string App, string Model, string Id, DocumentOperation Operation, DocumentEntry? Current, string ValueJson);

/// <summary>A write that happened, as post-write stages see it (inside its transaction).</summary>
/// <param name="App">The app.</param>
/// <param name="Model">The model.</param>
/// <param name="Id">The document id.</param>
/// <param name="Operation">What happened.</param>
/// <param name="Version">The version written.</param>
/// <param name="ValueJson">The document now; null after a delete.</param>
/// <param name="PreviousJson">The document before; null when it was created.</param>
public sealed record DocumentChange(string App, string Model, string Id, DocumentOperation Operation, long Version, string? ValueJson, string? PreviousJson);
