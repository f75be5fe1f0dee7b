-- 0095 Search finds word forms (issue 14): the blind index now holds each word's English stem
-- (features/search/blind-index.ts, INDEX_VERSION 2). Every record written from now on is indexed
-- at version 2; records indexed before are re-indexed in the background, school by school
-- (features/search/reindex.ts, jobs/search-reindex.ts), or at once by `lantern search reindex`.
-- Until a record is re-indexed a search by its words does not find it, and the search page says
-- how many records are still waiting. Never edit this file once landed.

-- Actions and conversations gain the version their concerns already had (0003).
ALTER TABLE actions ADD COLUMN index_version smallint NOT NULL DEFAULT 1;
ALTER TABLE conversations ADD COLUMN index_version smallint NOT NULL DEFAULT 1;

-- What is written from now on carries version 2 (the code also writes it where it re-indexes).
ALTER TABLE concerns ALTER COLUMN index_version SET DEFAULT 2;
ALTER TABLE actions ALTER COLUMN index_version SET DEFAULT 2;
ALTER TABLE conversations ALTER COLUMN index_version SET DEFAULT 2;

-- The records still waiting, found without reading the rest: the index holds only them, so it
-- is empty once a school is done.
CREATE INDEX concerns_reindex ON concerns (school_id, id) WHERE index_version < 2;
CREATE INDEX actions_reindex ON actions (school_id, id) WHERE index_version < 2;
CREATE INDEX conversations_reindex ON conversations (school_id, id) WHERE index_version < 2;

-- A conversation is written once and never changed (0003 grants no UPDATE); the re-index may
-- replace its search tokens and version, and nothing else of it.
GRANT UPDATE (search_tokens, index_version) ON conversations TO lantern_app;
