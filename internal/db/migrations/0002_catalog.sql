-- The unified catalog: resources and their versions (B1-B7).
CREATE TABLE resources (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL,
  provider_org_id TEXT NOT NULL REFERENCES organizations (id),
  region_code TEXT NOT NULL,
  published_version INTEGER NOT NULL DEFAULT 0,
  latest_version INTEGER NOT NULL DEFAULT 1,
  latest_status TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  library TEXT NOT NULL DEFAULT '',
  share_type TEXT NOT NULL DEFAULT '',
  open_type TEXT NOT NULL DEFAULT '',
  update_frequency TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL DEFAULT '',
  data_form TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  created_at TSTZ NOT NULL,
  updated_at TSTZ NOT NULL
);
CREATE UNIQUE INDEX resources_code ON resources (code);
CREATE INDEX resources_provider ON resources (provider_org_id);
CREATE INDEX resources_open ON resources (published_version, open_type);

CREATE TABLE resource_versions (
  resource_id TEXT NOT NULL REFERENCES resources (id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  entry TEXT NOT NULL,
  case_id TEXT NOT NULL DEFAULT '',
  author_id TEXT NOT NULL,
  changes TEXT NOT NULL DEFAULT '[]',
  created_at TSTZ NOT NULL,
  PRIMARY KEY (resource_id, version)
);

-- Multi-valued facets of the published version: theme, format, tag.
CREATE TABLE resource_facets (
  resource_id TEXT NOT NULL REFERENCES resources (id),
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (resource_id, kind, value)
);
CREATE INDEX resource_facets_value ON resource_facets (kind, value);
