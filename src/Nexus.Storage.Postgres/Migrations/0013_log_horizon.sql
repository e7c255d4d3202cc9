-- Nexus PostgreSQL schema: the log's retention horizon. Dropping a partition first records the highest read order
-- (tx_id, position) of its rows per namespace, in the same transaction as the drop, so a reader (a watcher, a live client) resuming
-- at a cursor below it is told to resync instead of silently missing what was dropped.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.
create table if not exists {schema}.log_horizon (
    namespace text   primary key,
    tx        bigint not null,
    position  bigint not null
);
