-- A command that decided on its organization's resident copy
-- (src/commands/execute.ts) sends BEGIN, the organization's lock, this check
-- and its append as one simple query. The check raises OS005 when the
-- organization's last event or the read-model tables (their identity: a
-- rebuild swaps in new ones) are not the copy's, so a decision made on a stale
-- copy never reaches the append: the rest of the query is skipped and the
-- command decides again under the lock.
CREATE FUNCTION orgstream_expect_head(organization uuid, head bigint, generation oid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  actual bigint;
BEGIN
  -- The organization's index from its end (a row comparison, so no plan
  -- walks the primary key past other organizations' events).
  SELECT CASE WHEN e.organization_id = organization THEN e.position END INTO actual
  FROM events e
  WHERE (e.organization_id, e.position) <= (organization, 9223372036854775807)
  ORDER BY e.organization_id DESC, e.position DESC
  LIMIT 1;
  IF coalesce(actual, 0) <> head OR to_regclass('teams')::oid IS DISTINCT FROM generation THEN
    RAISE EXCEPTION 'the resident copy is not current (head %, expected %)', coalesce(actual, 0), head
      USING ERRCODE = 'OS005';
  END IF;
END $$;
