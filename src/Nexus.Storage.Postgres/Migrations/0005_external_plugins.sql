-- Nexus PostgreSQL schema, version 5: plugins declared by external workers (served over HTTP, in any language).
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.

create table {schema}.external_plugins (
    name         text        primary key,
    description  text        not null default '',
    version      text        not null default '1.0.0',
    queue        text        not null,
    args_schema  jsonb       not null,   -- JSON Schema (the subset Nexus enforces)
    max_attempts int,
    timeout_ms   bigint,
    declared_by  text        not null,
    declared_at  timestamptz not null
);
