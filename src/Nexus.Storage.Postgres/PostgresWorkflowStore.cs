using Nexus.Workflows;
using Npgsql;

namespace Nexus.Storage.Postgres;

/// <summary>Workflows in the schema's <c>workflows</c>, <c>workflow_runs</c> and <c>workflow_steps</c> tables. Without a
/// joined transaction each call opens its own connection (and its own transaction where it writes twice); with one
/// (the unit of work) every call runs on that transaction, and <see cref="LockRunsAsync"/> holds the runs' rows until
/// it ends.</summary>
internal sealed class PostgresWorkflowStore(PostgresDatabase db) : IWorkflowStore
{
    private const string RunColumns = "id, workflow, version, definition, input, state, paused, output, error, idempotency_key, parent_run_id, parent_step_id, completions, created_at, updated_at, finished_at";
    private const string StepColumns = "run_id, step_id, item, state, task_id, attempt, output, error, started_at, finished_at, completed_seq, item_count, items_done, items_released, child_run_id, compensation, compensation_task_id, compensation_error";

    private readonly string workflows = db.Schema.Table("workflows");
    private readonly string runs = db.Schema.Table("workflow_runs");
    private readonly string steps = db.Schema.Table("workflow_steps");

    /// <summary>Runs <paramref name="work"/> on the joined transaction, or on a new connection (in a transaction of
    /// its own when <paramref name="transactional"/>).</summary>
    private async Task<T> Run<T>(Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work, bool transactional, CancellationToken ct)
    {
        if (db.Joined is { } joined) return await work(joined.Connection, joined.Transaction).ConfigureAwait(false);
        await using var conn = await db.OpenAsync(ct).ConfigureAwait(false);
        if (!transactional) return await work(conn, null).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        var result = await work(conn, tx).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "SQL is built from constants and the validated, quoted schema name; values are parameters.")]
    private static NpgsqlCommand Command(string sql, NpgsqlConnection conn, NpgsqlTransaction? tx, params object?[] values)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(Parameters(values));
        return cmd;
    }

    private static NpgsqlParameter[] Parameters(object?[] values) => [.. values.Select(v => new NpgsqlParameter { Value = v ?? DBNull.Value })];

    public Task<(StoredWorkflow Workflow, bool Created)> RegisterAsync(RegisterWorkflowParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Run(async (conn, tx) =>
        {
            // One registration of a name at a time, so versions count up without gaps or conflicts.
            await using (var lockCmd = Command("select pg_advisory_xact_lock(hashtext('nexus.workflow:' || $1))", conn, tx, p.Name))
            {
                await lockCmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using (var latest = Command($"select name, version, definition, hash, created_at from {workflows} where name = $1 order by version desc limit 1", conn, tx, p.Name))
            {
                var found = (await ReadWorkflowsAsync(latest, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
                if (found is not null && found.Hash == p.Hash) return (found, false);
            }
            await using var insert = Command($"""
                insert into {workflows} (name, version, definition, hash, created_at)
                values ($1, (select coalesce(max(version), 0) + 1 from {workflows} where name = $1), $2, $3, coalesce($4::timestamptz, now()))
                returning name, version, definition, hash, created_at
                """, conn, tx, p.Name, p.DefinitionJson, p.Hash, p.Now);
            return ((await ReadWorkflowsAsync(insert, cancellationToken).ConfigureAwait(false))[0], true);
        }, transactional: true, cancellationToken);
    }

    public Task<StoredWorkflow?> GetAsync(string name, int? version = null, CancellationToken cancellationToken = default) =>
        Run(async (conn, tx) =>
        {
            await using var cmd = version is null
                ? Command($"select name, version, definition, hash, created_at from {workflows} where name = $1 order by version desc limit 1", conn, tx, name)
                : Command($"select name, version, definition, hash, created_at from {workflows} where name = $1 and version = $2", conn, tx, name, version.Value);
            return (await ReadWorkflowsAsync(cmd, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }, transactional: false, cancellationToken);

    public Task<IReadOnlyList<StoredWorkflow>> ListAsync(CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<StoredWorkflow>>(async (conn, tx) =>
        {
            await using var cmd = Command($"select distinct on (name) name, version, definition, hash, created_at from {workflows} order by name, version desc", conn, tx);
            return await ReadWorkflowsAsync(cmd, cancellationToken).ConfigureAwait(false);
        }, transactional: false, cancellationToken);

    public Task<IReadOnlyList<StoredWorkflow>> VersionsAsync(string name, CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<StoredWorkflow>>(async (conn, tx) =>
        {
            await using var cmd = Command($"select name, version, definition, hash, created_at from {workflows} where name = $1 order by version", conn, tx, name);
            return await ReadWorkflowsAsync(cmd, cancellationToken).ConfigureAwait(false);
        }, transactional: false, cancellationToken);

    public Task<(long Id, bool Created)> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Run(async (conn, tx) =>
        {
            await using var insert = Command($"""
                insert into {runs} (workflow, version, definition, input, state, idempotency_key, parent_run_id, parent_step_id, created_at, updated_at)
                values ($1, $2, $3, $4, 'running', $5, $6, $7, coalesce($8::timestamptz, now()), coalesce($8::timestamptz, now()))
                on conflict (workflow, idempotency_key) where idempotency_key is not null do nothing
                returning id
                """, conn, tx, run.Workflow, run.Version, run.DefinitionJson, run.InputJson, run.IdempotencyKey, run.ParentRunId, run.ParentStepId, run.Now);
            if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id) return (id, true);
            await using var existing = Command($"select id from {runs} where workflow = $1 and idempotency_key = $2", conn, tx, run.Workflow, run.IdempotencyKey);
            return ((long)(await existing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, false);
        }, transactional: false, cancellationToken);
    }

    public Task<IReadOnlyList<WorkflowRun>> LockRunsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<WorkflowRun>>(async (conn, tx) =>
        {
            await using var cmd = Command(LockRunsSql(tx), conn, tx, ids.ToArray());
            return await ReadRunsAsync(cmd, cancellationToken).ConfigureAwait(false);
        }, transactional: false, cancellationToken);

    // Ordered by id so that two transactions locking the same runs never wait on each other in a cycle.
    private string LockRunsSql(NpgsqlTransaction? tx) => $"select {RunColumns} from {runs} where id = any($1) order by id{(tx is null ? "" : " for update")}";

    private string StepsSql => $"select {StepColumns} from {steps} where run_id = any($1) and item = -1 order by run_id, step_id";

    public Task<(IReadOnlyList<WorkflowRun> Runs, IReadOnlyList<StepRun> Steps)> LockRunsWithStepsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        Run<(IReadOnlyList<WorkflowRun>, IReadOnlyList<StepRun>)>(async (conn, tx) =>
        {
            // One round trip: the lock, then (after it, in the same transaction) the steps of the runs it holds.
            await using var batch = new NpgsqlBatch(conn, tx);
            batch.BatchCommands.Add(BatchCommand(LockRunsSql(tx), ids.ToArray()));
            batch.BatchCommands.Add(BatchCommand(StepsSql, ids.ToArray()));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var locked = await ReadRunsAsync(reader, cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            return (locked, await ReadStepsAsync(reader, cancellationToken).ConfigureAwait(false));
        }, transactional: false, cancellationToken);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "SQL is built from constants and the validated, quoted schema name; values are parameters.")]
    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] values)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(Parameters(values));
        return cmd;
    }

    public Task<WorkflowRun?> GetRunAsync(long id, CancellationToken cancellationToken = default) =>
        Run(async (conn, tx) =>
        {
            await using var cmd = Command($"select {RunColumns} from {runs} where id = $1", conn, tx, id);
            return (await ReadRunsAsync(cmd, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }, transactional: false, cancellationToken);

    public Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Run(async (conn, tx) =>
        {
            await using var cmd = Command($"""
                select {RunColumns} from {runs}
                where ($1::text is null or workflow = $1) and ($2::text is null or state = $2) and ($3::bigint is null or id < $3)
                order by id desc limit $4
                """, conn, tx, query.Workflow, query.State?.ToName(), query.Before, query.Limit + 1);
            var list = await ReadRunsAsync(cmd, cancellationToken).ConfigureAwait(false);
            return list.Count > query.Limit ? new RunPage(list.Take(query.Limit).ToList(), list[query.Limit - 1].Id) : new RunPage(list, null);
        }, transactional: false, cancellationToken);
    }

    public Task UpdateRunsAsync(IReadOnlyList<WorkflowRun> list, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        return SaveAsync([], list, cancellationToken);
    }

    private NpgsqlBatchCommand UpdateRunsCommand(IReadOnlyList<WorkflowRun> list) => BatchCommand($"""
                update {runs} r set state = u.state, paused = u.paused, output = u.output, error = u.error, completions = u.completions,
                    updated_at = u.updated_at, finished_at = u.finished_at
                from unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[], $8::timestamptz[])
                    as u(id, state, paused, output, error, completions, updated_at, finished_at)
                where r.id = u.id
                """,
                list.Select(r => r.Id).ToArray(), list.Select(r => r.State.ToName()).ToArray(), list.Select(r => r.Paused).ToArray(),
                list.Select(r => r.OutputJson).ToArray(), list.Select(r => r.Error).ToArray(), list.Select(r => r.Completions).ToArray(),
                list.Select(r => r.UpdatedAt).ToArray(), list.Select(r => r.FinishedAt).ToArray());

    public Task<IReadOnlyList<StepRun>> GetStepsAsync(IReadOnlyList<long> runIds, CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<StepRun>>(async (conn, tx) =>
        {
            await using var cmd = Command(StepsSql, conn, tx, runIds.ToArray());
            return await ReadStepsAsync(cmd, cancellationToken).ConfigureAwait(false);
        }, transactional: false, cancellationToken);

    public Task<IReadOnlyList<StepRun>> GetItemsAsync(long runId, string stepId, CancellationToken cancellationToken = default) =>
        Run<IReadOnlyList<StepRun>>(async (conn, tx) =>
        {
            await using var cmd = Command($"select {StepColumns} from {steps} where run_id = $1 and step_id = $2 and item >= 0 order by item", conn, tx, runId, stepId);
            return await ReadStepsAsync(cmd, cancellationToken).ConfigureAwait(false);
        }, transactional: false, cancellationToken);

    public Task SaveStepsAsync(IReadOnlyList<StepRun> list, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(list);
        return SaveAsync(list, [], cancellationToken);
    }

    public Task SaveAsync(IReadOnlyList<StepRun> stepRows, IReadOnlyList<WorkflowRun> runRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stepRows);
        ArgumentNullException.ThrowIfNull(runRows);
        if (stepRows.Count == 0 && runRows.Count == 0) return Task.CompletedTask;
        return Run(async (conn, tx) =>
        {
            // The steps' upsert and the runs' update in one round trip.
            await using var batch = new NpgsqlBatch(conn, tx);
            if (stepRows.Count > 0) batch.BatchCommands.Add(SaveStepsCommand(stepRows));
            if (runRows.Count > 0) batch.BatchCommands.Add(UpdateRunsCommand(runRows));
            return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, transactional: false, cancellationToken);
    }

    // One statement for every row: arrays unnested into an upsert.
    private NpgsqlBatchCommand SaveStepsCommand(IReadOnlyList<StepRun> list) => BatchCommand($"""
                insert into {steps} ({StepColumns})
                select * from unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::int[], $7::text[], $8::text[],
                    $9::timestamptz[], $10::timestamptz[], $11::bigint[], $12::int[], $13::int[], $14::int[], $15::bigint[], $16::text[], $17::bigint[], $18::text[])
                on conflict (run_id, step_id, item) do update set state = excluded.state, task_id = excluded.task_id, attempt = excluded.attempt,
                    output = excluded.output, error = excluded.error, started_at = excluded.started_at, finished_at = excluded.finished_at,
                    completed_seq = excluded.completed_seq, item_count = excluded.item_count, items_done = excluded.items_done,
                    items_released = excluded.items_released, child_run_id = excluded.child_run_id, compensation = excluded.compensation,
                    compensation_task_id = excluded.compensation_task_id, compensation_error = excluded.compensation_error
                """,
                list.Select(s => s.RunId).ToArray(), list.Select(s => s.StepId).ToArray(), list.Select(s => s.Item).ToArray(),
                list.Select(s => s.State.ToName()).ToArray(), list.Select(s => s.TaskId).ToArray(), list.Select(s => s.Attempt).ToArray(),
                list.Select(s => s.OutputJson).ToArray(), list.Select(s => s.Error).ToArray(), list.Select(s => s.StartedAt).ToArray(),
                list.Select(s => s.FinishedAt).ToArray(), list.Select(s => s.CompletedSeq).ToArray(), list.Select(s => s.ItemCount).ToArray(),
                list.Select(s => s.ItemsDone).ToArray(), list.Select(s => s.ItemsReleased).ToArray(), list.Select(s => s.ChildRunId).ToArray(),
                list.Select(s => s.Compensation?.ToName()).ToArray(), list.Select(s => s.CompensationTaskId).ToArray(), list.Select(s => s.CompensationError).ToArray());

    private static async Task<List<StoredWorkflow>> ReadWorkflowsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<StoredWorkflow>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new StoredWorkflow(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4)));
        }
        return list;
    }

    private static async Task<List<WorkflowRun>> ReadRunsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await ReadRunsAsync(r, ct).ConfigureAwait(false);
    }

    private static async Task<List<WorkflowRun>> ReadRunsAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        var list = new List<WorkflowRun>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new WorkflowRun
            {
                Id = r.GetInt64(0),
                Workflow = r.GetString(1),
                Version = r.GetInt32(2),
                DefinitionJson = r.GetString(3),
                InputJson = r.GetString(4),
                State = RunNames.Parse<RunState>(r.GetString(5)),
                Paused = r.GetBoolean(6),
                OutputJson = r.IsDBNull(7) ? null : r.GetString(7),
                Error = r.IsDBNull(8) ? null : r.GetString(8),
                IdempotencyKey = r.IsDBNull(9) ? null : r.GetString(9),
                ParentRunId = r.IsDBNull(10) ? null : r.GetInt64(10),
                ParentStepId = r.IsDBNull(11) ? null : r.GetString(11),
                Completions = r.GetInt64(12),
                CreatedAt = r.GetFieldValue<DateTimeOffset>(13),
                UpdatedAt = r.GetFieldValue<DateTimeOffset>(14),
                FinishedAt = r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
            });
        }
        return list;
    }

    private static async Task<List<StepRun>> ReadStepsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await ReadStepsAsync(r, ct).ConfigureAwait(false);
    }

    private static async Task<List<StepRun>> ReadStepsAsync(NpgsqlDataReader r, CancellationToken ct)
    {
        var list = new List<StepRun>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new StepRun
            {
                RunId = r.GetInt64(0),
                StepId = r.GetString(1),
                Item = r.GetInt32(2),
                State = RunNames.Parse<StepState>(r.GetString(3)),
                TaskId = r.IsDBNull(4) ? null : r.GetInt64(4),
                Attempt = r.GetInt32(5),
                OutputJson = r.IsDBNull(6) ? null : r.GetString(6),
                Error = r.IsDBNull(7) ? null : r.GetString(7),
                StartedAt = r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
                FinishedAt = r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9),
                CompletedSeq = r.IsDBNull(10) ? null : r.GetInt64(10),
                ItemCount = r.GetInt32(11),
                ItemsDone = r.GetInt32(12),
                ItemsReleased = r.GetInt32(13),
                ChildRunId = r.IsDBNull(14) ? null : r.GetInt64(14),
                Compensation = r.IsDBNull(15) ? null : RunNames.Parse<CompensationState>(r.GetString(15)),
                CompensationTaskId = r.IsDBNull(16) ? null : r.GetInt64(16),
                CompensationError = r.IsDBNull(17) ? null : r.GetString(17),
            });
        }
        return list;
    }
}
