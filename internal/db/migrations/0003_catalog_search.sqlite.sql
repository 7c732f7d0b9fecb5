-- Full-text search over bigram tokens (Chinese has no spaces: 人口基本信息 is
-- indexed as 人口 口基 基本 本信 信息, so that 人口 finds it).
CREATE VIRTUAL TABLE resource_fts USING fts5(resource_id UNINDEXED, name_tokens, body_tokens, tokenize = 'unicode61');
