-- 0095 Search finds word forms (issue 14): the blind index now holds each word's English stem
-- (features/search/blind-index.ts, INDEX_VERSION 2). The code writes each record's version with
-- its tokens; records indexed before are re-indexed in the background, school by school
-- (features/search/reindex.ts, jobs/search-reindex.ts), or at once by `lantern search reindex`.
-- Until a record is re-indexed a search by its words does not find it, the search page says the
-- index is being rebuilt, and a subject-access gathering waits. Never edit this file once landed.

-- Actions and conversations gain the version their concerns already had (0003).
ALTER TABLE actions ADD COLUMN index_version smallint NOT NULL DEFAULT 1;
ALTER TABLE conversations ADD COLUMN index_version smallint NOT NULL DEFAULT 1;
-- The columns' default stays 1, the oldest version: a writer that does not say which version its
-- tokens are (a process still on the old code during a rolling upgrade, say) leaves its record to
-- be re-indexed from its text, never marked current with tokens of an older kind.

-- The records still waiting, found without reading the rest: the index holds only them, so it
-- is empty once a school is done.
CREATE INDEX concerns_reindex ON concerns (school_id, id) WHERE index_version < 2;
CREATE INDEX actions_reindex ON actions (school_id, id) WHERE index_version < 2;
CREATE INDEX conversations_reindex ON conversations (school_id, id) WHERE index_version < 2;

-- A conversation is written once and never changed (0003 grants no UPDATE); the re-index may
-- replace its search tokens and version, and nothing else of it.
GRANT UPDATE (search_tokens, index_version) ON conversations TO lantern_app;
