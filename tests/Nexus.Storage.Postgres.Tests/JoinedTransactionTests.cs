using Nexus.Storage.Postgres.Tests.Infrastructure;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres.Tests;

/// <summary><see cref="PostgresStore.Join"/>: a unit of work over the caller's own transaction — Nexus's writes and
/// the hooks' writes commit or roll back with the caller's own.</summary>
public sealed class JoinedTransactionTests : IAsyncLifetime
{
    private PostgresStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = (PostgresStore)await PostgresTestStores.CreateAsync();
        await _store.MigrateAsync();
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var create = new Npgsql.NpgsqlCommand($"create table \"{_store.Schema}\".orders (id int primary key)", conn);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static NewTask Task(string? owner = null, bool waiting = false) =>
        new() { Plugin = "test.echo", ArgsJson = "{}", Queue = "default", MaxAttempts = 1, Owner = owner, Waiting = waiting };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WritesThroughAJoinedTransaction_LiveAndDieWithTheCallersOwn(bool commit)
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var order = new Npgsql.NpgsqlCommand($"insert into \"{_store.Schema}\".orders values (1)", conn, tx)) await order.ExecuteNonQueryAsync();
        var joined = _store.Join(tx);
        var ids = await joined.Tasks.InsertAsync(new InsertTasksParams([Task(), Task(waiting: true)]));
        Assert.Equal(1, await joined.Tasks.ReleaseAsync(new ReleaseParams([ids[1].Id])));
        Assert.Equal(TaskState.Available, (await joined.Tasks.GetAsync(ids[1].Id))!.State);

        if (commit) await tx.CommitAsync();
        else await tx.RollbackAsync();

        Assert.Equal(commit ? 2 : 0, (await _store.Tasks.ListAsync(new TaskQuery { Limit = 10 })).Items.Count);
        await using var read = new Npgsql.NpgsqlCommand($"select count(*) from \"{_store.Schema}\".orders", conn);
        Assert.Equal(commit ? 1L : 0L, await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AHookOfACompletionInAJoinedTransaction_WritesInsideIt()
    {
        var next = (await _store.Tasks.InsertAsync(new InsertTasksParams([Task(owner: "run:1/b", waiting: true)])))[0].Id;
        _store.Hooks.Add(new ReleaseOnSuccess(next));
        await _store.Tasks.InsertAsync(new InsertTasksParams([Task(owner: "run:1/a")]));
        var claimed = Assert.Single(await _store.Tasks.ClaimAsync(new ClaimParams("n", 1, TimeSpan.FromMinutes(1))));

        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var accepted = await _store.Join(tx).Tasks.CompleteAsync(new CompleteParams([new TaskCompletion(claimed.Id, claimed.LeaseToken!.Value, CompletionKind.Succeeded) { ResultJson = "{}" }]));
        Assert.True(Assert.Single(accepted));
        Assert.Equal(TaskState.Waiting, (await _store.Tasks.GetAsync(next))!.State); // not committed yet
        await tx.CommitAsync();

        Assert.Equal(TaskState.Available, (await _store.Tasks.GetAsync(next))!.State);
        Assert.Equal(TaskState.Succeeded, (await _store.Tasks.GetAsync(claimed.Id))!.State);
    }

    private sealed class ReleaseOnSuccess(long next) : IOwnedTaskHook
    {
        public async Task OnChangedAsync(IStoreTransaction transaction, IReadOnlyList<OwnedTaskChange> changes, CancellationToken cancellationToken)
        {
            if (changes.Any(c => c.State == TaskState.Succeeded)) await transaction.Tasks.ReleaseAsync(new ReleaseParams([next]), cancellationToken);
        }
    }
}
