-- Nexus PostgreSQL schema, version 10: schedules with their history of fires, and the service registry.
-- A fire row is unique per (schedule, slot) and is inserted in the same transaction as the task it submits, so two
-- nodes ticking at once cannot both fire a slot: the second insert conflicts and its whole batch rolls back.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.
create table if not exists {schema}.schedules (
    name          text        primary key,
    cron          text        not null,
    time_zone     text        not null,
    target_kind   text        not null check (target_kind in ('task', 'event', 'workflow')),
    target        jsonb       not null,
    misfire       text        not null check (misfire in ('skip', 'fire-once', 'fire-all')),
    catch_up      interval    not null,
    overlap       text        not null check (overlap in ('skip', 'buffer-one', 'allow-all', 'cancel-previous')),
    description   text,
    paused        boolean     not null default false,
    pause_reason  text,
    resume_at     timestamptz,
    cursor_at     timestamptz not null,
    next_fire_at  timestamptz,
    buffered_slot timestamptz,
    last_task_id  bigint,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);
create index if not exists schedules_due_idx on {schema}.schedules (next_fire_at) where not paused;

create table if not exists {schema}.schedule_fires (
    schedule   text        not null,
    slot       timestamptz not null,
    outcome    text        not null check (outcome in ('fired', 'misfired', 'skipped', 'buffered', 'failed')),
    task_id    bigint,
    count      int         not null default 1,
    detail     text,
    node       text        not null,
    decided_at timestamptz not null,
    primary key (schedule, slot)
);

create table if not exists {schema}.services (
    name                 text        not null,
    id                   text        not null,
    version              text        not null default '',
    base_url             text        not null,
    capabilities         jsonb       not null default '[]',
    metadata             jsonb       not null default '{}',
    health_path          text,
    check_mode           text        not null check (check_mode in ('ttl', 'http')),
    ttl                  interval    not null,
    check_interval       interval    not null,
    passes_to_healthy    int         not null,
    failures_to_critical int         not null,
    deregister_after     interval    not null,
    status               text        not null check (status in ('starting', 'healthy', 'critical')),
    passes               int         not null default 0,
    failures             int         not null default 0,
    critical_since       timestamptz,
    last_check_at        timestamptz,
    last_seen_at         timestamptz not null,
    last_error           text,
    registered_at        timestamptz not null,
    primary key (name, id)
);
