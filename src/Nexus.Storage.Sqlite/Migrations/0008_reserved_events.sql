-- PLACEHOLDER of the schedules branch: version 8 belongs to the events branch (0008_events.sql). Migrations must have
-- no gaps, and this branch's own migration is 0009; delete this file when merging the events branch.
SELECT 1;
