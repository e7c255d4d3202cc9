-- Nexus SQLite schema, version 3: the W3C trace context of the submit, so the execution span continues its trace.
-- Null for tasks submitted outside any trace (and for every task stored before this version).
ALTER TABLE nexus_tasks ADD COLUMN trace_context TEXT;
