-- Words searched through the keyed blind index. Under row-level security the planner may not use
-- the GIN indexes on search_tokens: `@>` is not leakproof, so it must apply the tenant policy
-- first and test every one of a school's rows (150-215 ms over 200,000 concerns). This function
-- answers one question — which records OF THE CURRENT SCHOOL hold all these tokens — as the owner,
-- so the GIN index serves it; it returns ids only, never text. The tenant filter is explicit (no
-- school set: no rows), and the caller's query still applies row-level security and every
-- permission filter to the records themselves. Changing it safely: keep the school_id condition
-- on every branch and keep it returning ids alone.
CREATE FUNCTION lantern_search_matches(p_kind text, p_tokens text[])
  RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$
    SELECT id FROM concerns
     WHERE p_kind = 'concern' AND school_id = lantern_current_school() AND search_tokens @> p_tokens
    UNION ALL
    SELECT id FROM actions
     WHERE p_kind = 'action' AND school_id = lantern_current_school() AND search_tokens @> p_tokens
    UNION ALL
    SELECT id FROM conversations
     WHERE p_kind = 'conversation' AND school_id = lantern_current_school()
       AND search_tokens @> p_tokens
  $$;

REVOKE ALL ON FUNCTION lantern_search_matches(text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_search_matches(text, text[]) TO lantern_app;
