-- Nexus PostgreSQL schema: fewer index entries per task transition (issue 16). No update of a task row is HOT (its state
-- is in index predicates), so every claim, completion and submit writes an entry into every index whose predicate the new
-- row version meets. Before this migration a claim wrote four (primary key, lease, tags, (queue, state, finished_at)), a
-- completion three and a submit five; now a claim writes two (primary key, running), a completion two (primary key,
-- finished) and a submit three (primary key and the two ready indexes).
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.

-- Tag filters: only tagged rows (a filter states "tags <> '[]'" beside its "tags @> …"). An untagged row, most rows,
-- no longer adds an entry to the GIN index's pending list on every transition.
drop index if exists {schema}.tasks_tags_idx;
create index tasks_tags_idx on {schema}.tasks using gin (tags jsonb_path_ops) where tags <> '[]'::jsonb;

-- Retention, dead letters, finished lists: finished rows only (finished_at is set exactly when a task ends: succeeded,
-- dead or cancelled). "finished_at < $x" implies the predicate, so retention's per-queue seek is unchanged.
create index if not exists tasks_finished_idx on {schema}.tasks (queue, state, finished_at) where finished_at is not null;
drop index if exists {schema}.tasks_queue_state_finished_idx;

-- Running rows (a lease is set exactly while a task runs): the rescuer's expired leases, the running count of a queue with
-- a concurrency limit (by queue, which the old (queue, state) index served), running per node. It replaces the lease index;
-- its predicate is still one no completion or heartbeat states, so their plans keep the primary key (see migration 6).
create index if not exists tasks_running_idx on {schema}.tasks (queue, lease_expires_at) where lease_expires_at is not null;
drop index if exists {schema}.tasks_lease_idx;
