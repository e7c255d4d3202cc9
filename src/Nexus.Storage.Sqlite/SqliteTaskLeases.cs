using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nexus.Tasks;

namespace Nexus.Storage.Sqlite;

/// <summary>Leases on SQLite: heartbeats, progress (fenced by the lease token) and the rescue of expired leases.</summary>
internal sealed class SqliteTaskLeases(SqliteSession session)
{
    public Task<IReadOnlyList<LeaseStatus>> HeartbeatAsync(HeartbeatParams p, CancellationToken cancellationToken) =>
        session.WriteAsync<IReadOnlyList<LeaseStatus>>(async tx =>
        {
            var now = session.NowMs(p.Now);
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks SET lease_expires_at = $expires
                WHERE id = $id AND lease_token = $token AND state = 'running'
                RETURNING cancel_requested
                """);
            update.Add("$expires", now + (long)p.LeaseDuration.TotalMilliseconds);
            var pId = update.Add("$id", 0L);
            var pToken = update.Add("$token", "");
            await update.PrepareAsync(cancellationToken);
            var statuses = new LeaseStatus[p.Leases.Count];
            for (var i = 0; i < statuses.Length; i++)
            {
                pId.Value = p.Leases[i].Id;
                pToken.Value = p.Leases[i].LeaseToken.ToString();
                var cancel = await update.ExecuteScalarAsync(cancellationToken);
                statuses[i] = new LeaseStatus(p.Leases[i].Id, cancel is not null, cancel is not null && Convert.ToInt64(cancel, CultureInfo.InvariantCulture) != 0);
            }
            return statuses;
        }, cancellationToken);

    public Task<bool> SetProgressAsync(ProgressParams p, CancellationToken cancellationToken) =>
        session.WriteAsync(async tx =>
        {
            await using var update = SqliteRows.Command(tx, "UPDATE nexus_tasks SET progress = $progress WHERE id = $id AND lease_token = $token AND state = 'running'");
            update.Add("$progress", StoredJson.Progress(p.Progress));
            update.Add("$id", p.Id);
            update.Add("$token", p.LeaseToken.ToString());
            return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);

    public Task<RescueResult> RescueAsync(RescueParams p, CancellationToken cancellationToken) =>
        session.WriteAsync(async tx =>
        {
            var now = session.NowMs(p.Now);
            var expired = new List<(long Id, int Attempt, int Max, string? Node, string? Owner, string Plugin, string Queue)>();
            await using (var select = SqliteRows.Command(tx, """
                SELECT id, attempt, max_attempts, leased_by, owner, plugin, queue FROM nexus_tasks
                WHERE state = 'running' AND lease_expires_at < $now
                ORDER BY lease_expires_at LIMIT $max
                """))
            {
                select.Add("$now", now);
                select.Add("$max", p.Max);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    expired.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetString(6)));
                }
            }
            await using var update = SqliteRows.Command(tx, """
                UPDATE nexus_tasks
                SET state = $state, run_at = CASE WHEN $state = 'dead' THEN run_at ELSE $now END,
                    finished_at = CASE WHEN $state = 'dead' THEN $now ELSE NULL END,
                    errors = json_insert(errors, '$[#]', json($error)), lease_token = NULL, lease_expires_at = NULL
                WHERE id = $id AND state = 'running'
                """);
            var pState = update.Add("$state", "");
            update.Add("$now", now);
            var pError = update.Add("$error", "");
            var pId = update.Add("$id", 0L);
            int requeued = 0, dead = 0;
            var deadIds = new List<long>();
            var owned = new List<OwnedTaskChange>();
            var counts = new SqliteTaskCounts();
            foreach (var (id, attempt, max, node, owner, plugin, queue) in expired)
            {
                var isDead = attempt >= max;
                var error = StoredJson.LeaseExpired(attempt, SqliteRows.Time(now), node);
                pState.Value = isDead ? "dead" : "retrying";
                pError.Value = StoredJson.Error(error);
                pId.Value = id;
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 1) counts.Move(queue, "running", isDead ? "dead" : "retrying");
                if (isDead)
                {
                    dead++;
                    deadIds.Add(id);
                }
                else requeued++;
                if (owner is not null) owned.Add(new OwnedTaskChange(id, owner, plugin, queue, isDead ? TaskState.Dead : TaskState.Retrying, attempt, null, error));
            }
            await counts.ApplyAsync(tx, cancellationToken);
            await session.Store.Hooks.RunAsync(session.Join(tx), owned, cancellationToken);
            return new RescueResult(requeued, dead) { DeadIds = deadIds };
        }, cancellationToken);
}
