-- Nexus PostgreSQL schema: the event log, namespaces, subscriptions and the namespaces' dead letters; API keys limited
-- to namespaces.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.
--
-- The log is partitioned by day on its time (partitions events_pYYYYMMDD, UTC days), made ahead by the maintenance
-- loop and dropped whole by retention. Each row keeps the id of the transaction that appended it (tx_id): readers
-- follow (tx_id, position) and read only rows whose transaction is older than every transaction still running
-- (pg_snapshot_xmin), so a row that commits after a row with a higher position is never skipped (docs/events.md).
create table {schema}.namespaces (
    name        text        primary key,
    description text,
    created_at  timestamptz not null default now()
);
insert into {schema}.namespaces (name, description) values ('default', 'The namespace used when none is named');

create sequence {schema}.events_position_seq;
create table {schema}.events (
    position        bigint      not null,
    tx_id           xid8        not null default pg_current_xact_id(),
    namespace       text        not null,
    topic           text        not null,
    priority        smallint    not null default 1,
    event_key       text,
    headers         jsonb       not null default '{}',
    payload         jsonb       not null,
    time            timestamptz not null,
    trace_context   text,
    idempotency_key text,
    primary key (position, time)
) partition by range (time);
create index events_read_idx on {schema}.events (namespace, tx_id, position);
create index events_position_idx on {schema}.events (namespace, position);

-- Idempotency keys live beside the log: a unique index on a partitioned table must include the partition key.
create table {schema}.event_keys (
    namespace       text        not null,
    idempotency_key text        not null,
    position        bigint      not null,
    created_at      timestamptz not null default now(),
    primary key (namespace, idempotency_key)
);
create index event_keys_created_idx on {schema}.event_keys (created_at);

create table {schema}.subscriptions (
    id             bigint      generated always as identity primary key,
    namespace      text        not null,
    name           text        not null,
    pattern        text        not null,
    filter         jsonb,
    action         text        not null,
    target         text,
    args_template  jsonb,
    queue          text        not null,
    max_deliveries int         not null,
    ordered_by_key boolean     not null default false,
    cursor_tx      bigint      not null default 0,
    cursor_pos     bigint      not null default 0,
    epoch          bigint      not null default 0,   -- raised by each cursor move: deliveries made after it are new ones
    created_at     timestamptz not null,
    unique (namespace, name)
);

create table {schema}.event_dead_letters (
    id           bigint      generated always as identity primary key,
    namespace    text        not null,
    subscription text        not null,
    position     bigint      not null,
    topic        text        not null,
    task_id      bigint,
    deliveries   int         not null,
    reason       text        not null,
    created_at   timestamptz not null
);
create index event_dead_letters_ns_idx on {schema}.event_dead_letters (namespace, id);

alter table {schema}.api_keys add column namespaces jsonb not null default '[]';

-- Today's partition and the next three days' (UTC); the maintenance loop keeps making them ahead.
do $$
declare d date;
begin
    for d in select generate_series((now() at time zone 'UTC')::date - 1, (now() at time zone 'UTC')::date + 3, interval '1 day')::date loop
        execute format('create table %s.%I partition of %s.events for values from (%L) to (%L)',
            '{schema}', 'events_p' || to_char(d, 'YYYYMMDD'), '{schema}',
            to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
    end loop;
end $$;
