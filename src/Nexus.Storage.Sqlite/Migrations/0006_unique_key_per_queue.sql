-- Nexus SQLite schema, version 6: unique keys are unique per queue.
-- A key unique across every queue let one tenant learn whether another tenant's key exists (and its task id), and
-- turn that tenant's submits into silent no-ops (issue 15). Existing rows satisfy the new index: they were unique on
-- the key alone.
DROP INDEX nexus_tasks_unique_key;
CREATE UNIQUE INDEX nexus_tasks_unique_key ON nexus_tasks (queue, unique_key) WHERE unique_key IS NOT NULL;
