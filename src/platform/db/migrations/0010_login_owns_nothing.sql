-- 0010 The request-time login can come to own nothing (issue 11, finding 8). Request-time work
-- connects as a role that is a member of lantern_app and owns nothing (login-role.ts); an
-- injection that lowered the role switch must not be able to create objects either: a table or
-- function of its own, or a temporary table, which would shadow a real table (pg_temp is searched
-- first) for every later request on that pooled connection, whatever its school. So PUBLIC loses
-- CREATE on the schema (already so on clusters made by PostgreSQL 15 and later) and TEMPORARY on
-- the database; the owner keeps both, and Lantern makes no temporary tables.
-- An owner that is not the database's or the schema's owner cannot revoke these, and PostgreSQL
-- does not raise an error for it: REVOKE by a role without grant option only WARNs ("no
-- privileges could be revoked") and goes on, so the EXCEPTION branch below runs only for a role
-- with no privilege at all on the schema or database (rare: PUBLIC has USAGE and CONNECT). What
-- stops a login that still has them is the start-up check (checkLoginRole), naming this migration.
-- Never edit this file once landed: add a new numbered migration instead.

DO $$
BEGIN
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'Lantern could not revoke CREATE on schema public or TEMPORARY on this database '
    'from PUBLIC (%): do it as their owner', SQLERRM;
END
$$;
