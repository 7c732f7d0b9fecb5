package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/db"
)

// The functions of this file read dataset content without any decision of
// their own: only package access (the one door) calls them, after it has
// decided and audited the read.

// Filter selects rows whose item equals a value.
type Filter struct {
	Item  string
	Value string
}

// Selection is what a read asks of the current revision.
type Selection struct {
	Items   []string // nil: every active item
	Filters []Filter
	Limit   int   // 0: no limit
	Offset  int64 // rows to skip
}

// Rows are the values of a read, as text ("" for empty), with their row ids.
type Rows struct {
	Columns []Column
	IDs     []int64
	Values  [][]string
}

func (s *Service) selectColumns(d *Dataset, items []string) ([]Column, error) {
	if items == nil {
		return d.Columns, nil
	}
	by := map[string]Column{}
	for _, c := range d.Columns {
		by[c.Item] = c
	}
	out := make([]Column, 0, len(items))
	for _, it := range items {
		c, ok := by[it]
		if !ok {
			return nil, apperr.Newf(apperr.Invalid, "没有数据项“%s”", "there is no item %q", it).WithField("fields")
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) where(d *Dataset, sel Selection, args []any) (string, []any, error) {
	args = append(args, d.Seq)
	cond := visible(len(args))
	by := map[string]Column{}
	for _, c := range d.Columns {
		by[c.Item] = c
	}
	for _, f := range sel.Filters {
		c, ok := by[f.Item]
		if !ok {
			return "", nil, apperr.Newf(apperr.Invalid, "筛选条件中的数据项“%s”不存在", "filter item %q does not exist", f.Item).WithField("filters")
		}
		args = append(args, f.Value)
		cond += fmt.Sprintf(" AND %s = $%d", s.selectExpr(c.Col), len(args))
	}
	return cond, args, nil
}

// Scan streams the selected current rows to fn in load order.
func (s *Service) Scan(ctx context.Context, d *Dataset, sel Selection, fn func(id int64, values []string) error) ([]Column, error) {
	cols, err := s.selectColumns(d, sel.Items)
	if err != nil {
		return nil, err
	}
	cond, args, err := s.where(d, sel, nil)
	if err != nil {
		return nil, err
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = s.selectExpr(c.Col)
	}
	q := fmt.Sprintf(`SELECT _row, %s FROM %s WHERE %s ORDER BY _row`, strings.Join(append(exprs, "''")[:max(len(exprs), 1)], ", "), d.Table, cond)
	if sel.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", sel.Limit)
	}
	if sel.Offset > 0 {
		if sel.Limit == 0 {
			q += " LIMIT -1"
			if s.DB.Dialect == db.Postgres {
				q = strings.TrimSuffix(q, " LIMIT -1")
			}
		}
		q += fmt.Sprintf(" OFFSET %d", sel.Offset)
	}
	rows, err := s.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ns := make([]sql.NullString, max(len(cols), 1))
	dest := make([]any, len(ns)+1)
	var id int64
	dest[0] = &id
	for i := range ns {
		dest[i+1] = &ns[i]
	}
	vals := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		for i := range vals {
			vals[i] = ns[i].String
		}
		if err := fn(id, vals); err != nil {
			return nil, err
		}
	}
	return cols, rows.Err()
}

// Count counts the selected current rows.
func (s *Service) Count(ctx context.Context, d *Dataset, sel Selection) (int64, error) {
	cond, args, err := s.where(d, sel, nil)
	if err != nil {
		return 0, err
	}
	if len(sel.Filters) == 0 {
		return d.RowCount, nil
	}
	var n int64
	err = s.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s`, d.Table, cond), args...).Scan(&n)
	return n, err
}

// Version is one version of a record: the revision that opened it, the one
// that closed it (0 while current), who supplied it and its values.
type Version struct {
	Row        int64     `json:"row"`
	Opened     int       `json:"opened_revision"`
	Closed     int       `json:"closed_revision,omitempty"`
	LoadID     string    `json:"load_id"`
	Kind       string    `json:"kind"`
	FileName   string    `json:"file_name,omitempty"`
	ActorName  string    `json:"actor_name"`
	OrgID      string    `json:"org_id"`
	At         time.Time `json:"at"`
	Line       int64     `json:"line"`
	Source     string    `json:"source,omitempty"`
	Collected  string    `json:"collected_at,omitempty"`
	CollectedW string    `json:"collected_where,omitempty"`
	Values     []string  `json:"values"`
}

// History returns every committed version of the records with a key (or
// of one row when key is empty), oldest first (QY§20, YN§16).
func (s *Service) History(ctx context.Context, d *Dataset, key string, row int64) ([]Column, []Version, error) {
	exprs := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		exprs[i] = "t." + s.selectExpr(c.Col)
	}
	cond, arg := "t._key = $2", any(key)
	if key == "" {
		cond, arg = "t._row = $2", any(row)
	}
	q := fmt.Sprintf(`SELECT t._row, t._opened, COALESCE(t._closed, 0), t._line, COALESCE(t._source, ''), COALESCE(t._collected_at, ''),
		COALESCE(t._collected_where, ''), l.id, l.kind, l.file_name, l.actor_name, l.org_id, l.finished_at%s
		FROM %s t JOIN dataset_loads l ON l.resource_id = $1 AND l.seq = t._opened AND l.status = '%s'
		WHERE %s AND t._opened <= $3 ORDER BY t._opened, t._row`, prefixComma(exprs), d.Table, StatusCommitted, cond)
	rows, err := s.DB.QueryContext(ctx, q, d.ResourceID, arg, d.Seq)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var at sql.NullTime
		ns := make([]sql.NullString, len(d.Columns))
		dest := []any{&v.Row, &v.Opened, &v.Closed, &v.Line, &v.Source, &v.Collected, &v.CollectedW, &v.LoadID, &v.Kind, &v.FileName, &v.ActorName, &v.OrgID, &at}
		for i := range ns {
			dest = append(dest, &ns[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, err
		}
		if v.Closed > d.Seq {
			v.Closed = 0
		}
		v.At = at.Time.UTC()
		v.Values = make([]string, len(ns))
		for i := range ns {
			v.Values[i] = ns[i].String
		}
		out = append(out, v)
	}
	return d.Columns, out, rows.Err()
}

func prefixComma(exprs []string) string {
	if len(exprs) == 0 {
		return ""
	}
	return ", " + strings.Join(exprs, ", ")
}

// KeyOf builds the stored key of a record from its key values.
func KeyOf(values ...string) string { return strings.Join(values, "\x1f") }

// LoadError is one rejected value of a load's error report.
type LoadError struct {
	Line     int64  `json:"line"`
	Item     string `json:"item,omitempty"`
	Value    string `json:"value,omitempty"`
	Reason   string `json:"reason"`
	ReasonEN string `json:"reason_en"`
}

// Errors returns a load's stored rejected rows (the first MaxStoredErrors).
func (s *Service) Errors(ctx context.Context, loadID string, limit int) ([]LoadError, error) {
	if _, err := s.GetLoad(ctx, loadID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxStoredErrors {
		limit = MaxStoredErrors
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT line, item, value, reason, reason_en FROM dataset_load_errors WHERE load_id = $1 ORDER BY n LIMIT $2`, loadID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(sc db.Scanner) (LoadError, error) {
		var e LoadError
		err := sc.Scan(&e.Line, &e.Item, &e.Value, &e.Reason, &e.ReasonEN)
		return e, err
	})
}
