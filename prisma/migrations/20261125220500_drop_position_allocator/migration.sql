-- Since lean_append, orgstream_append reserves positions inline (same lock,
-- same reasoning: see the event_store migration). The separate allocator is
-- no longer called by anything.
DROP FUNCTION orgstream_reserve_positions(integer);
