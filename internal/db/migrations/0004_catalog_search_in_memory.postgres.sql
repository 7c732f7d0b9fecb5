-- Catalog search moved to an in-memory index rebuilt from the database.
DROP INDEX resources_search;
ALTER TABLE resources DROP COLUMN search_tsv;
ALTER TABLE resources ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX resources_change ON resources (change_seq);
