-- Counts of tasks by queue and state, kept by the store's writes (SqliteTaskCounts) so that reading them (the dashboard's
-- overview and queue pages, the API's queue list, the queue-depth metric) never counts the table.
CREATE TABLE IF NOT EXISTS nexus_task_counts (
    queue TEXT    NOT NULL,
    state TEXT    NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (queue, state)
) WITHOUT ROWID;

DELETE FROM nexus_task_counts;
INSERT INTO nexus_task_counts (queue, state, n)
SELECT queue, state, count(*) FROM nexus_tasks GROUP BY queue, state;
