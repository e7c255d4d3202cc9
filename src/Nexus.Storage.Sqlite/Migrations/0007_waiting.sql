-- Nexus SQLite schema, version 7: tasks that wait, and what owns a task.
-- A waiting task is stored but never claimable (the ready index does not hold it) until what it waits on releases it
-- to 'available'. owner links a task to what owns it (a workflow run and step); owned tasks are deleted with their
-- owner, never by task retention. SQLite cannot change a CHECK constraint, so the table is rebuilt; ids are never
-- reused (fencing and keyset paging rely on it), so the AUTOINCREMENT counter is carried over as it was.
CREATE TABLE nexus_tasks_sequence_keep AS SELECT seq FROM sqlite_sequence WHERE name = 'nexus_tasks';

CREATE TABLE nexus_tasks_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin           TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL CHECK (state IN ('scheduled','available','running','succeeded','retrying','dead','cancelled','waiting')),
    args             TEXT    NOT NULL,
    result           TEXT,
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at           INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    attempted_at     INTEGER,
    finished_at      INTEGER,
    lease_token      TEXT,
    lease_expires_at INTEGER,
    leased_by        TEXT,
    unique_key       TEXT,
    tags             TEXT    NOT NULL DEFAULT '[]',
    errors           TEXT    NOT NULL DEFAULT '[]',
    progress         TEXT,
    timeout_ms       INTEGER,
    retry            TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    trace_context    TEXT,
    owner            TEXT
);

INSERT INTO nexus_tasks_new (id, plugin, queue, priority, state, args, result, attempt, max_attempts, run_at, created_at,
                             attempted_at, finished_at, lease_token, lease_expires_at, leased_by, unique_key, tags, errors,
                             progress, timeout_ms, retry, cancel_requested, trace_context)
SELECT id, plugin, queue, priority, state, args, result, attempt, max_attempts, run_at, created_at,
       attempted_at, finished_at, lease_token, lease_expires_at, leased_by, unique_key, tags, errors,
       progress, timeout_ms, retry, cancel_requested, trace_context
FROM nexus_tasks;

DROP TABLE nexus_tasks;
ALTER TABLE nexus_tasks_new RENAME TO nexus_tasks;

UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM nexus_tasks_sequence_keep))
WHERE name = 'nexus_tasks' AND EXISTS (SELECT 1 FROM nexus_tasks_sequence_keep);
INSERT INTO sqlite_sequence (name, seq)
SELECT 'nexus_tasks', seq FROM nexus_tasks_sequence_keep
WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'nexus_tasks');
DROP TABLE nexus_tasks_sequence_keep;

CREATE INDEX nexus_tasks_ready ON nexus_tasks (priority DESC, run_at, id)
    WHERE state IN ('available','scheduled','retrying');
CREATE INDEX nexus_tasks_running_lease ON nexus_tasks (lease_expires_at) WHERE state = 'running';
CREATE UNIQUE INDEX nexus_tasks_unique_key ON nexus_tasks (queue, unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX nexus_tasks_queue_state ON nexus_tasks (queue, state);
CREATE INDEX nexus_tasks_owner ON nexus_tasks (owner) WHERE owner IS NOT NULL;
