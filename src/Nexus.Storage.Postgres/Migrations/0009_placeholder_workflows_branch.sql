-- PLACEHOLDER on branch 'workflows' only, so that 0011 has no gap before the other sessions' migrations
-- are merged. The lead deletes this file at merge (the real 0009 comes from another branch).
select 1;
