package dataset

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"gongshu/internal/db"
)

// writer stages validated rows, one transaction per batch, together with
// the batch's rejected rows and the load's progress.
type writer interface {
	write(ctx context.Context, b *batch, l *Load, storedErrs int) error
	close()
}

var systemCols = []string{"_opened", "_line", "_key", "_source", "_collected_at", "_collected_where"}

func (s *Service) writer(ctx context.Context, d *Dataset, p *plan) (writer, error) {
	cols := append([]string(nil), systemCols...)
	for _, c := range p.cols {
		cols = append(cols, c.Col)
	}
	if s.DB.Dialect == db.Postgres {
		conn, err := s.DB.Conn(ctx)
		if err != nil {
			return nil, err
		}
		types := make([]string, len(p.cols))
		for i, c := range p.cols {
			types[i] = c.DataType
		}
		return &pgWriter{s: s, conn: conn, table: d.Table, cols: cols, types: types}, nil
	}
	return &sqliteWriter{s: s, table: d.Table, cols: cols}, nil
}

const progressSQL = `UPDATE dataset_loads SET rows_read = $1, rows_loaded = $2, rows_rejected = $3, heartbeat_at = $4 WHERE id = $5`

// --- SQLite: multi-row INSERTs through one prepared statement ---

type sqliteWriter struct {
	s     *Service
	table string
	cols  []string
	per   int
	stmts map[int]string
}

func (w *sqliteWriter) sql(n int) string {
	if q, ok := w.stmts[n]; ok {
		return q
	}
	if w.stmts == nil {
		w.stmts = map[int]string{}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", w.table, strings.Join(w.cols, ", "))
	// Anonymous ? parameters: the driver looks named ones ($n) up by a
	// linear scan per bind, quadratic in a statement of thousands.
	row := "(" + strings.Repeat("?,", len(w.cols)-1) + "?)"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	w.stmts[n] = b.String()
	return w.stmts[n]
}

func (w *sqliteWriter) write(ctx context.Context, b *batch, l *Load, storedErrs int) error {
	if w.per == 0 {
		w.per = min(200, 30000/len(w.cols))
	}
	return w.s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var full *sql.Stmt
		args := make([]any, 0, w.per*len(w.cols))
		for i := 0; i < len(b.rows); i += w.per {
			chunk := b.rows[i:min(i+w.per, len(b.rows))]
			args = args[:0]
			for _, r := range chunk {
				args = append(args, r...)
			}
			if len(chunk) == w.per {
				if full == nil {
					var err error
					if full, err = tx.PrepareContext(ctx, w.sql(w.per)); err != nil {
						return err
					}
					defer full.Close()
				}
				if _, err := full.ExecContext(ctx, args...); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, w.sql(len(chunk)), args...); err != nil {
				return err
			}
		}
		if err := insertErrors(ctx, tx, l.ID, storedErrs, b.errs); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, progressSQL, l.RowsRead, l.RowsLoaded, l.RowsRejected, w.s.now(), l.ID)
		return err
	})
}

func (w *sqliteWriter) close() {}

// --- PostgreSQL: COPY (binary) per batch ---

type pgWriter struct {
	s     *Service
	conn  *sql.Conn
	table string
	cols  []string
	types []string
}

func (w *pgWriter) write(ctx context.Context, b *batch, l *Load, storedErrs int) error {
	for _, r := range b.rows {
		for i, t := range w.types {
			v := r[len(systemCols)+i]
			if v == nil {
				continue
			}
			switch t {
			case "decimal":
				var n pgtype.Numeric
				if err := n.Scan(v.(string)); err != nil {
					return err
				}
				r[len(systemCols)+i] = n
			case "date":
				d, _ := time.Parse("2006-01-02", v.(string))
				r[len(systemCols)+i] = d
			case "datetime":
				d, _ := time.Parse("2006-01-02 15:04:05", v.(string))
				r[len(systemCols)+i] = d
			}
		}
	}
	return w.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if len(b.rows) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{w.table}, w.cols, pgx.CopyFromRows(b.rows)); err != nil {
				return err
			}
		}
		for i, e := range b.errs {
			if _, err := tx.Exec(ctx, `INSERT INTO dataset_load_errors (load_id, n, line, item, value, reason, reason_en) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
				l.ID, storedErrs+i+1, e.Line, e.Item, e.Value, e.Reason, e.EN); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, progressSQL, l.RowsRead, l.RowsLoaded, l.RowsRejected, w.s.now(), l.ID); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

func (w *pgWriter) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}
