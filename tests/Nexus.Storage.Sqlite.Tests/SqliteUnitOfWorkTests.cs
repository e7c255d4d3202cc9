using Nexus.Storage;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite.Tests;

/// <summary>What only SQLite's single writer needs: a write started on the store from inside a unit of work (which
/// runs inside the writer) is refused at once with the way out, instead of waiting for itself forever.</summary>
public sealed class SqliteUnitOfWorkTests : IAsyncLifetime
{
    private INexusStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteTestStores.CreateAsync();
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task AStoreWriteFromInsideAUnitOfWork_IsRefused_AndTheWorkRollsBack()
    {
        var task = new NewTask { Plugin = "test.echo", ArgsJson = "{}", Queue = "default", MaxAttempts = 1 };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _store.InTransactionAsync(async (tx, ct) =>
        {
            await tx.Tasks.InsertAsync(new InsertTasksParams([task]), ct);
            return await _store.Tasks.InsertAsync(new InsertTasksParams([task]), ct);
        }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("use the stores of the transaction you were given", ex.Message, StringComparison.Ordinal);
        Assert.Empty((await _store.Tasks.ListAsync(new TaskQuery { Limit = 10 })).Items);
        // The writer still works afterwards.
        Assert.Single(await _store.Tasks.InsertAsync(new InsertTasksParams([task])));
    }
}
