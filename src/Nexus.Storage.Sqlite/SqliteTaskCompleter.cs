using System.Buffers;
using System.Text;
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
            var accepted = new bool[p.Completions.Count];
            var owned = new OwnedTaskChange?[accepted.Length];
            var counts = new SqliteTaskCounts();
            // One statement per round: round k holds the k-th completion of each task named in the batch (nearly always
            // one round), so each completion meets the row as the one before it for that task left it.
            var occurrences = new Dictionary<long, int>();
            var rounds = new List<List<int>>();
            for (var i = 0; i < accepted.Length; i++)
            {
                var k = occurrences[p.Completions[i].Id] = occurrences.GetValueOrDefault(p.Completions[i].Id) + 1;
                if (rounds.Count < k) rounds.Add([]);
                rounds[k - 1].Add(i);
            }
            foreach (var round in rounds) await CompleteRoundAsync(tx, p, round, now, accepted, owned, counts, cancellationToken);
            await counts.ApplyAsync(tx, cancellationToken);
            // The hooks see owned tasks' changes in the order of the completions, whichever statement applied them.
            await session.Store.Hooks.RunAsync(session.Join(tx), [.. owned.OfType<OwnedTaskChange>()], cancellationToken);
            return accepted;
        }, cancellationToken);

    /// <summary>Completions of distinct tasks in one <c>UPDATE … FROM json_each</c>: per task it costs a row of JSON
    /// instead of a statement's execution and reader.</summary>
    private static async Task CompleteRoundAsync(
        SqliteTransaction tx, CompleteParams p, List<int> which, long now, bool[] accepted, OwnedTaskChange?[] owned, SqliteTaskCounts counts,
        CancellationToken cancellationToken)
    {
        // [id, token, state, result, requeue, delay, refund, error, progress]; JSON texts travel as strings. SQLite's
        // RETURNING sees only the updated table (by unqualified names), so rows are matched to completions by id,
        // distinct in a round.
        var index = new Dictionary<long, int>(which.Count);
        var buffer = new ArrayBufferWriter<byte>(which.Count * 96);
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var i in which)
            {
                var c = p.Completions[i];
                var (state, requeue, refund) = Transition(c.Kind);
                json.WriteStartArray();
                json.WriteNumberValue(c.Id);
                json.WriteStringValue(c.LeaseToken.ToString());
                json.WriteStringValue(state);
                json.WriteStringValue(c.ResultJson);
                json.WriteNumberValue(requeue ? 1 : 0);
                json.WriteNumberValue(Delay(c));
                json.WriteNumberValue(refund ? 1 : 0);
                json.WriteStringValue(c.Error is null ? null : StoredJson.Error(c.Error));
                json.WriteStringValue(c.Progress is null ? null : StoredJson.Progress(c.Progress));
                json.WriteEndArray();
                index[c.Id] = i;
            }
            json.WriteEndArray();
        }
        await using var update = SqliteRows.Command(tx, """
            UPDATE nexus_tasks AS t
            SET state = c.state,
                result = CASE WHEN c.state = 'succeeded' THEN c.result ELSE t.result END,
                run_at = CASE WHEN c.requeue = 1 THEN $now + c.delay ELSE t.run_at END,
                finished_at = CASE WHEN c.state IN ('succeeded','dead','cancelled') THEN $now ELSE NULL END,
                attempt = t.attempt - c.refund,
                errors = CASE WHEN c.error IS NULL THEN t.errors ELSE json_insert(t.errors, '$[#]', json(c.error)) END,
                progress = coalesce(c.progress, t.progress),
                lease_token = NULL, lease_expires_at = NULL
            FROM (SELECT value ->> 0 AS task_id, value ->> 1 AS token, value ->> 2 AS state, value ->> 3 AS result,
                         value ->> 4 AS requeue, value ->> 5 AS delay, value ->> 6 AS refund, value ->> 7 AS error,
                         value ->> 8 AS progress
                  FROM json_each($rows)) AS c
            WHERE t.id = c.task_id AND t.lease_token = c.token AND t.state = 'running'
            RETURNING id, owner, plugin, queue, attempt
            """);
        update.Add("$now", now);
        update.Add("$rows", Encoding.UTF8.GetString(buffer.WrittenSpan));
        await using var reader = await update.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var i = index[reader.GetInt64(0)];
            Accept(p.Completions[i], i, reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                accepted, owned, counts);
        }
    }

    /// <summary>A hand-back is due at once whatever delay it carries, as the transition table (and PostgreSQL) say.</summary>
    private static long Delay(TaskCompletion c) =>
        c.Kind == CompletionKind.Released ? 0L : (long)TaskBounds.ClampDelay(c.Delay).TotalMilliseconds;

    private static void Accept(
        TaskCompletion c, int i, string? owner, string plugin, string queue, int attempt, bool[] accepted, OwnedTaskChange?[] owned, SqliteTaskCounts counts)
    {
        var state = Transition(c.Kind).State;
        accepted[i] = true;
        counts.Move(queue, "running", state);
        if (owner is null) return;
        owned[i] = new OwnedTaskChange(
            c.Id, owner, plugin, queue, TaskStates.Parse(state), attempt,
            state == "succeeded" ? c.ResultJson : null, c.Kind is CompletionKind.Succeeded or CompletionKind.Snoozed or CompletionKind.Released ? null : c.Error);
    }

    /// <summary>The state a completion leads to, whether it sets a new run time, and whether the attempt is refunded,
    /// as Core's one transition table says.</summary>
    internal static (string State, bool Requeue, bool Refund) Transition(CompletionKind kind)
    {
        var t = TaskTransitions.Of(kind);
        return (t.To.ToName(), t.Of(TaskColumn.RunAt) == ColumnChange.Set, t.Of(TaskColumn.Attempt) == ColumnChange.Refunded);
    }
}
