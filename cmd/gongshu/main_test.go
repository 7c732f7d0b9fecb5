package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongshu/internal/db"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestWorkdayAddPrintsTheDueDate(t *testing.T) {
	for _, tc := range []struct {
		from, n, want string
	}{
		{"2025-09-30", "5", "2025-10-14"},
		{"2025-10-10T17:00:00Z", "1", "2025-10-13"}, // Saturday 11 October in Beijing
		{"2025-10-10T15:59:59Z", "1", "2025-10-11"}, // still Friday in Beijing: the adjusted Saturday counts
		{"2025-01-24", "3", "2025-02-05"},
		{"2024-02-08", "2", "2024-02-18"},
	} {
		code, out, errOut := runCmd(t, "workday", "add", tc.from, tc.n, "--data", t.TempDir())
		if code != 0 || strings.TrimSpace(out) != tc.want {
			t.Errorf("workday add %s %s = %q (exit %d, %s), want %s", tc.from, tc.n, out, code, errOut, tc.want)
		}
	}
	for _, bad := range [][]string{{"2026-12-30", "5"}, {"2018-06-01", "1"}, {"2025-13-01", "1"}, {"2025-01-01", "0"}, {"2025-01-01"}} {
		code, _, errOut := runCmd(t, append([]string{"workday", "add"}, bad...)...)
		if code == 0 || errOut == "" {
			t.Errorf("workday add %v: exit %d with no error", bad, code)
		}
	}
}

func TestValidateExitCodes(t *testing.T) {
	for _, tc := range []struct {
		kind, value string
		ok          bool
	}{
		{"id", "11010519491231002X", true}, {"id", "11010519491231002x", true}, {"id", "110105194912310021", false},
		{"id", "11010519490230002X", false}, {"uscc", "91350100M000100Y43", true}, {"uscc", "91350100M000100Y44", false},
		{"uscc", "91350100M0O0100Y43", false},
	} {
		code, _, errOut := runCmd(t, "validate", tc.kind, tc.value)
		if (code == 0) != tc.ok {
			t.Errorf("validate %s %s: exit %d (%s)", tc.kind, tc.value, code, errOut)
		}
		if !tc.ok && !strings.Contains(errOut, "invalid") {
			t.Errorf("validate %s %s: no reason given", tc.kind, tc.value)
		}
	}
}

func TestAuditVerifyFailsAfterAnyRecordIsAlteredInTheFile(t *testing.T) {
	for _, tamper := range []string{
		`UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 7`,
		`UPDATE audit_log SET payload = '{}' WHERE seq = 12`,
		`UPDATE audit_log SET at = '2020-01-01 00:00:00+00:00' WHERE seq = 3`,
		`DELETE FROM audit_log WHERE seq = 20`,
		`DELETE FROM audit_log WHERE seq = 1`,
		`DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)`,
		`UPDATE audit_head SET mac = 'forged'`,
	} {
		dir := filepath.Join(t.TempDir(), "data")
		if code, _, errOut := runCmd(t, "demo", "--data", dir, "--demo-password", "X"); code != 0 {
			t.Fatalf("demo: %s", errOut)
		}
		code, out, _ := runCmd(t, "audit", "verify", "--data", dir)
		if code != 0 || !strings.Contains(out, "intact") {
			t.Fatalf("untouched log: exit %d %s", code, out)
		}
		sdb, err := db.Open(context.Background(), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sdb.Exec(tamper); err != nil {
			t.Fatal(err)
		}
		sdb.Close()
		code, _, errOut := runCmd(t, "audit", "verify", "--data", dir)
		if code == 0 || !strings.Contains(errOut, "seq") {
			t.Errorf("after %q: exit %d %s", tamper, code, errOut)
		}
	}
}

func TestWorkdayImportAddsANewYear(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(t.TempDir(), "2027.json")
	os.WriteFile(file, []byte(`{"source":"国务院办公厅关于2027年部分节假日安排的通知（测试）","years":{"2027":{"holidays":{"2027-01-01":"元旦"},"workdays":{}}}}`), 0o600)
	if code, _, _ := runCmd(t, "workday", "add", "2026-12-30", "5", "--data", dir); code == 0 {
		t.Fatal("2027 deadline computed before the year was imported")
	}
	if code, out, errOut := runCmd(t, "workday", "import", file, "--data", dir); code != 0 || !strings.Contains(out, "2027") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, "workday", "add", "2026-12-30", "5", "--data", dir)
	if code != 0 || strings.TrimSpace(out) != "2027-01-07" { // 31 Dec, (1 Jan off), 4, 5, 6, 7 January
		t.Fatalf("after import: %d %q %s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"years":{"2027":{"holidays":{},"workdays":{"2027-01-06":"调休"}}}}`), 0o600)
	if code, _, errOut := runCmd(t, "workday", "import", bad, "--data", dir); code == 0 || !strings.Contains(errOut, "weekend") {
		t.Errorf("bad import: %d %s", code, errOut)
	}
}

func TestUserCommandsCreateGrantAndIssueKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errOut := runCmd(t, "demo", "--data", dir, "--demo-password", "X"); code != 0 {
		t.Fatal(errOut)
	}
	steps := [][]string{
		{"user", "add", "--data", dir, "--username", "new.officer", "--name", "新专员", "--password", "long-password"},
		{"user", "grant", "--data", dir, "--username", "new.officer", "--org", "昆明市卫生健康委员会", "--role", "data_officer"},
		{"user", "passwd", "--data", dir, "--username", "new.officer", "--password", "another-password"},
		{"user", "apikey", "--data", dir, "--username", "new.officer", "--name", "卫健业务系统"},
		{"user", "add", "--data", dir, "--username", "zhang.san", "--kind", "person", "--id-number", "11010519491231002X", "--password", "long-password"},
	}
	for _, args := range steps {
		if code, out, errOut := runCmd(t, args...); code != 0 {
			t.Fatalf("%v: %s %s", args, out, errOut)
		}
	}
	for _, args := range [][]string{
		{"user", "add", "--data", dir, "--username", "x1", "--password", "short"},
		{"user", "grant", "--data", dir, "--username", "new.officer", "--org", "昆明市卫生健康委员会", "--role", "authority_admin"},
		{"user", "add", "--data", dir, "--username", "li.si", "--kind", "person", "--id-number", "110105194912310021", "--password", "long-password"},
	} {
		if code, _, errOut := runCmd(t, args...); code == 0 || !strings.Contains(errOut, "错误") {
			t.Errorf("%v accepted (%s)", args, errOut)
		}
	}
	if code, _, _ := runCmd(t, "audit", "verify", "--data", dir); code != 0 {
		t.Error("audit chain broken by the user commands")
	}
}
