using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Completions on SQLite, each fenced by its lease token, as Core's transition table says; owned tasks' changes
/// go to the store's hooks in the same transaction.</summary>
internal sealed class SqliteTaskCompleter(SqliteSession session)
{
    public Task<IReadOnlyList<bool>> CompleteAsync(CompleteParams p, CancellationToken cancellationToken) =>
        session.WriteAsync<IReadOnlyList<bool>>(async tx =>
        {
            var now = session.NowMs(p.Now);
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks
                SET state = $state,
                    result = CASE WHEN $state = 'succeeded' THEN $result ELSE result END,
                    run_at = CASE WHEN $requeue = 1 THEN $now + $delay ELSE run_at END,
                    finished_at = CASE WHEN $state IN ('succeeded','dead','cancelled') THEN $now ELSE NULL END,
                    attempt = attempt - $refund,
                    errors = CASE WHEN $error IS NULL THEN errors ELSE json_insert(errors, '$[#]', json($error)) END,
                    progress = coalesce($progress, progress),
                    lease_token = NULL, lease_expires_at = NULL
                WHERE id = $id AND lease_token = $token AND state = 'running'
                RETURNING owner, plugin, queue, attempt
                """);
            var pState = update.Add("$state", "");
            var pResult = update.Add("$result", null);
            var pRequeue = update.Add("$requeue", 0);
            update.Add("$now", now);
            var pDelay = update.Add("$delay", 0L);
            var pRefund = update.Add("$refund", 0);
            var pError = update.Add("$error", null);
            var pProgress = update.Add("$progress", null);
            var pId = update.Add("$id", 0L);
            var pToken = update.Add("$token", "");
            await update.PrepareAsync(cancellationToken);
            var accepted = new bool[p.Completions.Count];
            var owned = new List<OwnedTaskChange>();
            var counts = new SqliteTaskCounts();
            for (var i = 0; i < accepted.Length; i++)
            {
                var c = p.Completions[i];
                var (state, requeue, refund) = Transition(c.Kind);
                pState.Value = state;
                pResult.Value = (object?)c.ResultJson ?? DBNull.Value;
                pRequeue.Value = requeue ? 1 : 0;
                // A hand-back is due at once whatever delay it carries, as the transition table (and PostgreSQL) say.
                pDelay.Value = c.Kind == CompletionKind.Released ? 0L : (long)TaskBounds.ClampDelay(c.Delay).TotalMilliseconds;
                pRefund.Value = refund ? 1 : 0;
                pError.Value = c.Error is null ? DBNull.Value : StoredJson.Error(c.Error);
                pProgress.Value = c.Progress is null ? DBNull.Value : StoredJson.Progress(c.Progress);
                pId.Value = c.Id;
                pToken.Value = c.LeaseToken.ToString();
                await using var reader = await update.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken)) continue;
                accepted[i] = true;
                counts.Move(reader.GetString(2), "running", state);
                if (reader.IsDBNull(0)) continue;
                owned.Add(new OwnedTaskChange(
                    c.Id, reader.GetString(0), reader.GetString(1), reader.GetString(2), TaskStates.Parse(state), reader.GetInt32(3),
                    state == "succeeded" ? c.ResultJson : null, c.Kind is CompletionKind.Succeeded or CompletionKind.Snoozed or CompletionKind.Released ? null : c.Error));
            }
            await counts.ApplyAsync(tx, cancellationToken);
            await session.Store.Hooks.RunAsync(session.Join(tx), owned, cancellationToken);
            return accepted;
        }, cancellationToken);

    /// <summary>The state a completion leads to, whether it sets a new run time, and whether the attempt is refunded,
    /// as Core's one transition table says.</summary>
    internal static (string State, bool Requeue, bool Refund) Transition(CompletionKind kind)
    {
        var t = TaskTransitions.Of(kind);
        return (t.To.ToName(), t.Of(TaskColumn.RunAt) == ColumnChange.Set, t.Of(TaskColumn.Attempt) == ColumnChange.Refunded);
    }
}
