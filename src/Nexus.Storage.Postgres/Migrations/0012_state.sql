-- Nexus PostgreSQL schema: the versioned state store. Keys use the "C" collation so that they order by code point
-- (a prefix is one index range, as on SQLite). A key's row stays after a delete or an expiry (value null, a
-- tombstone) so that its version goes on counting. Values are text: JSON exactly as written.
create table if not exists {schema}.state (
    namespace  text        not null,
    key        text        collate "C" not null,
    value      text,
    version    bigint      not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    expires_at timestamptz,
    primary key (namespace, key)
);
create index if not exists state_expiry_idx on {schema}.state (expires_at) where expires_at is not null;

create table if not exists {schema}.state_history (
    namespace text        not null,
    key       text        collate "C" not null,
    version   bigint      not null,
    op        text        not null check (op in ('set', 'delete', 'expire')),
    value     text,
    at        timestamptz not null,
    primary key (namespace, key, version)
);
