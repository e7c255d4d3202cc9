-- Nexus SQLite schema, version 8: the event log, namespaces, subscriptions and the namespaces' dead letters; API keys
-- limited to namespaces.
-- The log's position is the rowid (AUTOINCREMENT: never reused after retention deletes the newest rows). Every write
-- holds SQLite's one write lock from BEGIN IMMEDIATE to COMMIT, so positions commit in order and a reader that follows
-- position > cursor never skips a late commit.
CREATE TABLE nexus_namespaces (
    name        TEXT    PRIMARY KEY,
    description TEXT,
    created_at  INTEGER NOT NULL
);
CREATE TABLE nexus_events (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace       TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 1,
    event_key       TEXT,
    headers         TEXT    NOT NULL DEFAULT '{}',
    payload         TEXT    NOT NULL,
    time            INTEGER NOT NULL,
    trace_context   TEXT,
    idempotency_key TEXT
);
CREATE INDEX nexus_events_ns_idx ON nexus_events (namespace, position);
CREATE INDEX nexus_events_time_idx ON nexus_events (time);
CREATE UNIQUE INDEX nexus_events_idem_idx ON nexus_events (namespace, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TABLE nexus_subscriptions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace      TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    pattern        TEXT    NOT NULL,
    filter         TEXT,
    action         TEXT    NOT NULL,
    target         TEXT,
    args_template  TEXT,
    queue          TEXT    NOT NULL,
    max_deliveries INTEGER NOT NULL,
    ordered_by_key INTEGER NOT NULL DEFAULT 0,
    cursor_tx      INTEGER NOT NULL DEFAULT 0,
    cursor_pos     INTEGER NOT NULL DEFAULT 0,
    epoch          INTEGER NOT NULL DEFAULT 0,   -- raised by each cursor move: deliveries made after it are new ones
    created_at     INTEGER NOT NULL,
    UNIQUE (namespace, name)
);
CREATE TABLE nexus_event_dead_letters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace    TEXT    NOT NULL,
    subscription TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    topic        TEXT    NOT NULL,
    task_id      INTEGER,
    deliveries   INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX nexus_event_dead_letters_ns_idx ON nexus_event_dead_letters (namespace, id);
ALTER TABLE nexus_api_keys ADD COLUMN namespaces TEXT NOT NULL DEFAULT '[]';
INSERT INTO nexus_namespaces (name, description, created_at) VALUES ('default', 'The namespace used when none is named', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
