package demo_test

import (
	"context"
	"testing"

	"gongshu/internal/caseflow"
	"gongshu/internal/dataset"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/demo"
	"gongshu/internal/platform/platformtest"
)

// The demo data loads into every published resource without a rejected
// row, leaves three resources late and one cross-source conflict.
func TestDemoDataLoadsEverywhereWithOneConflictAndLateResources(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p := platformtest.Open(t, d, "yunnan", nil)
		ctx := context.Background()
		if _, err := demo.Seed(ctx, p, "pw-12345678"); err != nil {
			t.Fatal(err)
		}
		n, err := demo.SeedData(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var published, rejected int
		d.QueryRowContext(ctx, `SELECT COUNT(*) FROM datasets`).Scan(&published)
		d.QueryRowContext(ctx, `SELECT COALESCE(SUM(rows_rejected), 0) FROM dataset_loads`).Scan(&rejected)
		if n < 40 || n != published || rejected != 0 {
			t.Errorf("loaded %d of %d datasets, %d rows rejected", n, published, rejected)
		}
		if again, _ := demo.SeedData(ctx, p); again != 0 {
			t.Errorf("seeding twice loaded %d more", again)
		}
		late, err := p.Datasets.Freshness(platformtest.As(t, p, "authority.admin"), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(late) < 3 {
			t.Errorf("%d late resources", len(late))
		}
		cases, _, err := p.Cases.List(platformtest.As(t, p, "authority.admin"), caseflow.Filter{Type: dataset.ConflictCaseType})
		if err != nil || len(cases) != 1 || cases[0].State != caseflow.Submitted {
			t.Fatalf("conflict cases: %v %d", err, len(cases))
		}
	})
}
