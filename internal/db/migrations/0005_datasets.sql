-- Dataset storage (C1-C9, D1, E4; ideas 3 and 4). Each published resource
-- gets one physical table (created by the dataset service, typed from the
-- catalog's data items); these tables describe them and their loads.
CREATE TABLE datasets (
  resource_id TEXT PRIMARY KEY REFERENCES resources (id),
  table_name TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  loading_id TEXT NOT NULL DEFAULT '',
  key_items TEXT NOT NULL DEFAULT '[]',
  mapping TEXT NOT NULL DEFAULT '{}',
  reject_limit INTEGER NOT NULL DEFAULT 50,
  row_count BIGINT NOT NULL DEFAULT 0,
  last_commit_at TSTZ,
  suspended_reason TEXT NOT NULL DEFAULT '',
  suspended_at TSTZ,
  suspended_by TEXT NOT NULL DEFAULT '',
  pull_url TEXT NOT NULL DEFAULT '',
  pull_format TEXT NOT NULL DEFAULT '',
  pull_mode TEXT NOT NULL DEFAULT '',
  pull_next_at TSTZ,
  pull_status TEXT NOT NULL DEFAULT '',
  csv_style TEXT NOT NULL DEFAULT '',
  created_at TSTZ NOT NULL,
  updated_at TSTZ NOT NULL
);
CREATE UNIQUE INDEX datasets_table ON datasets (table_name);

-- The physical column of each data item; retired columns stay (history).
CREATE TABLE dataset_columns (
  resource_id TEXT NOT NULL REFERENCES datasets (resource_id),
  item TEXT NOT NULL,
  col TEXT NOT NULL,
  data_type TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  retired INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_id, item)
);

-- A load (or, later, a correction) is one revision of a dataset.
CREATE TABLE dataset_loads (
  id TEXT PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES datasets (resource_id),
  seq INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL,
  mode TEXT NOT NULL,
  format TEXT NOT NULL DEFAULT '',
  file_name TEXT NOT NULL DEFAULT '',
  file_path TEXT NOT NULL DEFAULT '',
  file_size BIGINT NOT NULL DEFAULT 0,
  file_sha256 TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT NOT NULL DEFAULT '',
  mapping TEXT NOT NULL DEFAULT '{}',
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL DEFAULT '',
  org_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  rows_read BIGINT NOT NULL DEFAULT 0,
  rows_loaded BIGINT NOT NULL DEFAULT 0,
  rows_rejected BIGINT NOT NULL DEFAULT 0,
  rows_closed BIGINT NOT NULL DEFAULT 0,
  bytes_read BIGINT NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  message_en TEXT NOT NULL DEFAULT '',
  quality TEXT NOT NULL DEFAULT '{}',
  score INTEGER NOT NULL DEFAULT 0,
  created_at TSTZ NOT NULL,
  started_at TSTZ,
  heartbeat_at TSTZ,
  finished_at TSTZ
);
CREATE INDEX dataset_loads_resource ON dataset_loads (resource_id, created_at);
CREATE INDEX dataset_loads_status ON dataset_loads (status);
CREATE UNIQUE INDEX dataset_loads_idempotency ON dataset_loads (resource_id, idempotency_key) WHERE idempotency_key <> '';

-- Rejected rows of a load (the first 10,000; the load counts them all).
CREATE TABLE dataset_load_errors (
  load_id TEXT NOT NULL REFERENCES dataset_loads (id),
  n INTEGER NOT NULL,
  line BIGINT NOT NULL,
  item TEXT NOT NULL DEFAULT '',
  value TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  reason_en TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (load_id, n)
);
