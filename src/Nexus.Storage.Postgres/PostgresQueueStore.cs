using Npgsql;
using Nexus.Tasks;

namespace Nexus.Storage.Postgres;

/// <summary>Queue settings rows. A queue without a row has the defaults: not paused, no limits.</summary>
internal sealed class PostgresQueueStore : IQueueStore
{
    private readonly PostgresDatabase db;
    private readonly string listSql;
    private readonly string getSql;
    private readonly string pauseSql;
    private readonly string configureSql;

    public PostgresQueueStore(PostgresDatabase db)
    {
        this.db = db;
        var tasks = db.Schema.Table("tasks");
        var queues = db.Schema.Table("queues");
        // Queues seen in tasks come from the kept counts (migration 15: counts plus the deltas not folded yet, exact at
        // the statement's snapshot): a queue holds tasks while its counts sum above zero. No index covers every task by
        // queue any more (migration 16), and this reads a row per (queue, state) instead of probing the tasks table.
        var counts = db.Schema.Table("task_counts");
        var deltas = db.Schema.Table("task_count_deltas");
        listSql = $"""
            with seen(name) as (
                select queue from (select queue, n from {counts} union all select queue, n from {deltas}) kept
                group by queue having sum(n) > 0
            )
            select q.name, q.paused, q.max_concurrency, q.max_backlog from {queues} q
            union all
            select s.name, false, null, null from seen s
            where s.name is not null and not exists (select 1 from {queues} q where q.name = s.name)
            order by 1
            """;
        getSql = $"select name, paused, max_concurrency, max_backlog from {queues} where name = $1";
        pauseSql = $"insert into {queues} (name, paused) values ($1, $2) on conflict (name) do update set paused = excluded.paused";
        configureSql = $"""
            insert into {queues} (name, max_concurrency, max_backlog) values ($1, $2, $3)
            on conflict (name) do update set max_concurrency = excluded.max_concurrency, max_backlog = excluded.max_backlog
            """;
    }

    public async Task<IReadOnlyList<QueueInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(listSql, conn);
        var result = new List<QueueInfo>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }
        return result;
    }

    public async Task<QueueInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        QueueName.Validate(name);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(getSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : new QueueInfo(name, false, null, null);
    }

    public async Task SetPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        QueueName.Validate(name);
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(pauseSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = paused });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ConfigureAsync(string name, int? maxConcurrency, long? maxBacklog, CancellationToken cancellationToken = default)
    {
        QueueName.Validate(name);
        if (maxConcurrency < 0) throw new TaskValidationException("maxConcurrency", "must not be negative");
        if (maxBacklog < 0) throw new TaskValidationException("maxBacklog", "must not be negative");
        await using var conn = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(configureSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)maxConcurrency ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)maxBacklog ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static QueueInfo Read(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetBoolean(1),
        r.IsDBNull(2) ? null : r.GetInt32(2),
        r.IsDBNull(3) ? null : r.GetInt64(3));
}
