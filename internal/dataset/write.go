package dataset

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"

	"gongshu/internal/db"
)

// writer stages validated rows, one transaction per batch, together with
// the batch's rejected rows and the load's progress.
type writer interface {
	write(ctx context.Context, b *batch, l *Load, storedErrs int) error
	close()
}

// pool runs writers side by side; the first error stops the load.
type pool struct {
	jobs chan job
	done chan error
	errc chan error
	ws   []writer
	err  error
}

type job struct {
	b      *batch
	l      Load
	stored int
}

func (s *Service) writerPool(ctx context.Context, d *Dataset, p *plan, n int) (*pool, error) {
	pl := &pool{jobs: make(chan job), done: make(chan error, n), errc: make(chan error, n)}
	for i := 0; i < n; i++ {
		w, err := s.writer(ctx, d, p)
		if err != nil {
			pl.close()
			return nil, err
		}
		pl.ws = append(pl.ws, w)
		jobs := pl.jobs
		go func() {
			var first error
			for j := range jobs {
				if first != nil {
					continue
				}
				if err := w.write(ctx, j.b, &j.l, j.stored); err != nil {
					first = err
					pl.errc <- err
				}
			}
			pl.done <- first
		}()
	}
	return pl, nil
}

// write hands a batch to a free writer, or returns an earlier writer's error.
func (pl *pool) write(ctx context.Context, b *batch, l Load, stored int) error {
	select {
	case err := <-pl.errc:
		pl.err = err
		return err
	case pl.jobs <- job{b: b, l: l, stored: stored}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close waits for the writers and returns the first error.
func (pl *pool) close() error {
	if pl.jobs == nil {
		return pl.err
	}
	close(pl.jobs)
	pl.jobs = nil
	for range pl.ws {
		if err := <-pl.done; err != nil && pl.err == nil {
			pl.err = err
		}
	}
	for _, w := range pl.ws {
		w.close()
	}
	return pl.err
}

var systemCols = []string{"_row", "_opened", "_line", "_key", "_source", "_collected_at", "_collected_where"}

// Positions of system values in a staged row; items follow from nsys.
const (
	sysKey    = 3
	sysSource = 4
	nsys      = 7
)

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
		return &pgWriter{s: s, conn: conn, copySQL: fmt.Sprintf("COPY %s (%s) FROM STDIN", d.Table, strings.Join(cols, ", "))}, nil
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
	s       *Service
	conn    *sql.Conn
	copySQL string
	buf     []byte
}

func (w *pgWriter) write(ctx context.Context, b *batch, l *Load, storedErrs int) error {
	// COPY in text format: the values are already validated canonical text,
	// so they only need escaping — no per-value binary encoding.
	buf := w.buf[:0]
	for _, r := range b.rows {
		for i, v := range r {
			if i > 0 {
				buf = append(buf, '\t')
			}
			buf = appendCopyText(buf, v)
		}
		buf = append(buf, '\n')
	}
	w.buf = buf
	return w.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		// Staged rows are invisible until the load's final commit, which
		// alone must wait for the WAL to reach the disk.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		if len(b.rows) > 0 {
			if _, err := pc.PgConn().CopyFrom(ctx, bytes.NewReader(buf), w.copySQL); err != nil {
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

// appendCopyText appends one value in COPY's text format.
func appendCopyText(buf []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, '\\', 'N')
	case string:
		for i := 0; i < len(x); i++ {
			switch c := x[i]; c {
			case '\\':
				buf = append(buf, '\\', '\\')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			default:
				buf = append(buf, c)
			}
		}
		return buf
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case int:
		return strconv.AppendInt(buf, int64(x), 10)
	case bool:
		return strconv.AppendBool(buf, x)
	}
	return append(buf, fmt.Sprint(v)...)
}

func (w *pgWriter) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}
