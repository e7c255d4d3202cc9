-- Nexus SQLite schema, version 5: plugins declared by external workers (served over HTTP, in any language).
CREATE TABLE nexus_external_plugins (
    name         TEXT    PRIMARY KEY,
    description  TEXT    NOT NULL DEFAULT '',
    version      TEXT    NOT NULL DEFAULT '1.0.0',
    queue        TEXT    NOT NULL,
    args_schema  TEXT    NOT NULL,   -- JSON Schema (the subset Nexus enforces)
    max_attempts INTEGER,
    timeout_ms   INTEGER,
    declared_by  TEXT    NOT NULL,
    declared_at  INTEGER NOT NULL
);
