-- PLACEHOLDER on branch 'workflows' only, so that 0010 has no gap before the other sessions' migrations
-- are merged. The lead deletes this file at merge (the real 0008 comes from another branch).
SELECT 1;
