package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/demo"
)

// writeBenchFile writes n rows in the layout of bench/load (the twelve
// items of benchItems), offset so that two files hold different people.
func writeBenchFile(t *testing.T, path string, n, from int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("公民身份号码,姓名,统一社会信用代码,单位名称,性别,出生日期,登记日期,地址,联系电话,月收入,参保月数,状态\n")
	for i := from; i < from+n; i++ {
		birth := fmt.Sprintf("19%02d%02d%02d", 50+i%50, 1+i%12, 1+i%28)
		id := demo.CitizenID("530102", birth, i%1000)
		fmt.Fprintf(w, "%s,张%d,%s,昆明市单位%d有限公司,男,%s-%s-%s,2020-01-02,云南省昆明市五华区人民路%d号,138%08d,%d.50,%d,正常\n",
			id, i, demo.USCC("91", "530100", i%500), i%500, birth[:4], birth[4:6], birth[6:], i, i, 3000+i%100, i%300)
	}
	w.Flush()
	f.Close()
}

// TestKillDuringALoadLosesNothing kills the process (SIGKILL) while a load
// is half-way, then shows that no partial revision is visible, the previous
// revision still serves, and the acknowledged load completes on restart.
func TestKillDuringALoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and loads 200,000 rows")
	}
	bin := filepath.Join(t.TempDir(), "gongshu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--data", dir}
			if engine == "postgres" {
				args = append(args, "--db", dbtest.PostgresDSN(t))
			}
			small, big := filepath.Join(dir, "v1.csv"), filepath.Join(dir, "v2.csv")
			writeBenchFile(t, small, 1000, 0)
			writeBenchFile(t, big, 200000, 5000)
			out, err := exec.Command(bin, append([]string{"dataset", "bench", "--file", small}, args...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("first load: %v\n%s", err, out)
			}
			var first struct {
				ResourceID string `json:"resource_id"`
				LoadID     string `json:"load_id"`
				Rows       int64  `json:"rows"`
			}
			if err := json.Unmarshal(out[strings.LastIndex(strings.TrimSpace(string(out)), "\n")+1:], &first); err != nil || first.Rows != 1000 {
				t.Fatalf("first load output %q: %v", out, err)
			}
			dsn := ""
			if engine == "postgres" {
				dsn = args[3]
			}
			d, err := db.Open(context.Background(), dsn, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			state := func() (seq int, visible, staged int64, status string) {
				var table string
				d.QueryRow(`SELECT seq, table_name FROM datasets WHERE resource_id = $1`, first.ResourceID).Scan(&seq, &table)
				d.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE _opened <= $1 AND (_closed IS NULL OR _closed > $1)`, table), seq).Scan(&visible)
				d.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE _opened > $1`, table), seq).Scan(&staged)
				d.QueryRow(`SELECT status FROM dataset_loads WHERE resource_id = $1 AND id <> $2`, first.ResourceID, first.LoadID).Scan(&status)
				return
			}
			cmd := exec.Command(bin, append([]string{"dataset", "load", "--resource", first.ResourceID, "--file", big, "--as", "data.officer"}, args...)...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it at a random point once rows are staged, before the commit.
			at := int64(10000 + rand.IntN(150000))
			deadline := time.Now().Add(2 * time.Minute)
			for {
				_, _, staged, status := state()
				if staged >= at && status == "running" {
					break
				}
				if time.Now().After(deadline) || status == "committed" {
					cmd.Process.Kill()
					t.Fatalf("never caught the load running (staged %d, status %s)", staged, status)
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			seq, visible, staged, status := state()
			if seq != 1 || visible != 1000 || status != "running" {
				t.Fatalf("after kill: revision %d, %d visible rows, load %s; want revision 1 with its 1000 rows", seq, visible, status)
			}
			t.Logf("killed with %d rows staged (invisible)", staged)
			// An upload cut off before it was acknowledged leaves a file that belongs to no load.
			orphan := filepath.Join(dir, "loads", "orphan-upload")
			os.WriteFile(orphan, []byte("partial"), 0o600)
			// Restart: the acknowledged load (its file is stored) runs again from the start.
			if out, err := exec.Command(bin, append([]string{"dataset", "recover"}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("recover: %v\n%s", err, out)
			}
			seq, visible, staged, status = state()
			if seq != 2 || visible != 200000 || staged != 0 || status != "committed" {
				t.Fatalf("after restart: revision %d, %d visible, %d staged, load %s; want revision 2 with 200000 rows", seq, visible, staged, status)
			}
			if _, err := os.Stat(orphan); !os.IsNotExist(err) {
				t.Errorf("the orphan upload is still there: %v", err)
			}
			if left, _ := os.ReadDir(filepath.Join(dir, "loads")); len(left) != 0 {
				t.Errorf("%d files left in the loads directory", len(left))
			}
			var closed int64
			d.QueryRow(`SELECT rows_closed FROM dataset_loads WHERE resource_id = $1 AND status = 'committed' ORDER BY seq DESC LIMIT 1`, first.ResourceID).Scan(&closed)
			if closed != 1000 {
				t.Errorf("the replace closed %d earlier rows, want 1000", closed)
			}
		})
	}
}
