-- Nexus PostgreSQL schema, version 3: the W3C trace context of the submit, so the execution span continues its trace.
-- Null for tasks submitted outside any trace (and for every task stored before this version). Adding a nullable
-- column without a default changes only the catalog: no table rewrite, whatever the table's size.
-- {schema} is replaced by the validated, quoted schema name before this runs; nothing else is substituted.

alter table {schema}.tasks add column trace_context text;
