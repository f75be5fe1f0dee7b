-- Issue 12: a transaction's audit entries are appended to the school's chain in one statement,
-- so the chain head (which serialises a school's writers) is held from that statement to the
-- commit, one round trip, rather than two. The hash of each entry is the one chain.ts has always
-- used, sha256(previous hash || canonical JSON of the entry): the application computes each
-- entry's canonical JSON around its sequence number (`before`, `after`), which only the head
-- knows, and this function puts the number in, hashes, inserts, and moves the head. verify.ts
-- checks the result exactly as before. Runs as the caller (row-level security applies).
-- Never edit this file once landed.
CREATE FUNCTION lantern_append_audit(
  p_school uuid, p_at timestamptz, p_genesis bytea,
  p_actor_id uuid[], p_actor_label text[], p_action text[], p_target_type text[],
  p_target_id text[], p_ip text[], p_user_agent text[], p_details text[],
  p_before text[], p_after text[])
  RETURNS bigint
  LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  v_seq bigint;
  v_hash bytea;
  v_first bigint;
  v_prev bytea[] := '{}';
  v_hashes bytea[] := '{}';
  n integer := coalesce(array_length(p_action, 1), 0);
BEGIN
  INSERT INTO audit_heads AS h (school_id, seq, hash) VALUES (p_school, 0, p_genesis)
    ON CONFLICT (school_id) DO UPDATE SET seq = h.seq
    RETURNING h.seq, h.hash INTO v_seq, v_hash;
  IF n = 0 THEN
    RETURN v_seq;
  END IF;
  v_first := v_seq + 1;
  FOR i IN 1 .. n LOOP
    v_seq := v_seq + 1;
    v_prev := v_prev || v_hash;
    v_hash := sha256(v_hash || convert_to(p_before[i] || v_seq::text || p_after[i], 'UTF8'));
    v_hashes := v_hashes || v_hash;
  END LOOP;
  INSERT INTO audit_events (school_id, seq, at, actor_id, actor_label, action, target_type,
    target_id, ip, user_agent, details, prev_hash, hash)
  SELECT p_school, v_first + e.n - 1, p_at, e.actor_id, e.actor_label, e.action, e.target_type,
         e.target_id, e.ip, e.user_agent, e.details::jsonb, e.prev_hash, e.hash
  FROM unnest(p_actor_id, p_actor_label, p_action, p_target_type, p_target_id, p_ip,
              p_user_agent, p_details, v_prev, v_hashes)
    WITH ORDINALITY AS e(actor_id, actor_label, action, target_type, target_id, ip, user_agent,
                         details, prev_hash, hash, n);
  UPDATE audit_heads SET seq = v_seq, hash = v_hash WHERE school_id = p_school;
  RETURN v_seq;
END
$$;

REVOKE ALL ON FUNCTION lantern_append_audit(uuid, timestamptz, bytea, uuid[], text[], text[],
  text[], text[], text[], text[], text[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lantern_append_audit(uuid, timestamptz, bytea, uuid[], text[], text[],
  text[], text[], text[], text[], text[], text[], text[]) TO lantern_app;
