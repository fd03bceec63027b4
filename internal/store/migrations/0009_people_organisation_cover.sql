-- A search with a college or a kind filter tests the organisation of each
-- person its words found; with the organisation beside the id in an index,
-- that test reads the index alone instead of each person's row. Ids grow
-- with time, so the index is written at its end.
CREATE INDEX people_id_organisation ON people (id, organisation_id);
