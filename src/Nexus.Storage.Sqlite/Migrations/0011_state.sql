-- Nexus SQLite schema: the versioned state store. A key's row stays after a delete or an expiry (value NULL, a
-- tombstone) so that its version goes on counting and a version names one value for good.
CREATE TABLE IF NOT EXISTS nexus_state (
    namespace  TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT,               -- JSON text exactly as written; NULL: deleted or expired
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nexus_state_expiry ON nexus_state (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS nexus_state_history (
    namespace TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    version   INTEGER NOT NULL,
    op        TEXT    NOT NULL CHECK (op IN ('set', 'delete', 'expire')),
    value     TEXT,
    at        INTEGER NOT NULL,
    PRIMARY KEY (namespace, key, version)
) WITHOUT ROWID;
