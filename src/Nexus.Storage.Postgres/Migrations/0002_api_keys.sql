-- Nexus PostgreSQL schema, version 2: API keys of the HTTP server. Only a hash of each secret is kept.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.

create table {schema}.api_keys (
    id          text        primary key,             -- public id, part of the key text
    name        text        not null,
    secret_hash text        not null,                -- lower-case hex SHA-256 of the whole key
    role        text        not null,
    queues      jsonb       not null default '[]',   -- empty means every queue
    created_at  timestamptz not null,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    created_by  text
);
