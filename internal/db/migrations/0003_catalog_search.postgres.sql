-- Full-text search over bigram tokens with the simple configuration.
ALTER TABLE resources ADD COLUMN search_tsv tsvector;
CREATE INDEX resources_search ON resources USING GIN (search_tsv);
