-- Nexus SQLite schema: the log's retention horizon. Retention records the highest position it ever deleted per namespace, in the
-- same write as the delete, so a reader (a watcher, a live client) resuming at a position below it is told to resync
-- instead of silently missing what was deleted.
CREATE TABLE IF NOT EXISTS nexus_log_horizon (
    namespace TEXT    PRIMARY KEY,
    position  INTEGER NOT NULL
);
