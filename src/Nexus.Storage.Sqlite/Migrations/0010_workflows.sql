-- Nexus SQLite schema, version 10: workflows (issue 10). A definition's versions are immutable; a run keeps a copy
-- of the definition it started with. Each step (and each forEach item, item >= 0) is one row; its tasks are ordinary
-- tasks whose owner is 'workflow:<run>/<step>…'.
-- IF NOT EXISTS throughout: tests downgrade a migrated database by hand (to an older version number) and migrate it again.
CREATE TABLE IF NOT EXISTS nexus_workflows (
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS nexus_workflow_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow        TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    definition      TEXT    NOT NULL,
    input           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'compensating', 'compensated', 'compensationFailed', 'cancelled')),
    paused          INTEGER NOT NULL DEFAULT 0,
    output          TEXT,
    error           TEXT,
    idempotency_key TEXT,
    parent_run_id   INTEGER,
    parent_step_id  TEXT,
    completions     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS nexus_workflow_runs_key ON nexus_workflow_runs (workflow, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS nexus_workflow_runs_workflow ON nexus_workflow_runs (workflow, id);

CREATE TABLE IF NOT EXISTS nexus_workflow_steps (
    run_id               INTEGER NOT NULL,
    step_id              TEXT    NOT NULL,
    item                 INTEGER NOT NULL,
    state                TEXT    NOT NULL,
    task_id              INTEGER,
    attempt              INTEGER NOT NULL DEFAULT 0,
    output               TEXT,
    error                TEXT,
    started_at           INTEGER,
    finished_at          INTEGER,
    completed_seq        INTEGER,
    item_count           INTEGER NOT NULL DEFAULT 0,
    items_done           INTEGER NOT NULL DEFAULT 0,
    items_released       INTEGER NOT NULL DEFAULT 0,
    child_run_id         INTEGER,
    compensation         TEXT,
    compensation_task_id INTEGER,
    compensation_error   TEXT,
    PRIMARY KEY (run_id, step_id, item)
) WITHOUT ROWID;
