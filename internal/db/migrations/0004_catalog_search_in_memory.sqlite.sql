-- Catalog search moved to an in-memory index rebuilt from the database
-- (catalog/index.go): the FTS table is no longer written.
DROP TABLE resource_fts;
ALTER TABLE resources ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX resources_change ON resources (change_seq);
