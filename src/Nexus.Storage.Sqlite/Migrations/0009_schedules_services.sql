-- Nexus SQLite schema, version 9: schedules with their history of fires, and the service registry.
-- A fire row is unique per (schedule, slot) and is inserted in the same transaction as the task it submits, so two
-- processes ticking at once cannot both fire a slot: the second insert conflicts and its whole batch rolls back.
-- Times are Unix milliseconds. "IF NOT EXISTS": the migration tests roll a database back to an older version number by
-- hand and migrate it again.
CREATE TABLE IF NOT EXISTS nexus_schedules (
    name          TEXT    PRIMARY KEY,
    cron          TEXT    NOT NULL,
    time_zone     TEXT    NOT NULL,
    target_kind   TEXT    NOT NULL CHECK (target_kind IN ('task','event','workflow')),
    target        TEXT    NOT NULL,
    misfire       TEXT    NOT NULL CHECK (misfire IN ('skip','fire-once','fire-all')),
    catch_up_ms   INTEGER NOT NULL,
    overlap       TEXT    NOT NULL CHECK (overlap IN ('skip','buffer-one','allow-all','cancel-previous')),
    description   TEXT,
    paused        INTEGER NOT NULL DEFAULT 0,
    pause_reason  TEXT,
    resume_at     INTEGER,
    cursor_at     INTEGER NOT NULL,
    next_fire_at  INTEGER,
    buffered_slot INTEGER,
    last_task_id  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS nexus_schedules_due ON nexus_schedules (next_fire_at) WHERE paused = 0;

CREATE TABLE IF NOT EXISTS nexus_schedule_fires (
    schedule   TEXT    NOT NULL,
    slot       INTEGER NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('fired','misfired','skipped','buffered','failed')),
    task_id    INTEGER,
    count      INTEGER NOT NULL DEFAULT 1,
    detail     TEXT,
    node       TEXT    NOT NULL,
    decided_at INTEGER NOT NULL,
    PRIMARY KEY (schedule, slot)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS nexus_services (
    name                TEXT    NOT NULL,
    id                  TEXT    NOT NULL,
    version             TEXT    NOT NULL DEFAULT '',
    base_url            TEXT    NOT NULL,
    capabilities        TEXT    NOT NULL DEFAULT '[]',
    metadata            TEXT    NOT NULL DEFAULT '{}',
    health_path         TEXT,
    check_mode          TEXT    NOT NULL CHECK (check_mode IN ('ttl','http')),
    ttl_ms              INTEGER NOT NULL,
    check_interval_ms   INTEGER NOT NULL,
    passes_to_healthy   INTEGER NOT NULL,
    failures_to_critical INTEGER NOT NULL,
    deregister_after_ms INTEGER NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('starting','healthy','critical')),
    passes              INTEGER NOT NULL DEFAULT 0,
    failures            INTEGER NOT NULL DEFAULT 0,
    critical_since      INTEGER,
    last_check_at       INTEGER,
    last_seen_at        INTEGER NOT NULL,
    last_error          TEXT,
    registered_at       INTEGER NOT NULL,
    PRIMARY KEY (name, id)
);
