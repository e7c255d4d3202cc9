-- PLACEHOLDER of the schedules branch: version 9 belongs to another branch (events). Migrations must have no gaps,
-- and this branch's own migration is 0010; delete this file when merging the branch that owns 0009.
select 1;
