// Package db opens the platform's database — embedded SQLite by default,
// PostgreSQL 15+ through a DSN — applies migrations, and runs transactions.
// The differences between the two dialects live here and nowhere else: the
// rest of the code writes one SQL text with $n placeholders.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open platform database.
type DB struct {
	*sql.DB
	Dialect Dialect
	// Where describes the database for people (path or host/db), never with a password.
	Where string
}

// Open connects to dsn. An empty dsn opens (and creates) SQLite at
// dataDir/gongshu.db; a postgres:// or postgresql:// DSN opens PostgreSQL.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	if dsn == "" || strings.HasPrefix(dsn, "sqlite:") || strings.HasPrefix(dsn, "file:") {
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			if dataDir == "" {
				dataDir = "gongshu-data"
			}
			if err := os.MkdirAll(dataDir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
			path = filepath.Join(dataDir, "gongshu.db")
		}
		return openSQLite(ctx, path)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sdb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		sdb.SetMaxOpenConns(20)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		if err := ping(ctx, sdb); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		return &DB{DB: sdb, Dialect: Postgres, Where: redact(dsn)}, nil
	}
	return nil, fmt.Errorf("unsupported database DSN %q: use an empty value (SQLite in the data directory) or postgres://…", redact(dsn))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// WAL lets readers run beside the writer; immediate transactions take the
	// write lock at BEGIN so that two writers queue instead of deadlocking.
	q := "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(15000)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-8192)&_txlock=immediate&_time_format=sqlite"
	sdb, err := sql.Open("sqlite", "file:"+path+q)
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(8)
	if err := ping(ctx, sdb); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open SQLite %s: %w", path, err)
	}
	return &DB{DB: sdb, Dialect: SQLite, Where: path}, nil
}

func ping(ctx context.Context, sdb *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return sdb.PingContext(ctx)
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			cred := rest[:at]
			if c := strings.Index(cred, ":"); c >= 0 {
				cred = cred[:c] + ":***"
			}
			return dsn[:i+3] + cred + rest[at:]
		}
	}
	return dsn
}

// InTx runs fn in one transaction, committing when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// LockAudit serializes appends to the audit chain inside tx. SQLite
// transactions already hold the database write lock (BEGIN IMMEDIATE).
func (db *DB) LockAudit(ctx context.Context, tx *sql.Tx) error {
	if db.Dialect == Postgres {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(720125)`)
		return err
	}
	return nil
}

// Scanner is a *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Collect scans every row of rows with scan, closes rows and returns the
// values or the first error.
func Collect[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ForUpdate is the row-lock clause for reading a row a transaction will
// change. SQLite needs none: its write transactions are serialized.
func (db *DB) ForUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

//go:embed migrations/*.sql
var migrations embed.FS

// Migration files are shared by both engines; the tokens below are replaced
// per dialect, which is the whole of their DDL difference.
var ddlTokens = map[Dialect]*strings.Replacer{
	SQLite:   strings.NewReplacer("TSTZ", "TIMESTAMP", "BYTES", "BLOB"),
	Postgres: strings.NewReplacer("TSTZ", "TIMESTAMPTZ", "BYTES", "BYTEA"),
}

// Migrate applies every embedded migration not yet applied, each in its own
// transaction, and records it in schema_migrations.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at `+
		ddlTokens[db.Dialect].Replace("TSTZ")+` NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	// name.sql runs on both engines; name.sqlite.sql and name.postgres.sql
	// hold what only one of them understands (full-text search).
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if (strings.HasSuffix(n, ".sqlite.sql") && db.Dialect != SQLite) || (strings.HasSuffix(n, ".postgres.sql") && db.Dialect != Postgres) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, ".sql"), ".sqlite"), ".postgres")
		if strings.HasSuffix(name, ".sqlite.sql") || strings.HasSuffix(name, ".postgres.sql") {
			version += "-" + string(db.Dialect)
		}
		body, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			return applied, err
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			if db.Dialect == Postgres {
				// Several nodes may start at once: one migrates, the others wait.
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(720124)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errSkip
			}
			for _, stmt := range splitStatements(ddlTokens[db.Dialect].Replace(string(body))) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s: %w\n%s", version, err, stmt)
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, time.Now().UTC())
			return err
		})
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return applied, err
		}
		applied = append(applied, version)
	}
	return applied, nil
}

var errSkip = errors.New("already applied")

// splitStatements splits on semicolons at line ends; migrations keep one
// statement per semicolon and no semicolons inside literals.
func splitStatements(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";\n") {
		lines := []string{}
		for _, l := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "--") {
				continue
			}
			lines = append(lines, l)
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(lines, "\n")), ";"); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}

// Strings runs a query of one text column and returns its values.
func (db *DB) Strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return Collect(rows, func(sc Scanner) (string, error) {
		var s string
		err := sc.Scan(&s)
		return s, err
	})
}
