-- Nexus SQLite schema: retention reads an index. The (queue, state) index gains finished_at, so retention's delete of
-- finished tasks past their keep time seeks straight to them queue by queue instead of walking the whole table. Every
-- write that updated the old index updates this one instead: no index is added to the hot path.
CREATE INDEX IF NOT EXISTS nexus_tasks_queue_state_finished ON nexus_tasks (queue, state, finished_at);
DROP INDEX IF EXISTS nexus_tasks_queue_state;
