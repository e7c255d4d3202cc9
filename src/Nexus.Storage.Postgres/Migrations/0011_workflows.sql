-- Nexus PostgreSQL schema: workflows (issue 10). A definition's versions are immutable; a run keeps a copy of the
-- definition it started with. Each step (and each forEach item, item >= 0) is one row; its tasks are ordinary tasks
-- whose owner is 'workflow:<run>/<step>…'. The planner locks a run's row (select … for update) while it applies a
-- step's completion, so two completions of one run (a join) apply one after the other.
-- if not exists throughout: tests downgrade a migrated schema by hand (to an older version number) and migrate it again.
create table if not exists {schema}.workflows (
    name        text        not null,
    version     int         not null,
    definition  text        not null,
    hash        text        not null,
    created_at  timestamptz not null,
    primary key (name, version)
);

create table if not exists {schema}.workflow_runs (
    id              bigint      generated always as identity primary key,
    workflow        text        not null,
    version         int         not null,
    definition      text        not null,
    input           text        not null,
    state           text        not null check (state in ('running', 'succeeded', 'failed', 'compensating', 'compensated', 'compensationFailed', 'cancelled')),
    paused          boolean     not null default false,
    output          text,
    error           text,
    idempotency_key text,
    parent_run_id   bigint,
    parent_step_id  text,
    completions     bigint      not null default 0,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    finished_at     timestamptz
);
create unique index if not exists workflow_runs_key_idx on {schema}.workflow_runs (workflow, idempotency_key) where idempotency_key is not null;
create index if not exists workflow_runs_workflow_idx on {schema}.workflow_runs (workflow, id);

create table if not exists {schema}.workflow_steps (
    run_id               bigint      not null,
    step_id              text        not null,
    item                 int         not null,
    state                text        not null,
    task_id              bigint,
    attempt              int         not null default 0,
    output               text,
    error                text,
    started_at           timestamptz,
    finished_at          timestamptz,
    completed_seq        bigint,
    item_count           int         not null default 0,
    items_done           int         not null default 0,
    items_released       int         not null default 0,
    child_run_id         bigint,
    compensation         text,
    compensation_task_id bigint,
    compensation_error   text,
    primary key (run_id, step_id, item)
);
