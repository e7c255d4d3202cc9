using Nexus.Storage;

namespace Nexus.Documents;

/// <summary>
/// A stage of the document write pipeline (seed 004's "custom workers at any stage"), registered in DI
/// (<c>services.AddSingleton&lt;IDocumentStage, MyStage&gt;()</c>) and run, in registration order, for the app/models it
/// <see cref="Handles"/>. <see cref="BeforeWriteAsync"/> validates, transforms or enriches what is about to be written
/// (throw <see cref="TaskValidationException"/> to refuse it, with the field at fault); <see cref="AfterWriteAsync"/>
/// runs inside the write's transaction — what it writes through <c>transaction</c> (a webhook task, a state key)
/// commits with the document or not at all.
/// </summary>
public interface IDocumentStage
{
    /// <summary>True when the stage runs for writes of this model.</summary>
    bool Handles(string app, string model);

    /// <summary>The JSON to write instead of <see cref="DocumentWrite.ValueJson"/> (return it unchanged to only check).</summary>
    ValueTask<string> BeforeWriteAsync(DocumentWrite write, CancellationToken cancellationToken) => ValueTask.FromResult(write.ValueJson);

    /// <summary>Side effects of a write, inside its transaction.</summary>
    Task AfterWriteAsync(DocumentChange change, IStoreTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;
}
