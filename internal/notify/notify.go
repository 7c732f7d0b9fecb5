// Package notify delivers in-app notices (站内通知) to users: a new case to
// handle, a decision, an overdue step. Notices are written in the same
// transaction as the change that caused them.
package notify

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"gongshu/internal/apperr"
	"gongshu/internal/db"
)

// Notice is one message to one user.
type Notice struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	CaseID    string     `json:"case_id,omitempty"`
	Title     string     `json:"title"`
	TitleEN   string     `json:"title_en"`
	Link      string     `json:"link,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Service stores and lists notices.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Send writes one notice per user inside tx.
func (s *Service) Send(ctx context.Context, tx *sql.Tx, userIDs []string, n Notice) error {
	seen := map[string]bool{}
	for _, u := range userIDs {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		_, err := tx.ExecContext(ctx, `INSERT INTO notices (id, user_id, kind, case_id, title, title_en, link, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
			uuid.Must(uuid.NewV7()).String(), u, n.Kind, n.CaseID, n.Title, n.TitleEN, n.Link, s.now())
		if err != nil {
			return err
		}
	}
	return nil
}

// List returns a user's notices, newest first, and the number unread.
func (s *Service) List(ctx context.Context, userID string, limit int) ([]Notice, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var unread int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM notices WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&unread); err != nil {
		return nil, 0, err
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT id, kind, case_id, title, title_en, link, created_at, read_at FROM notices
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.Kind, &n.CaseID, &n.Title, &n.TitleEN, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, 0, err
		}
		n.CreatedAt = n.CreatedAt.UTC()
		if read.Valid {
			t := read.Time.UTC()
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	return out, unread, rows.Err()
}

// MarkRead marks one notice (or all, when id is "") of the user as read.
func (s *Service) MarkRead(ctx context.Context, userID, id string) error {
	q, args := `UPDATE notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, []any{s.now(), userID}
	if id != "" {
		q += ` AND id = $3`
		args = append(args, id)
	}
	res, err := s.DB.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); id != "" && n == 0 {
		var exists int
		s.DB.QueryRowContext(ctx, `SELECT count(*) FROM notices WHERE user_id = $1 AND id = $2`, userID, id).Scan(&exists)
		if exists == 0 {
			return apperr.ErrNotFound()
		}
	}
	return nil
}
