-- Nexus SQLite schema, version 1. Times are UTC Unix milliseconds.
CREATE TABLE nexus_tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: fencing and keyset paging rely on it
    plugin           TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL CHECK (state IN ('scheduled','available','running','succeeded','retrying','dead','cancelled')),
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
    cancel_requested INTEGER NOT NULL DEFAULT 0
);

-- The claim path reads only ready rows; finished tasks never enter this index.
CREATE INDEX nexus_tasks_ready ON nexus_tasks (priority DESC, run_at, id)
    WHERE state IN ('available','scheduled','retrying');
CREATE INDEX nexus_tasks_running_lease ON nexus_tasks (lease_expires_at) WHERE state = 'running';
CREATE UNIQUE INDEX nexus_tasks_unique_key ON nexus_tasks (unique_key) WHERE unique_key IS NOT NULL;
CREATE INDEX nexus_tasks_queue_state ON nexus_tasks (queue, state);

CREATE TABLE nexus_queues (
    name            TEXT PRIMARY KEY,
    paused          INTEGER NOT NULL DEFAULT 0,
    max_concurrency INTEGER,
    max_backlog     INTEGER
);

CREATE TABLE nexus_leaders (
    name       TEXT PRIMARY KEY,
    node_id    TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
