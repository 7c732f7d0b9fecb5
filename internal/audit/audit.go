// Package audit is the platform's evidence (审计日志 / 操作留痕, I3, I8, idea 5):
// an append-only log in which every record carries the SM3 digest of its
// payload and the SM3 hash of the previous record, so that changing, removing,
// inserting or reordering any record breaks the chain and Verify names the
// first bad record.
//
// SM3 (GB/T 32905-2016) is used rather than SHA-256 because the regulations
// require national commercial cryptography for public data systems
// (YN§43(一)); both give 256-bit collision-resistant digests, and SM3 is what
// a 商用密码应用安全性评估 expects to find.
package audit

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"
	"github.com/google/uuid"

	"gongshu/internal/db"
)

// Genesis is the previous hash of the first record.
var Genesis = strings.Repeat("0", 64)

// Who is the actor of an audited action.
type Who struct {
	ID       string // user id, or "system"
	Name     string
	OrgID    string
	ClientIP string
}

// System is the actor of background jobs and CLI bootstrap.
var System = Who{ID: "system", Name: "system"}

// Record is one entry of the chain.
type Record struct {
	Seq           int64     `json:"seq"`
	ID            string    `json:"id"`
	At            time.Time `json:"at"`
	ActorID       string    `json:"actor_id"`
	ActorName     string    `json:"actor_name"`
	OrgID         string    `json:"org_id"`
	Action        string    `json:"action"`
	ObjectType    string    `json:"object_type"`
	ObjectID      string    `json:"object_id"`
	ClientIP      string    `json:"client_ip"`
	Payload       string    `json:"payload"`
	PayloadDigest string    `json:"payload_digest"`
	PrevHash      string    `json:"prev_hash"`
	Hash          string    `json:"hash"`
}

// Entry is what a caller records; payload is any JSON-encodable value and
// must not contain secrets.
type Entry struct {
	Action     string
	ObjectType string
	ObjectID   string
	Payload    any
}

// Log appends to and reads the chain.
type Log struct {
	DB  *db.DB
	Now func() time.Time
	// Key seals the head of the chain (HMAC-SM3). It lives outside the
	// database (a file in the data directory or GONGSHU_AUDIT_KEY), so that
	// whoever can edit the database cannot also forge the seal.
	Key []byte
}

func (l *Log) seal(seq int64, hash string) string {
	m := hmac.New(sm3.New, l.Key)
	fmt.Fprintf(m, "%d|%s", seq, hash)
	return hex.EncodeToString(m.Sum(nil))
}

// Append writes e as the next record inside tx, the same transaction as the
// change it records, so that either both land or neither does.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, who Who, e Entry) (Record, error) {
	if err := l.DB.LockAudit(ctx, tx); err != nil {
		return Record{}, err
	}
	var seq int64
	prev := Genesis
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && err != sql.ErrNoRows {
		return Record{}, fmt.Errorf("read audit head: %w", err)
	}
	payload := []byte("{}")
	if e.Payload != nil {
		if payload, err = json.Marshal(e.Payload); err != nil {
			return Record{}, fmt.Errorf("encode audit payload: %w", err)
		}
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	r := Record{
		Seq: seq + 1, ID: uuid.Must(uuid.NewV7()).String(), At: now().UTC().Truncate(time.Microsecond),
		ActorID: who.ID, ActorName: who.Name, OrgID: who.OrgID, ClientIP: who.ClientIP,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		Payload: string(payload), PayloadDigest: Digest(payload), PrevHash: prev,
	}
	r.Hash = r.computeHash()
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, id, at, actor_id, actor_name, org_id, action, object_type,
		object_id, client_ip, payload, payload_digest, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		r.Seq, r.ID, r.At, r.ActorID, r.ActorName, r.OrgID, r.Action, r.ObjectType, r.ObjectID, r.ClientIP,
		r.Payload, r.PayloadDigest, r.PrevHash, r.Hash)
	if err != nil {
		return Record{}, fmt.Errorf("append audit record: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac`, r.Seq, r.Hash, l.seal(r.Seq, r.Hash))
	if err != nil {
		return Record{}, fmt.Errorf("seal audit head: %w", err)
	}
	return r, nil
}

// Record writes e in a transaction of its own (for events with no other
// change, such as a failed login).
func (l *Log) Record(ctx context.Context, who Who, e Entry) error {
	return l.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, err := l.Append(ctx, tx, who, e)
		return err
	})
}

// Digest is the hex SM3 digest of b.
func Digest(b []byte) string {
	h := sm3.Sum(b)
	return hex.EncodeToString(h[:])
}

// computeHash covers every field but the hash itself, in a fixed encoding.
func (r Record) computeHash() string {
	c := struct {
		Seq                                    int64
		ID, At                                 string
		ActorID, ActorName, OrgID              string
		Action, ObjectType, ObjectID, ClientIP string
		PayloadDigest, PrevHash                string
	}{r.Seq, r.ID, r.At.UTC().Format(time.RFC3339Nano), r.ActorID, r.ActorName, r.OrgID,
		r.Action, r.ObjectType, r.ObjectID, r.ClientIP, r.PayloadDigest, r.PrevHash}
	b, _ := json.Marshal(c)
	return Digest(b)
}

// Problem describes the first record at which the chain is broken.
type Problem struct {
	Seq    int64
	ID     string
	Reason string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("audit record seq %d (id %s) is bad: %s", p.Seq, p.ID, p.Reason)
}

// VerifyResult summarizes a verification.
type VerifyResult struct {
	Records int64
	Head    string
	Problem *Problem
}

// Verify walks the whole chain in order and reports the first record that is
// not what the chain says it should be.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	rows, err := l.DB.QueryContext(ctx, `SELECT `+columns+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return VerifyResult{}, err
	}
	defer rows.Close()
	res := VerifyResult{Head: Genesis}
	want := int64(1)
	seen := map[string]bool{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return res, err
		}
		bad := func(reason string) (VerifyResult, error) {
			res.Problem = &Problem{Seq: r.Seq, ID: r.ID, Reason: reason}
			return res, nil
		}
		switch {
		case r.Seq != want:
			return bad(fmt.Sprintf("expected sequence number %d: a record was removed or inserted", want))
		case r.PrevHash != res.Head:
			return bad("previous-hash link does not match the record before it (removed, inserted or reordered)")
		case Digest([]byte(r.Payload)) != r.PayloadDigest:
			return bad("payload does not match its digest (payload altered)")
		case r.computeHash() != r.Hash:
			return bad("record hash does not match its content (record altered)")
		case seen[r.ID]:
			return bad("duplicate record id")
		}
		seen[r.ID] = true
		res.Head = r.Hash
		res.Records++
		want++
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	return res, l.checkHead(ctx, &res)
}

// checkHead compares the chain's end with the sealed head: removing the
// newest records leaves a valid chain, but not a matching seal.
func (l *Log) checkHead(ctx context.Context, res *VerifyResult) error {
	var seq int64
	var hash, mac string
	err := l.DB.QueryRowContext(ctx, `SELECT seq, hash, mac FROM audit_head WHERE id = 1`).Scan(&seq, &hash, &mac)
	if err == sql.ErrNoRows {
		if res.Records > 0 {
			res.Problem = &Problem{Seq: res.Records, Reason: "the sealed head of the chain is missing"}
		}
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case seq > res.Records:
		res.Problem = &Problem{Seq: res.Records + 1, Reason: fmt.Sprintf("records %d to %d were removed from the end of the log (the sealed head is at %d)", res.Records+1, seq, seq)}
	case seq < res.Records || hash != res.Head:
		res.Problem = &Problem{Seq: seq + 1, Reason: "records after the sealed head were added or the head was altered"}
	case l.Key != nil && !hmac.Equal([]byte(mac), []byte(l.seal(seq, hash))):
		res.Problem = &Problem{Seq: seq, Reason: "the head seal does not verify with this deployment's key (the chain was rewritten, or the key is not this deployment's)"}
	}
	return nil
}

const columns = `seq, id, at, actor_id, actor_name, org_id, action, object_type, object_id, client_ip, payload, payload_digest, prev_hash, hash`

func scan(s db.Scanner) (Record, error) {
	var r Record
	err := s.Scan(&r.Seq, &r.ID, &r.At, &r.ActorID, &r.ActorName, &r.OrgID, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.ClientIP, &r.Payload, &r.PayloadDigest, &r.PrevHash, &r.Hash)
	r.At = r.At.UTC()
	return r, err
}

// Query filters a search of the log; zero fields do not filter.
type Query struct {
	Action   string // prefix match, e.g. "case." or "login"
	ActorID  string
	OrgID    string
	ObjectID string
	Text     string // substring of actor name, object id or payload
	From, To time.Time
	Before   int64 // page: records with seq below this
	Limit    int
}

// Search returns matching records, newest first.
func (l *Log) Search(ctx context.Context, q Query) ([]Record, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if q.Action != "" {
		add("action LIKE ?", escapeLike(q.Action)+"%")
	}
	if q.ActorID != "" {
		add("actor_id = ?", q.ActorID)
	}
	if q.OrgID != "" {
		add("org_id = ?", q.OrgID)
	}
	if q.ObjectID != "" {
		add("object_id = ?", q.ObjectID)
	}
	if q.Text != "" {
		args = append(args, "%"+escapeLike(q.Text)+"%")
		n := fmt.Sprintf("$%d", len(args))
		where = append(where, "(actor_name LIKE "+n+" OR object_id LIKE "+n+" OR payload LIKE "+n+" OR client_ip LIKE "+n+")")
	}
	if !q.From.IsZero() {
		add("at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		add("at < ?", q.To.UTC())
	}
	if q.Before > 0 {
		add("seq < ?", q.Before)
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	sqlText := `SELECT ` + columns + ` FROM audit_log`
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", q.Limit)
	rows, err := l.DB.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scan)
}

func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}
