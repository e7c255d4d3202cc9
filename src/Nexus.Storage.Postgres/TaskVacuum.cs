using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>Vacuums the tasks table once enough dead row versions piled up (<see cref="PostgresStoreOptions.VacuumDeadTasks"/>,
/// and at least a tenth of the live rows). Every claim and completion leaves a dead version, and the ready index keeps
/// an entry for each claimed task until a vacuum removes it: a claim walks past all of them, so claims slow down as a
/// drain goes on (mid-way through a 300,000-task drain, 989 → 1,354 buffers and 4–5 ms to find 100 ready rows), and
/// autovacuum at its defaults looks once a minute and waits for a fifth of the table. Run by the maintenance leader.</summary>
internal sealed class TaskVacuum(PostgresDatabase db)
{
    public async Task<bool> RunIfDueAsync(CancellationToken cancellationToken)
    {
        if (db.Options.VacuumDeadTasks == 0) return false;
        var tasks = db.Schema.Table("tasks");
        await using var lease = await db.LeaseAsync(cancellationToken).ConfigureAwait(false);
        // Inside a unit of work VACUUM cannot run (and nothing here should): leave it to the next look.
        if (lease.Joined is not null) return false;
        var conn = lease.Connection;
        await using (var probe = new NpgsqlCommand(
            "select coalesce(n_dead_tup, 0), coalesce(n_live_tup, 0) from pg_stat_user_tables where relid = $1::regclass", conn))
        {
            probe.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tasks });
            await using var reader = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return false;
            var (dead, live) = (reader.GetInt64(0), reader.GetInt64(1));
            if (dead < Math.Max(db.Options.VacuumDeadTasks, live / 10)) return false;
        }
        // SKIP_LOCKED: another session's VACUUM (autovacuum, an operator) already on it is left alone.
        await using var vacuum = new NpgsqlCommand($"vacuum (skip_locked) {tasks}", conn) { CommandTimeout = 0 };
        await vacuum.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }
}
