-- The same append contract in fewer statements (each statement in PL/pgSQL
-- pays planning and executor start-up): one stream is locked with one
-- expression; several streams in one statement; the duplicate-id and
-- expected-version checks are one statement; positions are reserved inline
-- with the same lock and the same guard against leaking it. Measured at
-- 206 -> ~140 us of server time per single-event append (bench/RESULTS.md).
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
#variable_conflict use_column
DECLARE
  v_count integer := coalesce(array_length(p_event_ids, 1), 0);
  v_streams integer := coalesce(array_length(p_stream_ids, 1), 0);
  v_check record;
  v_first bigint;
  v_transaction xid8;
  v_recorded_at timestamptz;
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
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'an append must be the first write of its transaction' USING ERRCODE = 'OS003';
  END IF;

  IF v_streams = 1 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_organization_id::text || '/' || p_stream_ids[1], 0));
  ELSE
    IF (SELECT count(DISTINCT s) FROM unnest(p_stream_ids) s) <> v_streams THEN
      RAISE EXCEPTION 'a stream appears twice in one append' USING ERRCODE = 'OS002';
    END IF;
    PERFORM pg_advisory_xact_lock(l.key)
    FROM (SELECT DISTINCT hashtextextended(p_organization_id::text || '/' || s, 0) AS key
          FROM unnest(p_stream_ids) s ORDER BY 1) l;
  END IF;

  SELECT (SELECT count(*) FROM events e WHERE e.event_id = ANY (p_event_ids)) AS existing,
         bad.stream_id AS bad_stream, bad.expected, bad.actual
  INTO v_check
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (
    SELECT r.stream_id, r.expected, s.version AS actual
    FROM unnest(p_stream_ids, p_expected_versions) AS r(stream_id, expected)
    LEFT JOIN streams s ON s.organization_id = p_organization_id AND s.stream_id = r.stream_id
    WHERE NOT (CASE
      WHEN r.expected = -1 THEN true
      WHEN r.expected = -2 OR r.expected = 0 THEN s.version IS NULL
      WHEN r.expected = -3 THEN s.version IS NOT NULL
      ELSE s.version IS NOT DISTINCT FROM r.expected
    END)
    LIMIT 1
  ) bad ON true;

  -- A retried append (same event ids) is a no-op returning the original rows.
  IF v_check.existing > 0 THEN
    IF v_check.existing = v_count AND NOT EXISTS (
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
  IF v_check.bad_stream IS NOT NULL THEN
    RAISE EXCEPTION 'wrong expected version for stream %', v_check.bad_stream
      USING ERRCODE = 'OS001',
            DETAIL = json_build_object('streamId', v_check.bad_stream,
                                       'expected', v_check.expected,
                                       'actual', coalesce(v_check.actual, 0))::text;
  END IF;

  -- Positions, transaction id and record time together, under the allocator's
  -- session lock (see orgstream_reserve_positions for why), inline here.
  PERFORM pg_advisory_lock(1869771636, 0);
  BEGIN
    v_transaction := pg_current_xact_id();
    v_first := nextval('events_position_seq');
    IF v_count > 1 THEN
      PERFORM setval('events_position_seq', v_first + v_count - 1);
    END IF;
    v_recorded_at := date_trunc('milliseconds', clock_timestamp());
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_advisory_unlock(1869771636, 0);
    RAISE;
  END;
  PERFORM pg_advisory_unlock(1869771636, 0);

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
    SELECT v_first + n - 1, id, p_organization_id, numbered.stream_id, version, type, schema_version,
           data, metadata, coalesce(occurred_at, v_recorded_at), v_recorded_at, v_transaction
    FROM numbered
    RETURNING events.event_id, events.stream_id, events.stream_version, events.position, events.recorded_at
  ),
  heads AS (
    INSERT INTO streams AS s (organization_id, stream_id, version, created_at, updated_at)
    SELECT p_organization_id, i.stream_id, max(i.stream_version), v_recorded_at, v_recorded_at
    FROM inserted i GROUP BY i.stream_id
    ON CONFLICT (organization_id, stream_id)
      DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
  )
  SELECT i.event_id, i.stream_id, i.stream_version, i.position, i.recorded_at
  FROM inserted i ORDER BY i.position;

END
$$;

ALTER FUNCTION orgstream_append(uuid, text[], bigint[], uuid[], integer[], text[], integer[], jsonb[], jsonb[], timestamptz[])
  SET plan_cache_mode = force_generic_plan;
