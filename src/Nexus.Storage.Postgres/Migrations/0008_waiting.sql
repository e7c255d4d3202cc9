-- Nexus PostgreSQL schema: tasks that wait, and what owns a task.
-- A waiting task is stored but never claimable (no ready index holds it) until what it waits on releases it to
-- 'available'. owner links a task to what owns it (a workflow run and step); owned tasks are deleted with their
-- owner, never by task retention.
alter table {schema}.tasks drop constraint tasks_state_check;
alter table {schema}.tasks add constraint tasks_state_check
    check (state in ('scheduled', 'available', 'running', 'succeeded', 'retrying', 'dead', 'cancelled', 'waiting'));
alter table {schema}.tasks add column owner text;
create index tasks_owner_idx on {schema}.tasks (owner) where owner is not null;
