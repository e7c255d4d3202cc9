-- Nexus PostgreSQL schema: counts of tasks by queue and state, kept incrementally (the dashboard's overview and queue
-- pages, the queue list of the API, the queue-depth metric), so reading them never counts the table.
-- Every statement that inserts, updates or deletes task rows appends its net change per (queue, state) to
-- task_count_deltas through one statement-level trigger per kind (transition tables: one call per statement, not one per
-- row, and no counter row that concurrent transactions would queue on). The maintenance leader folds the committed
-- deltas into task_counts; a read sums both, so it is exact at its snapshot whether or not a fold has run.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.
create table if not exists {schema}.task_counts (
    queue text   not null,
    state text   not null,
    n     bigint not null,
    primary key (queue, state)
);

create table if not exists {schema}.task_count_deltas (
    queue text   not null,
    state text   not null,
    n     bigint not null
);

create or replace function {schema}.task_counts_inserted() returns trigger language plpgsql as $$
begin
    insert into {schema}.task_count_deltas (queue, state, n)
    select queue, state, count(*) from inserted group by queue, state;
    return null;
end $$;

create or replace function {schema}.task_counts_updated() returns trigger language plpgsql as $$
begin
    insert into {schema}.task_count_deltas (queue, state, n)
    select queue, state, sum(n) from (
        select queue, state, -1 as n from before_rows
        union all
        select queue, state, 1 from after_rows
    ) change
    group by queue, state
    having sum(n) <> 0;
    return null;
end $$;

create or replace function {schema}.task_counts_deleted() returns trigger language plpgsql as $$
begin
    insert into {schema}.task_count_deltas (queue, state, n)
    select queue, state, -count(*) from deleted group by queue, state;
    return null;
end $$;

drop trigger if exists tasks_count_insert on {schema}.tasks;
create trigger tasks_count_insert after insert on {schema}.tasks
    referencing new table as inserted for each statement execute function {schema}.task_counts_inserted();
drop trigger if exists tasks_count_update on {schema}.tasks;
create trigger tasks_count_update after update on {schema}.tasks
    referencing old table as before_rows new table as after_rows for each statement execute function {schema}.task_counts_updated();
drop trigger if exists tasks_count_delete on {schema}.tasks;
create trigger tasks_count_delete after delete on {schema}.tasks
    referencing old table as deleted for each statement execute function {schema}.task_counts_deleted();

-- The counts of the rows already there. Creating the triggers waited for every open writer of the table and holds its
-- lock until this transaction commits, so no write falls between this count and the triggers (nodes of an older
-- version fire them too: they belong to the table, not to the code).
delete from {schema}.task_counts;
delete from {schema}.task_count_deltas;
insert into {schema}.task_counts (queue, state, n)
select queue, state, count(*) from {schema}.tasks group by queue, state;
