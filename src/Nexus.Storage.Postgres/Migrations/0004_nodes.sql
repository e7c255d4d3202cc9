-- Nexus PostgreSQL schema, version 4: the nodes that work on tasks (engines and external workers), one row each,
-- refreshed by their heartbeats. (Version 3 is the trace context of tasks.)
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.

create table {schema}.nodes (
    id           text        primary key,            -- the lease holder name its claims carry (leased_by)
    kind         text        not null check (kind in ('engine', 'external')),
    host         text        not null default '',
    pid          int,
    concurrency  int         not null default 0,
    queues       jsonb       not null default '[]',  -- empty means every queue
    plugins      jsonb       not null default '[]',
    started_at   timestamptz not null,
    last_seen_at timestamptz not null
);
-- Running tasks are counted per node from the running rows (few: bounded by the nodes' concurrency) through the
-- existing partial index on running leases; no extra index slows down claims and completions for a rare listing.
