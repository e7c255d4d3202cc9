-- Nexus PostgreSQL schema: unique keys are unique per queue.
-- A key unique across every queue let one tenant learn whether another tenant's key exists (and its task id), and
-- turn that tenant's submits into silent no-ops (issue 15). Keyed on (queue, unique_key), a queue-limited caller only
-- ever meets the keys of the queues it may use. Existing rows satisfy the new index: they were unique on the key alone.
drop index {schema}.tasks_unique_key_idx;
create unique index tasks_unique_key_idx on {schema}.tasks (queue, unique_key) where unique_key is not null;
