package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/identity"
	"gongshu/internal/region"
)

// BenchmarkSearch measures catalog search over GONGSHU_BENCH_ENTRIES
// generated published entries (default 10,000; the figure is
// 100,000) on SQLite, or on PostgreSQL with GONGSHU_TEST_POSTGRES and
// GONGSHU_BENCH_DB=postgres. It reports index build time and p50/p95 query
// latency over a fixed mix of Chinese, mixed and faceted queries:
//
//	GONGSHU_BENCH_ENTRIES=100000 go test -run '^$' -bench Search -benchtime 1x ./internal/catalog
func BenchmarkSearch(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("GONGSHU_BENCH_ENTRIES")); err == nil && v > 0 {
		n = v
	}
	var d *db.DB
	if os.Getenv("GONGSHU_BENCH_DB") == "postgres" {
		d = dbtest.Postgres(b)
	} else {
		d = dbtest.SQLite(b)
	}
	ctx := context.Background()
	tree, _ := region.Builtin()
	ids := &identity.Service{DB: d, Audit: &audit.Log{DB: d}, Regions: tree}
	if err := ids.SeedRegions(ctx); err != nil {
		b.Fatal(err)
	}
	s := &Service{DB: d, Audit: &audit.Log{DB: d}, Identity: ids}
	var orgs []*identity.Org
	for i, reg := range []string{"530102", "530103", "530302", "530100", "530000", "530300"} {
		for j, kind := range []string{"公安局", "市场监督管理局", "人力资源和社会保障局", "卫生健康委员会", "自然资源局", "水务局"} {
			o, err := ids.CreateOrg(ctx, identity.NewOrg{Name: fmt.Sprintf("%d-%d%s", i, j, kind), Type: identity.OrgInstitution, RegionCode: reg})
			if err != nil {
				b.Fatal(err)
			}
			orgs = append(orgs, o)
		}
	}
	subjects := []string{"人口", "企业", "社会保险", "医疗机构", "不动产", "供水", "交通", "教育", "环境", "信用", "许可", "处罚", "统计", "登记", "证照", "GDP", "PM2.5"}
	nouns := []string{"基本信息", "登记信息", "统计数据", "名录", "监测数据", "许可信息", "公示信息", "年度报告", "档案", "目录"}
	r := rand.New(rand.NewPCG(7, 9))
	start := time.Now()
	const batch = 1000
	for i := 0; i < n; i += batch {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			for k := i; k < min(i+batch, n); k++ {
				o := orgs[r.IntN(len(orgs))]
				e := Entry{Name: fmt.Sprintf("%s%s%s%d", subjects[r.IntN(len(subjects))], subjects[r.IntN(len(subjects))], nouns[r.IntN(len(nouns))], k),
					Summary: "本资源包含" + subjects[r.IntN(len(subjects))] + "相关的" + nouns[r.IntN(len(nouns))] + "，按月更新，供共享和开放使用。",
					Library: []Library{LibraryBase, LibraryThematic, LibraryDepartment}[k%3], Themes: []string{Themes[k%len(Themes)]},
					DataForm: "table", Formats: []string{"csv", "json", "xlsx"}[:1+k%3], UpdateFrequency: Frequencies[k%len(Frequencies)],
					Level: []Level{LevelGeneral, LevelImportant, LevelCore}[k%3], ShareType: []ShareType{ShareUnconditional, ShareConditional, ShareNone}[k%3],
					OpenType: []OpenType{OpenUnconditional, OpenConditional, OpenNone}[(k/3)%3], Tags: []string{subjects[k%len(subjects)]},
					Items: []Item{{Name: "统一社会信用代码", DataType: "string"}, {Name: nouns[k%len(nouns)], DataType: "string"}}}
				res := &Resource{ID: identity.NewID(), Code: fmt.Sprintf("3%02d01001/%06d", k%99, k), ProviderOrgID: o.ID, ProviderName: o.Name, RegionCode: o.RegionCode}
				if _, err := tx.ExecContext(ctx, `INSERT INTO resources (id, code, provider_org_id, region_code, latest_version, latest_status, created_at, updated_at)
					VALUES ($1,$2,$3,$4,1,'published',$5,$5)`, res.ID, res.Code, o.ID, o.RegionCode, time.Now().UTC()); err != nil {
					return err
				}
				if err := s.insertVersion(ctx, tx, res.ID, 1, StatusPublished, &e, nil, "bench"); err != nil {
					return err
				}
				if err := s.index(ctx, tx, res, &e, 1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	build := time.Since(start)
	start = time.Now()
	if _, err := s.refresh(ctx); err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	staff := identity.WithActor(ctx, &identity.Actor{UserID: "bench", Kind: identity.KindStaff})
	queries := []Query{{Q: "人口"}, {Q: "企业登记"}, {Q: "社会保险统计数据"}, {Q: "GDP"}, {Q: "PM2.5 监测"}, {Q: "医疗机构名录", Library: LibraryThematic},
		{Q: "信用", ShareType: ShareConditional}, {Q: "不动产登记信息"}, {Theme: "医疗健康", OpenType: OpenUnconditional}, {Q: "许可", Region: "530100"},
		{Q: "人"}, {Q: "30501001"}}
	var lat []time.Duration
	hits := map[string]int{}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		for round := 0; round < 5; round++ {
			for _, q := range queries {
				t0 := time.Now()
				res, err := s.Search(staff, q)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				if round == 0 && it == 0 {
					hits[q.Q+string(q.Theme)] = res.Total
				}
			}
		}
	}
	b.StopTimer()
	b.Logf("hits per query: %v", hits)
	if hits["人口"] == 0 || hits["人"] < hits["人口"] || hits["GDP"] == 0 {
		b.Fatalf("search finds too little: %v", hits)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(float64(n), "entries")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(load.Seconds(), "load-s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
