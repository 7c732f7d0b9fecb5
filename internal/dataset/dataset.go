// Package dataset stores the data behind published catalog entries (C1–C9,
// E4; ideas 1 and 4): one physical table per resource, typed from the
// catalog's data items, with row history. Data arrives by loads — an upload
// (CSV in UTF-8 or GB18030, XLSX, JSON), an API push of JSON batches or a
// scheduled pull — validated against the catalog, staged invisibly and made
// visible by one small commit, so that a load lands whole or not at all,
// even when the process dies half-way.
//
// Row history: every row version names the revision (load) that opened it
// and the revision that closed it. A dataset's committed revision is
// datasets.seq; the current rows are those with
// _opened <= seq AND (_closed IS NULL OR _closed > seq). A running load
// writes rows with _opened = seq+1 and closes replaced rows with
// _closed = seq+1: nobody sees either until the commit sets seq = seq+1.
//
// Nothing outside this package reads dataset tables except through the
// access door (package access), which decides and audits every read.
package dataset

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/identity"
)

// Service owns dataset tables and loads.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Identity *identity.Service
	Catalog  *catalog.Service
	Cases    *caseflow.Engine
	Now      func() time.Time
	// Dir keeps uploaded and pulled files until their load ends
	// (DATA/loads); empty means the system's temporary directory.
	Dir string
	// MaxFileBytes limits an uploaded or pulled file (default 1 GiB).
	MaxFileBytes int64
	// PullClient fetches pull endpoints (default: 60 s timeout).
	PullClient PullClient

	stopping   atomic.Bool
	conflictMu sync.Mutex
	mu         sync.Mutex
	running    map[string]context.CancelFunc
	pushes     map[string]source
	// linkFrom is set while UploadFile stores a local file (one at a time: the command line).
	linkFrom string
	wg       sync.WaitGroup
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) maxFile() int64 {
	if s.MaxFileBytes > 0 {
		return s.MaxFileBytes
	}
	return 1 << 30
}

// Column is the physical column of one data item.
type Column struct {
	Item     string `json:"item"`
	Col      string `json:"-"`
	DataType string `json:"data_type"`
	Ordinal  int    `json:"ordinal"`
	Retired  bool   `json:"retired,omitempty"`
}

// Dataset describes a resource's stored data.
type Dataset struct {
	ResourceID      string            `json:"resource_id"`
	Table           string            `json:"-"`
	Seq             int               `json:"revision"`
	LoadingID       string            `json:"loading_id,omitempty"`
	KeyItems        []string          `json:"key_items"`
	Mapping         map[string]string `json:"mapping"`
	RejectLimit     int               `json:"reject_limit_permille"`
	RowCount        int64             `json:"row_count"`
	LastCommitAt    *time.Time        `json:"last_commit_at,omitempty"`
	SuspendedReason string            `json:"suspended_reason,omitempty"`
	SuspendedAt     *time.Time        `json:"suspended_at,omitempty"`
	PullURL         string            `json:"pull_url,omitempty"`
	PullFormat      string            `json:"pull_format,omitempty"`
	PullMode        string            `json:"pull_mode,omitempty"`
	PullNextAt      *time.Time        `json:"pull_next_at,omitempty"`
	PullStatus      string            `json:"pull_status,omitempty"`
	// CSVStyle is how the last full file was written ("crlf", "bom", "bom+crlf"
	// or ""): CSV downloads are written the same way (QY§23).
	CSVStyle string   `json:"csv_style,omitempty"`
	Columns  []Column `json:"columns"` // active columns in catalog order
}

const datasetColumns = `resource_id, table_name, seq, loading_id, key_items, mapping, reject_limit, row_count, last_commit_at,
	suspended_reason, suspended_at, pull_url, pull_format, pull_mode, pull_next_at, pull_status, csv_style`

func scanDataset(sc db.Scanner) (*Dataset, error) {
	var d Dataset
	var keys, mapping string
	var last, susp, next sql.NullTime
	if err := sc.Scan(&d.ResourceID, &d.Table, &d.Seq, &d.LoadingID, &keys, &mapping, &d.RejectLimit, &d.RowCount, &last,
		&d.SuspendedReason, &susp, &d.PullURL, &d.PullFormat, &d.PullMode, &next, &d.PullStatus, &d.CSVStyle); err != nil {
		return nil, err
	}
	json.Unmarshal([]byte(keys), &d.KeyItems)
	json.Unmarshal([]byte(mapping), &d.Mapping)
	if d.Mapping == nil {
		d.Mapping = map[string]string{}
	}
	d.LastCommitAt, d.SuspendedAt, d.PullNextAt = timePtr(last), timePtr(susp), timePtr(next)
	return &d, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// Get returns the dataset of a resource (not_found when none exists yet).
func (s *Service) Get(ctx context.Context, resourceID string) (*Dataset, error) {
	return s.get(ctx, s.DB, resourceID, false)
}

func (s *Service) get(ctx context.Context, q querier, resourceID string, lock bool) (*Dataset, error) {
	query := `SELECT ` + datasetColumns + ` FROM datasets WHERE resource_id = $1`
	if lock {
		query += s.DB.ForUpdate()
	}
	d, err := scanDataset(q.QueryRowContext(ctx, query, resourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "该资源尚无数据表：目录发布后才能汇聚数据", "this resource has no dataset yet: data is aggregated after the catalog entry is published")
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT item, col, data_type, ordinal, retired FROM dataset_columns WHERE resource_id = $1 AND retired = 0 ORDER BY ordinal`, resourceID)
	if err != nil {
		return nil, err
	}
	d.Columns, err = db.Collect(rows, func(sc db.Scanner) (Column, error) {
		var c Column
		var retired int
		err := sc.Scan(&c.Item, &c.Col, &c.DataType, &c.Ordinal, &retired)
		c.Retired = retired != 0
		return c, err
	})
	return d, err
}

// visible is the condition selecting the rows of committed revision $n.
func visible(n int) string {
	return fmt.Sprintf("_opened <= $%d AND (_closed IS NULL OR _closed > $%d)", n, n)
}

// sqlType is the column type of a catalog data type on the dialect.
// SQLite keeps decimals, dates and datetimes as validated text, so that
// values come back exactly as they were loaded (QY§23).
func sqlType(d db.Dialect, t string) string {
	if d == db.Postgres {
		switch t {
		case "integer":
			return "BIGINT"
		case "decimal":
			return "NUMERIC"
		case "date":
			return "DATE"
		case "datetime":
			return "TIMESTAMP"
		case "boolean":
			return "BOOLEAN"
		}
		return "TEXT"
	}
	if t == "integer" {
		return "INTEGER"
	}
	return "TEXT"
}

// selectExpr reads a column as text on both engines.
func (s *Service) selectExpr(col string) string {
	if s.DB.Dialect == db.Postgres {
		return col + "::text"
	}
	return col
}

func tableName(resourceID string) string {
	return "ds_" + strings.ReplaceAll(resourceID, "-", "")
}

// Sync creates or extends the resource's table for a published version
// (catalog.Service.OnPublish, inside the publishing transaction). New items
// add columns, removed items retire theirs (history stays); a change that
// does not fit the data already held is refused.
func (s *Service) Sync(ctx context.Context, tx *sql.Tx, resourceID string, e *catalog.Entry) error {
	if len(e.Items) == 0 {
		return nil
	}
	now := s.now()
	d, err := s.get(ctx, tx, resourceID, true)
	if apperr.CodeOf(err) == apperr.NotFound {
		table := tableName(resourceID)
		if _, err := tx.ExecContext(ctx, `INSERT INTO datasets (resource_id, table_name, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
			resourceID, table, now); err != nil {
			return err
		}
		pk := "_row INTEGER PRIMARY KEY"
		if s.DB.Dialect == db.Postgres {
			pk = "_row BIGINT PRIMARY KEY" // ids come from the load (revision << 32 | ordinal), no sequence
		}
		keyType := "TEXT"
		if s.DB.Dialect == db.Postgres {
			keyType = `TEXT COLLATE "C"`
		}
		ddl := fmt.Sprintf(`CREATE TABLE %s (%s, _opened INTEGER NOT NULL, _closed INTEGER, _line BIGINT NOT NULL DEFAULT 0, _key %s,
			_source TEXT, _collected_at TEXT, _collected_where TEXT)`, table, pk, keyType)
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
		d = &Dataset{ResourceID: resourceID, Table: table, Mapping: map[string]string{}}
	} else if err != nil {
		return err
	}
	if err := s.compatible(ctx, tx, d, e); err != nil {
		return err
	}
	var all []Column
	rows, err := tx.QueryContext(ctx, `SELECT item, col, data_type, ordinal, retired FROM dataset_columns WHERE resource_id = $1`, resourceID)
	if err != nil {
		return err
	}
	all, err = db.Collect(rows, func(sc db.Scanner) (Column, error) {
		var c Column
		var retired int
		err := sc.Scan(&c.Item, &c.Col, &c.DataType, &c.Ordinal, &retired)
		c.Retired = retired != 0
		return c, err
	})
	if err != nil {
		return err
	}
	byItem := map[string]Column{}
	for _, c := range all {
		byItem[c.Item] = c
	}
	keep := map[string]bool{}
	for i, it := range e.Items {
		keep[it.Name] = true
		c, ok := byItem[it.Name]
		if ok && c.DataType == it.DataType {
			if _, err := tx.ExecContext(ctx, `UPDATE dataset_columns SET ordinal = $1, retired = 0 WHERE resource_id = $2 AND item = $3`, i, resourceID, it.Name); err != nil {
				return err
			}
			continue
		}
		if ok { // type changed on an empty dataset (compatible checked): a fresh column
			if _, err := tx.ExecContext(ctx, `DELETE FROM dataset_columns WHERE resource_id = $1 AND item = $2`, resourceID, it.Name); err != nil {
				return err
			}
		}
		col := fmt.Sprintf("c%d", len(all)+1)
		all = append(all, Column{Item: it.Name, Col: col})
		typ := sqlType(s.DB.Dialect, it.DataType)
		if s.DB.Dialect == db.Postgres && typ == "TEXT" && (it.IDKind != catalog.IDNone || it.Key) {
			typ += ` COLLATE "C"` // codes: byte order, and index builds sort several times faster
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s %s`, d.Table, col, typ)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_columns (resource_id, item, col, data_type, ordinal) VALUES ($1, $2, $3, $4, $5)`,
			resourceID, it.Name, col, it.DataType, i); err != nil {
			return err
		}
	}
	for _, c := range all {
		if !keep[c.Item] && !c.Retired {
			if _, err := tx.ExecContext(ctx, `UPDATE dataset_columns SET retired = 1 WHERE resource_id = $1 AND item = $2`, resourceID, c.Item); err != nil {
				return err
			}
		}
	}
	keys, _ := json.Marshal(keyItems(e))
	if _, err = tx.ExecContext(ctx, `UPDATE datasets SET key_items = $1, updated_at = $2 WHERE resource_id = $3`, string(keys), now, resourceID); err != nil {
		return err
	}
	if d, err = s.get(ctx, tx, resourceID, false); err != nil {
		return err
	}
	return s.ensureIndexes(ctx, tx, d, e)
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// indexes are a dataset table's secondary indexes: the record key (partial:
// keyless resources pay nothing) and the column of every identifier or key
// item, for lookups (C4). _opened and _closed are read by whole-table
// passes at load time only and have none.
func indexes(d *Dataset, e *catalog.Entry) [][2]string {
	out := [][2]string{{d.Table + "_key", "(_key) WHERE _key IS NOT NULL"}}
	cols := map[string]string{}
	for _, c := range d.Columns {
		cols[c.Item] = c.Col
	}
	for _, it := range e.Items {
		if col, ok := cols[it.Name]; ok && (it.IDKind != catalog.IDNone || it.Key) {
			out = append(out, [2]string{d.Table + "_" + col, "(" + col + ")"})
		}
	}
	return out
}

// ensureIndexes creates the indexes that are missing (after a bulk first
// load, or a crash during one).
func (s *Service) ensureIndexes(ctx context.Context, x execer, d *Dataset, e *catalog.Entry) error {
	for _, ix := range indexes(d, e) {
		if _, err := x.ExecContext(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s %s`, ix[0], d.Table, ix[1])); err != nil {
			return err
		}
	}
	return nil
}

// buildIndexes builds the indexes after a bulk first load; on PostgreSQL
// each in its own session at once, with room to sort in memory.
func (s *Service) buildIndexes(ctx context.Context, d *Dataset, e *catalog.Entry) error {
	if s.DB.Dialect != db.Postgres {
		// SQLite sorts in temporary storage, which the connections keep in
		// memory (for statement journals); sort big tables on disk instead.
		conn, err := s.DB.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY`)
		return s.ensureIndexes(ctx, conn, d, e)
	}
	ixs := indexes(d, e)
	errc := make(chan error, len(ixs))
	for _, ix := range ixs {
		go func() {
			errc <- s.DB.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s %s`, ix[0], d.Table, ix[1]))
				return err
			})
		}()
	}
	var first error
	for range ixs {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// dropIndexes removes the secondary indexes before a first load into an
// empty table: building them once from the loaded rows is several times
// faster than maintaining them row by row.
func (s *Service) dropIndexes(ctx context.Context, d *Dataset, e *catalog.Entry) error {
	for _, ix := range indexes(d, e) {
		if _, err := s.DB.ExecContext(ctx, `DROP INDEX IF EXISTS `+ix[0]); err != nil {
			return err
		}
	}
	return nil
}

func keyItems(e *catalog.Entry) []string {
	out := []string{}
	for _, it := range e.Items {
		if it.Key {
			out = append(out, it.Name)
		}
	}
	return out
}

// Compatible is catalog.Service.SchemaCheck: it refuses, before review, a
// version whose items do not fit the data already held.
func (s *Service) Compatible(ctx context.Context, resourceID string, e *catalog.Entry) error {
	d, err := s.get(ctx, s.DB, resourceID, false)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return s.compatible(ctx, s.DB, d, e)
}

func (s *Service) compatible(ctx context.Context, q querier, d *Dataset, e *catalog.Entry) error {
	var held int64
	if err := q.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT 1) x`, d.Table)).Scan(&held); err != nil {
		return err
	}
	if held == 0 {
		return nil
	}
	for _, it := range e.Items {
		for _, c := range d.Columns {
			if c.Item == it.Name && c.DataType != it.DataType {
				return apperr.Newf(apperr.Invalid,
					"数据项“%s”的类型由 %s 改为 %s，与已汇聚的数据不兼容：请保留原类型，或新增一个数据项（原数据项的历史数据仍会保留）",
					"item %q changes type from %s to %s, which does not fit the data already aggregated: keep the type, or add a new item (the old item's history stays)",
					it.Name, c.DataType, it.DataType).WithField("items")
			}
		}
	}
	if old, now := d.KeyItems, keyItems(e); strings.Join(old, "\x00") != strings.Join(now, "\x00") {
		return apperr.Newf(apperr.Invalid, "主键数据项由 %v 改为 %v，与已汇聚数据的记录标识不兼容：请保留原主键",
			"the key items change from %v to %v, which breaks the identity of records already aggregated: keep the key", old, now).WithField("items")
	}
	return nil
}

// canLoad reports whether a loads data for the provider org.
func canLoad(a *identity.Actor, orgID string) bool {
	return a.HasAny(orgID, identity.RoleDataOfficer, identity.RoleInstitutionAdmin)
}

// MaxFile is the size limit of one data file.
func (s *Service) MaxFile() int64 { return s.maxFile() }
