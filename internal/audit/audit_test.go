package audit_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
)

func fill(t *testing.T, d *db.DB, n int) *audit.Log {
	t.Helper()
	l := &audit.Log{DB: d, Key: []byte("test key")}
	for i := 0; i < n; i++ {
		err := l.Record(context.Background(), audit.Who{ID: "u1", Name: "张三", OrgID: "o1", ClientIP: "127.0.0.1"},
			audit.Entry{Action: "case.submit", ObjectType: "case", ObjectID: "c" + string(rune('a'+i)), Payload: map[string]any{"i": i}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func TestAuditVerifyDetectsEveryKindOfTampering(t *testing.T) {
	tamper := []struct {
		name    string
		sql     string
		badSeq  int64
		mention string
	}{
		{"payload changed", `UPDATE audit_log SET payload = '{"i":99}' WHERE seq = 3`, 3, "payload"},
		{"action changed", `UPDATE audit_log SET action = 'login' WHERE seq = 2`, 2, "altered"},
		{"actor changed with digest kept", `UPDATE audit_log SET actor_name = '李四' WHERE seq = 4`, 4, "altered"},
		{"record removed", `DELETE FROM audit_log WHERE seq = 3`, 4, "removed"},
		{"records reordered", "", 2, ""},
		{"record inserted", `UPDATE audit_log SET seq = seq + 1 WHERE seq >= 100`, 0, ""},
		{"time changed", `UPDATE audit_log SET at = $1 WHERE seq = 5`, 5, "altered"},
		{"newest record removed", `DELETE FROM audit_log WHERE seq = 6`, 6, "removed from the end"},
		{"head seal forged", `UPDATE audit_head SET mac = 'forged'`, 6, "seal"},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				l := fill(t, d, 6)
				res, err := l.Verify(ctx)
				if err != nil || res.Problem != nil || res.Records != 6 {
					t.Fatalf("intact log: %+v %v", res, err)
				}
				if tc.name == "record inserted" {
					// Forge a record between 2 and 3: copy 2 with a new id at seq 3, shift the rest.
					mustExec(t, d, `UPDATE audit_log SET seq = seq + 10 WHERE seq >= 3`)
					mustExec(t, d, `INSERT INTO audit_log SELECT 3, 'forged', at, actor_id, actor_name, org_id, action, object_type, object_id, client_ip, payload, payload_digest, hash, hash FROM audit_log WHERE seq = 2`)
					mustExec(t, d, `UPDATE audit_log SET seq = seq - 9 WHERE seq >= 13`)
					tc.badSeq = 3
				} else if tc.name == "records reordered" {
					mustExec(t, d, `UPDATE audit_log SET seq = 1000 WHERE seq = 2`)
					mustExec(t, d, `UPDATE audit_log SET seq = 2 WHERE seq = 3`)
					mustExec(t, d, `UPDATE audit_log SET seq = 3 WHERE seq = 1000`)
				} else if strings.Contains(tc.sql, "$1") {
					mustExec(t, d, tc.sql, "2020-01-01 00:00:00+00:00")
				} else {
					mustExec(t, d, tc.sql)
				}
				res, err = l.Verify(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if res.Problem == nil {
					t.Fatalf("tampering not detected")
				}
				if res.Problem.Seq != tc.badSeq {
					t.Errorf("first bad record = %d (%s), want %d", res.Problem.Seq, res.Problem.Reason, tc.badSeq)
				}
				if !strings.Contains(res.Problem.Reason, tc.mention) {
					t.Errorf("reason %q does not mention %q", res.Problem.Reason, tc.mention)
				}
			})
		})
	}
}

func TestAuditSearchFiltersAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := fill(t, d, 5)
		l.Record(ctx, audit.Who{ID: "u2", Name: "王五"}, audit.Entry{Action: "login.failed", ObjectType: "user", ObjectID: "wang"})
		got, err := l.Search(ctx, audit.Query{Action: "login"})
		if err != nil || len(got) != 1 || got[0].ActorName != "王五" {
			t.Fatalf("action filter: %v %v", got, err)
		}
		got, _ = l.Search(ctx, audit.Query{Text: "张三", Limit: 2})
		if len(got) != 2 || got[0].Seq != 5 {
			t.Fatalf("text filter newest first: %+v", got)
		}
		got, _ = l.Search(ctx, audit.Query{Text: "张三", Before: got[1].Seq})
		if len(got) != 3 {
			t.Fatalf("paging: %d records", len(got))
		}
		got, _ = l.Search(ctx, audit.Query{Text: "%"})
		if len(got) != 6 {
			t.Fatalf("wildcards must not be interpreted, got %d", len(got))
		}
	})
}

func TestAuditAppendRollsBackWithItsTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		l := &audit.Log{DB: d}
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := l.Append(ctx, tx, audit.System, audit.Entry{Action: "x"}); err != nil {
				return err
			}
			return sql.ErrTxDone // any failure of the change
		})
		if err == nil {
			t.Fatal("expected failure")
		}
		res, _ := l.Verify(ctx)
		if res.Records != 0 {
			t.Fatalf("audit record survived a rolled-back change")
		}
	})
}

func mustExec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
