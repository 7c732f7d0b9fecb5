-- Foundation schema: identity, audit chain, case engine, notices, calendar, settings.
-- Shared by SQLite and PostgreSQL; TSTZ and BYTES are replaced per dialect in db.go.
-- Times are stored in UTC.

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TSTZ NOT NULL
);

CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  level INTEGER NOT NULL
);
CREATE INDEX regions_parent ON regions (parent);

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  region_code TEXT NOT NULL REFERENCES regions (code),
  parent_id TEXT REFERENCES organizations (id),
  uscc TEXT NOT NULL DEFAULT '',
  responsible_person TEXT NOT NULL DEFAULT '',
  created_at TSTZ NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (name);
CREATE INDEX organizations_region ON organizations (region_code);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  id_number TEXT NOT NULL DEFAULT '',
  uscc TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  created_at TSTZ NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users (id),
  org_id TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  granted_at TSTZ NOT NULL,
  granted_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (user_id, org_id, role)
);
CREATE INDEX user_roles_org ON user_roles (org_id, role);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at TSTZ NOT NULL,
  expires_at TSTZ NOT NULL,
  client_ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  at TSTZ NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_ip ON login_failures (client_ip, at);

CREATE TABLE api_clients (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at TSTZ NOT NULL,
  revoked_at TSTZ
);
CREATE UNIQUE INDEX api_clients_key ON api_clients (key);

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL,
  at TSTZ NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  org_id TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  payload TEXT NOT NULL,
  payload_digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL,
  type TEXT NOT NULL,
  process TEXT NOT NULL,
  profile TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL,
  step_index INTEGER NOT NULL DEFAULT 0,
  step_id TEXT NOT NULL DEFAULT '',
  applicant_user_id TEXT NOT NULL REFERENCES users (id),
  applicant_org_id TEXT NOT NULL DEFAULT '',
  target_org_id TEXT NOT NULL REFERENCES organizations (id),
  region_code TEXT NOT NULL,
  subject_type TEXT NOT NULL DEFAULT '',
  subject_id TEXT NOT NULL DEFAULT '',
  form TEXT NOT NULL,
  outcome TEXT NOT NULL DEFAULT '',
  received_at TSTZ,
  step_started_at TSTZ,
  returned_from INTEGER NOT NULL DEFAULT 0,
  step_due_at TSTZ,
  step_due_date TEXT NOT NULL DEFAULT '',
  overdue_at TSTZ,
  extension TEXT NOT NULL DEFAULT '',
  created_at TSTZ NOT NULL,
  updated_at TSTZ NOT NULL,
  closed_at TSTZ,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX cases_number ON cases (number);
CREATE INDEX cases_applicant ON cases (applicant_user_id, updated_at);
CREATE INDEX cases_target ON cases (target_org_id, state);
CREATE INDEX cases_due ON cases (state, step_due_at);

CREATE TABLE case_events (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases (id),
  seq INTEGER NOT NULL,
  at TSTZ NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_org_id TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  step_id TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  due_date TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX case_events_seq ON case_events (case_id, seq);

CREATE TABLE case_counters (
  prefix TEXT PRIMARY KEY,
  last INTEGER NOT NULL
);

CREATE TABLE notices (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  kind TEXT NOT NULL,
  case_id TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  title_en TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  created_at TSTZ NOT NULL,
  read_at TSTZ
);
CREATE INDEX notices_user ON notices (user_id, created_at);

CREATE TABLE workday_years (
  year INTEGER PRIMARY KEY,
  data TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at TSTZ NOT NULL,
  updated_by TEXT NOT NULL
);

-- The keyed seal of the audit chain's head: updated with every append, so that
-- removing the newest records (which leaves a valid chain) is detected.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  mac TEXT NOT NULL
);
