-- Nexus SQLite schema, version 2: API keys of the HTTP server. Only a hash of each secret is kept.
CREATE TABLE nexus_api_keys (
    id          TEXT    PRIMARY KEY,           -- public id, part of the key text
    name        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,              -- lower-case hex SHA-256 of the whole key
    role        TEXT    NOT NULL,
    queues      TEXT    NOT NULL DEFAULT '[]', -- JSON array; empty means every queue
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER,
    created_by  TEXT
);
