-- The append no longer sends NOTIFY itself: a transaction that notifies holds
-- a database-wide lock from its NOTIFY until its commit is flushed, so every
-- append committed (and flushed) one at a time. The service notifies right
-- after its commit instead (src/eventStore/eventStore.ts); content is always
-- read from the table, so a lost notification costs one polling interval.
-- Generic plans: the function's statements are re-planned on every call
-- otherwise, which measured as a sixth of its cost.
CREATE OR REPLACE FUNCTION orgstream_append(
  p_organization_id uuid,
  p_stream_ids text[],
  p_expected_versions bigint[],
  p_event_ids uuid[],
  p_event_streams integer[],
  p_types text[],
  p_schema_versions integer[],
  p_data jsonb[],
  p_metadata jsonb[],
  p_occurred_at timestamptz[]
) RETURNS TABLE (event_id uuid, stream_id text, stream_version integer, "position" bigint, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
-- The output column names double as table column names; in queries they mean the columns.
#variable_conflict use_column
DECLARE
  v_count integer := coalesce(array_length(p_event_ids, 1), 0);
  v_streams integer := coalesce(array_length(p_stream_ids, 1), 0);
  v_existing integer;
  v_reserved record;
  v_stream record;
BEGIN
  IF v_count = 0 OR v_streams = 0 THEN
    RAISE EXCEPTION 'an append needs at least one event' USING ERRCODE = 'OS002';
  END IF;
  IF array_length(p_expected_versions, 1) IS DISTINCT FROM v_streams
     OR array_length(p_event_streams, 1) IS DISTINCT FROM v_count
     OR array_length(p_types, 1) IS DISTINCT FROM v_count
     OR array_length(p_schema_versions, 1) IS DISTINCT FROM v_count
     OR array_length(p_data, 1) IS DISTINCT FROM v_count
     OR array_length(p_metadata, 1) IS DISTINCT FROM v_count
     OR array_length(p_occurred_at, 1) IS DISTINCT FROM v_count THEN
    RAISE EXCEPTION 'append arrays differ in length' USING ERRCODE = 'OS002';
  END IF;
  IF (SELECT count(DISTINCT s) FROM unnest(p_stream_ids) s) <> v_streams THEN
    RAISE EXCEPTION 'a stream appears twice in one append' USING ERRCODE = 'OS002';
  END IF;

  -- Writers to one stream queue here, in a fixed order (no deadlocks between
  -- multi-stream appends). Advisory locks assign no transaction id.
  FOR v_stream IN
    SELECT DISTINCT hashtextextended(p_organization_id::text || '/' || s, 0) AS key
    FROM unnest(p_stream_ids) s ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(v_stream.key);
  END LOOP;

  -- A retried append (same event ids) is a no-op returning the original rows.
  SELECT count(*) INTO v_existing FROM events e WHERE e.event_id = ANY (p_event_ids);
  IF v_existing > 0 THEN
    IF v_existing = v_count AND NOT EXISTS (
      SELECT 1
      FROM unnest(p_event_ids, p_event_streams) AS r(id, stream_index)
      JOIN events e ON e.event_id = r.id
      WHERE e.organization_id <> p_organization_id OR e.stream_id <> p_stream_ids[r.stream_index]
    ) THEN
      RETURN QUERY
        SELECT e.event_id, e.stream_id, e.stream_version, e.position, e.recorded_at
        FROM events e WHERE e.event_id = ANY (p_event_ids) ORDER BY e.position;
      RETURN;
    END IF;
    RAISE EXCEPTION 'event ids already used by other events' USING ERRCODE = 'OS004';
  END IF;

  FOR v_stream IN
    SELECT r.stream_id, r.expected, s.version AS actual
    FROM unnest(p_stream_ids, p_expected_versions) AS r(stream_id, expected)
    LEFT JOIN streams s ON s.organization_id = p_organization_id AND s.stream_id = r.stream_id
  LOOP
    IF NOT (CASE
      WHEN v_stream.expected = -1 THEN true
      WHEN v_stream.expected = -2 OR v_stream.expected = 0 THEN v_stream.actual IS NULL
      WHEN v_stream.expected = -3 THEN v_stream.actual IS NOT NULL
      ELSE coalesce(v_stream.actual, 0) = v_stream.expected
    END) THEN
      RAISE EXCEPTION 'wrong expected version for stream %', v_stream.stream_id
        USING ERRCODE = 'OS001',
              DETAIL = json_build_object('streamId', v_stream.stream_id,
                                         'expected', v_stream.expected,
                                         'actual', coalesce(v_stream.actual, 0))::text;
    END IF;
  END LOOP;

  SELECT * INTO v_reserved FROM orgstream_reserve_positions(v_count);

  RETURN QUERY
  WITH input AS (
    SELECT r.ordinality AS n, r.id, r.stream_index, p_stream_ids[r.stream_index] AS stream_id,
           r.type, r.schema_version, r.data, r.metadata, r.occurred_at
    FROM unnest(p_event_ids, p_event_streams, p_types, p_schema_versions, p_data, p_metadata, p_occurred_at)
      WITH ORDINALITY AS r(id, stream_index, type, schema_version, data, metadata, occurred_at, ordinality)
  ),
  numbered AS (
    SELECT i.*, coalesce(s.version, 0) + row_number() OVER (PARTITION BY i.stream_index ORDER BY i.n) AS version
    FROM input i
    LEFT JOIN streams s ON s.organization_id = p_organization_id AND s.stream_id = i.stream_id
  ),
  inserted AS (
    INSERT INTO events (position, event_id, organization_id, stream_id, stream_version, type, schema_version,
                        data, metadata, occurred_at, recorded_at, transaction_id)
    SELECT v_reserved.first_position + n - 1, id, p_organization_id, numbered.stream_id, version, type, schema_version,
           data, metadata, coalesce(occurred_at, v_reserved.recorded_at), v_reserved.recorded_at, v_reserved.transaction_id
    FROM numbered
    RETURNING events.event_id, events.stream_id, events.stream_version, events.position, events.recorded_at
  ),
  heads AS (
    INSERT INTO streams AS s (organization_id, stream_id, version, created_at, updated_at)
    SELECT p_organization_id, i.stream_id, max(i.stream_version), v_reserved.recorded_at, v_reserved.recorded_at
    FROM inserted i GROUP BY i.stream_id
    ON CONFLICT (organization_id, stream_id)
      DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
  )
  -- Data-modifying CTEs always run to completion, so `heads` needs no reference.
  SELECT i.event_id, i.stream_id, i.stream_version, i.position, i.recorded_at
  FROM inserted i ORDER BY i.position;

END
$$;

ALTER FUNCTION orgstream_append(uuid, text[], bigint[], uuid[], integer[], text[], integer[], jsonb[], jsonb[], timestamptz[])
  SET plan_cache_mode = force_generic_plan;
