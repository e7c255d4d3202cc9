-- Nexus PostgreSQL schema: retention reads an index. The (queue, state) index gains finished_at, so retention's delete
-- of finished tasks past their keep time seeks straight to them queue by queue instead of walking the whole table (a
-- 30-minute soak measured 1.35 s a pass, deleting nothing, at 14M rows). Every write that updated the old index
-- updates this one instead: no index is added to the hot path.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.
create index if not exists tasks_queue_state_finished_idx on {schema}.tasks (queue, state, finished_at);
drop index if exists {schema}.tasks_queue_state_idx;
