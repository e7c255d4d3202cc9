using Microsoft.Data.Sqlite;
using Nexus.Workflows;

namespace Nexus.Storage.Sqlite;

/// <summary>Workflows in <c>nexus_workflows</c>, <c>nexus_workflow_runs</c> and <c>nexus_workflow_steps</c>. Without a
/// joined transaction every write is its own (through the writer) and reads use a pooled connection; with one (the
/// unit of work), every call runs on that transaction.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100", Justification = "Constant SQL; values always go in parameters.")]
internal sealed class SqliteWorkflowStore(SqliteSession session) : IWorkflowStore
{
    private const string RunColumns = "id, workflow, version, definition, input, state, paused, output, error, idempotency_key, parent_run_id, parent_step_id, completions, created_at, updated_at, finished_at";
    private static readonly string[] StepParameters = ["$run", "$step", "$item", "$state", "$task", "$attempt", "$output", "$error", "$started", "$finished", "$seq", "$count", "$done", "$released", "$child", "$comp", "$compTask", "$compError"];
    private const string StepColumns = "run_id, step_id, item, state, task_id, attempt, output, error, started_at, finished_at, completed_seq, item_count, items_done, items_released, child_run_id, compensation, compensation_task_id, compensation_error";

    private Task<T> Write<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken ct) => session.WriteAsync(work, ct);

    private Task<T> Read<T>(Func<SqliteCommand, Task<T>> work, CancellationToken ct) => session.ReadAsync(work, ct);

    public Task<(StoredWorkflow Workflow, bool Created)> RegisterAsync(RegisterWorkflowParams p, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Write(async tx =>
        {
            await using (var latest = SqliteRows.Command(tx, "SELECT name, version, definition, hash, created_at FROM nexus_workflows WHERE name = $name ORDER BY version DESC LIMIT 1"))
            {
                latest.Add("$name", p.Name);
                var found = (await ReadWorkflowsAsync(latest, cancellationToken)).FirstOrDefault();
                if (found is not null && found.Hash == p.Hash) return (found, false);
            }
            await using var insert = SqliteRows.Command(tx, """
                INSERT INTO nexus_workflows (name, version, definition, hash, created_at)
                VALUES ($name, (SELECT coalesce(max(version), 0) + 1 FROM nexus_workflows WHERE name = $name), $definition, $hash, $now)
                RETURNING name, version, definition, hash, created_at
                """);
            insert.Add("$name", p.Name);
            insert.Add("$definition", p.DefinitionJson);
            insert.Add("$hash", p.Hash);
            insert.Add("$now", session.NowMs(p.Now));
            return ((await ReadWorkflowsAsync(insert, cancellationToken))[0], true);
        }, cancellationToken);
    }

    public Task<StoredWorkflow?> GetAsync(string name, int? version = null, CancellationToken cancellationToken = default) =>
        Read(async command =>
        {
            command.CommandText = version is null
                ? "SELECT name, version, definition, hash, created_at FROM nexus_workflows WHERE name = $name ORDER BY version DESC LIMIT 1"
                : "SELECT name, version, definition, hash, created_at FROM nexus_workflows WHERE name = $name AND version = $version";
            command.Add("$name", name);
            command.Add("$version", version);
            return (await ReadWorkflowsAsync(command, cancellationToken)).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<StoredWorkflow>> ListAsync(CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredWorkflow>>(async command =>
        {
            command.CommandText = """
                SELECT w.name, w.version, w.definition, w.hash, w.created_at FROM nexus_workflows w
                WHERE w.version = (SELECT max(version) FROM nexus_workflows v WHERE v.name = w.name) ORDER BY w.name
                """;
            return await ReadWorkflowsAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<StoredWorkflow>> VersionsAsync(string name, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StoredWorkflow>>(async command =>
        {
            command.CommandText = "SELECT name, version, definition, hash, created_at FROM nexus_workflows WHERE name = $name ORDER BY version";
            command.Add("$name", name);
            return await ReadWorkflowsAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<(long Id, bool Created)> CreateRunAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Write(async tx =>
        {
            if (run.IdempotencyKey is not null)
            {
                await using var existing = SqliteRows.Command(tx, "SELECT id FROM nexus_workflow_runs WHERE workflow = $workflow AND idempotency_key = $key");
                existing.Add("$workflow", run.Workflow);
                existing.Add("$key", run.IdempotencyKey);
                if (await existing.ExecuteScalarAsync(cancellationToken) is long id) return (id, false);
            }
            await using var insert = SqliteRows.Command(tx, """
                INSERT INTO nexus_workflow_runs (workflow, version, definition, input, state, idempotency_key, parent_run_id, parent_step_id, created_at, updated_at)
                VALUES ($workflow, $version, $definition, $input, 'running', $key, $parent, $parentStep, $now, $now)
                RETURNING id
                """);
            insert.Add("$workflow", run.Workflow);
            insert.Add("$version", run.Version);
            insert.Add("$definition", run.DefinitionJson);
            insert.Add("$input", run.InputJson);
            insert.Add("$key", run.IdempotencyKey);
            insert.Add("$parent", run.ParentRunId);
            insert.Add("$parentStep", run.ParentStepId);
            insert.Add("$now", session.NowMs(run.Now));
            return ((long)(await insert.ExecuteScalarAsync(cancellationToken))!, true);
        }, cancellationToken);
    }

    /// <summary>SQLite has one writer: a transaction holds the write lock already, so locking is reading.</summary>
    public async Task<(IReadOnlyList<WorkflowRun> Runs, IReadOnlyList<StepRun> Steps)> LockRunsWithStepsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        (await LockRunsAsync(ids, cancellationToken), await GetStepsAsync(ids, cancellationToken));

    public async Task SaveAsync(IReadOnlyList<StepRun> stepRows, IReadOnlyList<WorkflowRun> runRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stepRows);
        ArgumentNullException.ThrowIfNull(runRows);
        if (stepRows.Count > 0) await SaveStepsAsync(stepRows, cancellationToken);
        if (runRows.Count > 0) await UpdateRunsAsync(runRows, cancellationToken);
    }

    public Task<IReadOnlyList<WorkflowRun>> LockRunsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<WorkflowRun>>(async command =>
        {
            command.CommandText = $"SELECT {RunColumns} FROM nexus_workflow_runs WHERE id IN (SELECT value FROM json_each($ids)) ORDER BY id";
            command.Add("$ids", System.Text.Json.JsonSerializer.Serialize(ids));
            return await ReadRunsAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<WorkflowRun?> GetRunAsync(long id, CancellationToken cancellationToken = default) =>
        Read(async command =>
        {
            command.CommandText = $"SELECT {RunColumns} FROM nexus_workflow_runs WHERE id = $id";
            command.Add("$id", id);
            return (await ReadRunsAsync(command, cancellationToken)).FirstOrDefault();
        }, cancellationToken);

    public Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Read(async command =>
        {
            command.CommandText = $"""
                SELECT {RunColumns} FROM nexus_workflow_runs
                WHERE ($workflow IS NULL OR workflow = $workflow) AND ($state IS NULL OR state = $state) AND ($before IS NULL OR id < $before)
                ORDER BY id DESC LIMIT $limit
                """;
            command.Add("$workflow", query.Workflow);
            command.Add("$state", query.State?.ToName());
            command.Add("$before", query.Before);
            command.Add("$limit", query.Limit + 1);
            var runs = await ReadRunsAsync(command, cancellationToken);
            return runs.Count > query.Limit ? new RunPage(runs.Take(query.Limit).ToList(), runs[query.Limit - 1].Id) : new RunPage(runs, null);
        }, cancellationToken);
    }

    public Task UpdateRunsAsync(IReadOnlyList<WorkflowRun> runs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) return Task.CompletedTask;
        return Write(async tx =>
        {
            foreach (var run in runs) await UpdateRunAsync(tx, run, cancellationToken);
            return runs.Count;
        }, cancellationToken);
    }

    private static async Task UpdateRunAsync(SqliteTransaction tx, WorkflowRun run, CancellationToken cancellationToken)
    {
        {
            await using var command = SqliteRows.Command(tx, """
                UPDATE nexus_workflow_runs SET state = $state, paused = $paused, output = $output, error = $error,
                    completions = $completions, updated_at = $updated, finished_at = $finished WHERE id = $id
                """);
            command.Add("$id", run.Id);
            command.Add("$state", run.State.ToName());
            command.Add("$paused", run.Paused ? 1 : 0);
            command.Add("$output", run.OutputJson);
            command.Add("$error", run.Error);
            command.Add("$completions", run.Completions);
            command.Add("$updated", run.UpdatedAt.ToUnixTimeMilliseconds());
            command.Add("$finished", run.FinishedAt?.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyList<StepRun>> GetStepsAsync(IReadOnlyList<long> runIds, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StepRun>>(async command =>
        {
            command.CommandText = $"SELECT {StepColumns} FROM nexus_workflow_steps WHERE run_id IN (SELECT value FROM json_each($ids)) AND item = -1 ORDER BY run_id, step_id";
            command.Add("$ids", System.Text.Json.JsonSerializer.Serialize(runIds));
            return await ReadStepsAsync(command, cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<StepRun>> GetItemsAsync(long runId, string stepId, CancellationToken cancellationToken = default) =>
        Read<IReadOnlyList<StepRun>>(async command =>
        {
            command.CommandText = $"SELECT {StepColumns} FROM nexus_workflow_steps WHERE run_id = $run AND step_id = $step AND item >= 0 ORDER BY item";
            command.Add("$run", runId);
            command.Add("$step", stepId);
            return await ReadStepsAsync(command, cancellationToken);
        }, cancellationToken);

    public Task SaveStepsAsync(IReadOnlyList<StepRun> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0) return Task.CompletedTask;
        return Write(async tx =>
        {
            await using var command = SqliteRows.Command(tx, $"""
                INSERT OR REPLACE INTO nexus_workflow_steps ({StepColumns})
                VALUES ($run, $step, $item, $state, $task, $attempt, $output, $error, $started, $finished, $seq, $count, $done, $released, $child, $comp, $compTask, $compError)
                """);
            foreach (var name in StepParameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
                        command.Prepare();
            foreach (var s in steps)
            {
                object?[] values = [s.RunId, s.StepId, s.Item, s.State.ToName(), s.TaskId, s.Attempt, s.OutputJson, s.Error,
                    s.StartedAt?.ToUnixTimeMilliseconds(), s.FinishedAt?.ToUnixTimeMilliseconds(), s.CompletedSeq, s.ItemCount, s.ItemsDone,
                    s.ItemsReleased, s.ChildRunId, s.Compensation?.ToName(), s.CompensationTaskId, s.CompensationError];
                for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return steps.Count;
        }, cancellationToken);
    }

    private static async Task<List<StoredWorkflow>> ReadWorkflowsAsync(SqliteCommand command, CancellationToken ct)
    {
        var list = new List<StoredWorkflow>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new StoredWorkflow(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), SqliteRows.Time(r.GetInt64(4))));
        return list;
    }

    private static async Task<List<WorkflowRun>> ReadRunsAsync(SqliteCommand command, CancellationToken ct)
    {
        var list = new List<WorkflowRun>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new WorkflowRun
            {
                Id = r.GetInt64(0),
                Workflow = r.GetString(1),
                Version = r.GetInt32(2),
                DefinitionJson = r.GetString(3),
                InputJson = r.GetString(4),
                State = RunNames.Parse<RunState>(r.GetString(5)),
                Paused = r.GetInt64(6) != 0,
                OutputJson = r.IsDBNull(7) ? null : r.GetString(7),
                Error = r.IsDBNull(8) ? null : r.GetString(8),
                IdempotencyKey = r.IsDBNull(9) ? null : r.GetString(9),
                ParentRunId = r.IsDBNull(10) ? null : r.GetInt64(10),
                ParentStepId = r.IsDBNull(11) ? null : r.GetString(11),
                Completions = r.GetInt64(12),
                CreatedAt = SqliteRows.Time(r.GetInt64(13)),
                UpdatedAt = SqliteRows.Time(r.GetInt64(14)),
                FinishedAt = r.IsDBNull(15) ? null : SqliteRows.Time(r.GetInt64(15)),
            });
        }
        return list;
    }

    private static async Task<List<StepRun>> ReadStepsAsync(SqliteCommand command, CancellationToken ct)
    {
        var list = new List<StepRun>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
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
                StartedAt = r.IsDBNull(8) ? null : SqliteRows.Time(r.GetInt64(8)),
                FinishedAt = r.IsDBNull(9) ? null : SqliteRows.Time(r.GetInt64(9)),
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
