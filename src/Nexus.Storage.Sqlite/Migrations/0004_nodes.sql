-- Nexus SQLite schema, version 4: the nodes that work on tasks (engines and external workers), one row each,
-- refreshed by their heartbeats. (Version 3 is the trace context of tasks.) Times are UTC Unix milliseconds.
CREATE TABLE nexus_nodes (
    id           TEXT    PRIMARY KEY,            -- the lease holder name its claims carry (leased_by)
    kind         TEXT    NOT NULL CHECK (kind IN ('engine','external')),
    host         TEXT    NOT NULL DEFAULT '',
    pid          INTEGER,
    concurrency  INTEGER NOT NULL DEFAULT 0,
    queues       TEXT    NOT NULL DEFAULT '[]',  -- JSON array; empty means every queue
    plugins      TEXT    NOT NULL DEFAULT '[]',  -- JSON array
    started_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
-- Running tasks are counted per node from the running rows (few: bounded by the nodes' concurrency) through the
-- existing partial index on running leases; no extra index slows down claims and completions for a rare listing.
