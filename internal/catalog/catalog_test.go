package catalog_test

import (
	"context"
	"testing"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/demo"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
	"gongshu/internal/platform/platformtest"
	"gongshu/internal/workday"
)

type fx struct {
	p    *platform.Platform
	orgs map[string]string
}

func setup(t *testing.T, d *db.DB) *fx {
	t.Helper()
	clock := platformtest.NewClock(time.Date(2025, 6, 2, 9, 0, 0, 0, workday.Location))
	p := platformtest.Open(t, d, "yunnan", clock)
	if _, err := demo.Seed(context.Background(), p, "pw-12345678"); err != nil {
		t.Fatal(err)
	}
	f := &fx{p: p, orgs: map[string]string{}}
	orgs, _ := p.Identity.ListOrgs(context.Background(), identity.OrgFilter{})
	for _, o := range orgs {
		f.orgs[o.Name] = o.ID
	}
	return f
}

func (f *fx) as(t *testing.T, u string) context.Context { return platformtest.As(t, f.p, u) }

const market = "昆明市市场监督管理局"

func entry() catalog.Entry {
	return catalog.Entry{
		Name: "企业登记基本信息", Summary: "昆明市市场主体登记的基本信息，含名称、统一社会信用代码、法定代表人和登记状态。",
		Library: catalog.LibraryBase, BaseDatabase: "法人", DataForm: "table", Formats: []string{"csv", "xlsx"},
		UpdateFrequency: "daily", Level: catalog.LevelGeneral, ShareType: catalog.ShareUnconditional, OpenType: catalog.OpenUnconditional,
		Items: []catalog.Item{
			{Name: "企业名称", DataType: "string", Length: 200, Required: true},
			{Name: "统一社会信用代码", DataType: "string", Length: 18, IDKind: catalog.IDUSCC, Required: true},
			{Name: "法定代表人", DataType: "string", Length: 50, PI: catalog.PIPersonal},
		},
		Tags: []string{"企业", "登记"},
	}
}

func wantCode(t *testing.T, err error, code apperr.Code, article string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (article != "" && e.Article != article) {
		t.Fatalf("error %v, want %s citing %q", err, code, article)
	}
}

// publish creates, submits and approves an entry.
func (f *fx) publish(t *testing.T, e catalog.Entry) *catalog.Resource {
	t.Helper()
	return platformtest.Publish(t, f.p, "data.officer", "authority.reviewer", f.orgs[market], e)
}

func TestCatalogEntryIsReviewedThenPublishedAndFound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		officer := f.as(t, "data.officer")
		r, err := f.p.Catalog.Create(officer, f.orgs[market], entry())
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Code) != 15 || r.Code[0] != '1' || r.Code[8] != '/' {
			t.Errorf("resource code %q, want class 1 (base) front part / sequence", r.Code)
		}
		// Unpublished: the public and other institutions do not see it.
		for _, u := range []string{"citizen", "hrss.officer"} {
			if _, err := f.p.Catalog.Get(f.as(t, u), r.ID, 0); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s sees a draft: %v", u, err)
			}
		}
		c, err := f.p.Catalog.Submit(officer, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.StepDueDate != "2025-06-09" { // YN§13: 5 WD after Monday 2 June 2025 (the last day of Dragon Boat): 3-6 and 9 June
			t.Errorf("review due %s", c.StepDueDate)
		}
		// The institution cannot review its own catalog; the authority returns it for changes.
		_, err = f.p.Cases.Decide(f.as(t, "institution.admin"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "x"})
		wantCode(t, err, apperr.Forbidden, "")
		c, err = f.p.Cases.Decide(f.as(t, "authority.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActReturn, Comment: "请补充联系方式"})
		if err != nil || c.StepDueDate != "2025-06-16" { // YN§12: fixed within 10 WD
			t.Fatalf("return: %v %s", err, c.StepDueDate)
		}
		if got, _ := f.p.Catalog.Get(officer, r.ID, 0); got.LatestStatus != catalog.StatusReturned {
			t.Errorf("a returned entry shows as %s", got.LatestStatus)
		}
		e := entry()
		e.Contact = "0871-12345678"
		if _, err := f.p.Catalog.Update(officer, r.ID, e); err != nil {
			t.Fatal(err)
		}
		if _, err := f.p.Catalog.Submit(officer, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.p.Cases.Decide(f.as(t, "authority.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "同意发布"}); err != nil {
			t.Fatal(err)
		}
		got, err := f.p.Catalog.Get(f.as(t, "citizen"), r.ID, 0)
		if err != nil || got.PublishedVersion != 1 || got.Entry.Contact != "0871-12345678" {
			t.Fatalf("public view: %+v %v", got, err)
		}
		for _, q := range []string{"人口", "企业", "企业登记", "信用代码", "法人", "登记基本信息", "企", "csv"} {
			res, err := f.p.Catalog.Search(f.as(t, "citizen"), catalog.Query{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range res.Hits {
				found = found || h.ID == r.ID
			}
			if found != (q != "人口") {
				t.Errorf("search %q: found=%v (%d hits)", q, found, res.Total)
			}
		}
		res, _ := f.p.Catalog.Search(f.as(t, "citizen"), catalog.Query{Theme: "法人", Library: catalog.LibraryBase, Provider: f.orgs[market]})
		if res.Total < 1 || len(res.Facets["provider"]) != 1 || res.Facets["provider"][0].Label != market || res.Facets["library"][0].Value != "base" {
			t.Errorf("facets: %+v", res.Facets)
		}
		if short, err := f.p.Catalog.Search(f.as(t, "citizen"), catalog.Query{Region: "00"}); err != nil || short.Total != 0 {
			t.Errorf("a short region code: %v %v", short, err)
		}
		for _, h := range res.Hits {
			if h.OpenType == catalog.OpenNone {
				t.Errorf("the public sees non-open %s", h.Name)
			}
		}
	})
}

func TestShareRulesCiteTheirArticles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		officer := f.as(t, "data.officer")
		e := entry()
		e.ShareType = catalog.ShareConditional
		r, err := f.p.Catalog.Create(officer, f.orgs[market], e)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.p.Catalog.Submit(officer, r.ID)
		wantCode(t, err, apperr.Invalid, "YN§27")
		e.ShareConditions = "仅限市场监管相关职责使用"
		f.p.Catalog.Update(officer, r.ID, e)
		_, err = f.p.Catalog.Submit(officer, r.ID)
		wantCode(t, err, apperr.Invalid, "YN§27") // still no legal basis
		e.LegalBasis = "《企业信息公示暂行条例》第六条"
		f.p.Catalog.Update(officer, r.ID, e)
		if _, err := f.p.Catalog.Submit(officer, r.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenTypeChangesFollowWH22(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		officer, reviewer := f.as(t, "data.officer"), f.as(t, "authority.reviewer")
		r := f.publish(t, entry())
		// Downgrade unconditional → none: a new version, the published one stays live.
		e := entry()
		e.OpenType = catalog.OpenNone
		if _, err := f.p.Catalog.Update(officer, r.ID, e); err != nil {
			t.Fatal(err)
		}
		if pub, _ := f.p.Catalog.Get(f.as(t, "citizen"), r.ID, 0); pub == nil || pub.Entry.OpenType != catalog.OpenUnconditional {
			t.Fatal("the published version is not live during the change")
		}
		c, err := f.p.Catalog.Submit(officer, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.p.Cases.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "同意"})
		wantCode(t, err, apperr.Invalid, "WH§22")
		if _, err := f.p.Cases.Decide(reviewer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "同意降级", Confirmations: []string{"open_downgrade"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.p.Catalog.Get(f.as(t, "citizen"), r.ID, 0); apperr.CodeOf(err) != apperr.NotFound {
			t.Error("a non-open entry is in the open catalog")
		}
		vs, _ := f.p.Catalog.Versions(officer, r.ID)
		if len(vs) != 2 || vs[0].Status != catalog.StatusPublished || vs[1].Status != catalog.StatusSuperseded || len(vs[0].Changes) == 0 || vs[0].Changes[0].Field != "open_type" {
			t.Fatalf("versions: %+v", vs)
		}
		// Back to open: needs de-identification or consent on record (WH§22, YN§32).
		e.OpenType = catalog.OpenUnconditional
		f.p.Catalog.Update(officer, r.ID, e)
		_, err = f.p.Catalog.Submit(officer, r.ID)
		wantCode(t, err, apperr.Invalid, "WH§22")
		e.OpenChangeBasis, e.OpenChangeNote = "deidentified", "法定代表人姓名已按 GB/T 37964 去标识化"
		f.p.Catalog.Update(officer, r.ID, e)
		if _, err := f.p.Catalog.Submit(officer, r.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSuggestFlagsPersonalInformation(t *testing.T) {
	for name, want := range map[string]string{"公民身份号码": "citizen_id", "联系电话": "phone", "统一社会信用代码": "uscc", "姓名": "name",
		"户籍地址": "address", "企业名称": "", "银行卡号": "bank_card"} {
		if got := catalog.Suggest(name, nil); got != want {
			t.Errorf("Suggest(%s) = %q, want %q", name, got, want)
		}
	}
	if got := catalog.Suggest("字段7", []string{"11010519491231002X", "440524188001010014"}); got != "citizen_id" {
		t.Errorf("from samples: %q", got)
	}
	if toks := catalog.Tokens("GDP统计2024年 人口"); len(toks) != 5 || toks[0] != "gdp" || toks[1] != "统计" || toks[2] != "2024" || toks[3] != "年" || toks[4] != "人口" {
		t.Errorf("tokens %q", toks)
	}
}

func TestTriggeringChangesAndYearlyRecheckOpenCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		_, err := f.p.Catalog.RequireUpdate(f.as(t, "hrss.officer"), f.orgs[market], "law", "")
		wantCode(t, err, apperr.Forbidden, "")
		c, err := f.p.Catalog.RequireUpdate(f.as(t, "authority.reviewer"), f.orgs[market], "law", "《食品安全法》修订")
		if err != nil {
			t.Fatal(err)
		}
		if c.StepDueDate != "2025-06-23" { // YN§13: 15 WD after Monday 2 June 2025
			t.Errorf("update due %s", c.StepDueDate)
		}
		_, err = f.p.Cases.Decide(f.as(t, "data.officer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove})
		wantCode(t, err, apperr.Invalid, "") // the institution says what it updated
		if _, err := f.p.Cases.Decide(f.as(t, "data.officer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "已更新食品经营许可信息目录"}); err != nil {
			t.Fatal(err)
		}
		n, err := f.p.Catalog.OpenYearlyRecheck(f.as(t, "authority.admin"), 2025)
		if err != nil || n < 6 {
			t.Fatalf("yearly re-check opened %d (%v)", n, err)
		}
		if again, _ := f.p.Catalog.OpenYearlyRecheck(f.as(t, "authority.admin"), 2025); again != 0 {
			t.Errorf("re-check opened twice: %d", again)
		}
		// A city authority opens only its own city's institutions (already done by the province here).
		if m, _ := f.p.Catalog.OpenYearlyRecheck(f.as(t, "km.authority.admin"), 2025); m != 0 {
			t.Errorf("city re-check reopened %d", m)
		}
		_, err = f.p.Catalog.OpenYearlyRecheck(f.as(t, "data.officer"), 2025)
		wantCode(t, err, apperr.Forbidden, "")
	})
}

func TestQualityScoresPerInstitutionFollowVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		own, err := f.p.Catalog.Quality(f.as(t, "data.officer"))
		if err != nil || len(own) != 1 || own[0].OrgName != market || own[0].Entries < 10 || own[0].Average <= 0 || own[0].Average > 100 {
			t.Fatalf("own institution: %+v %v", own, err)
		}
		all, _ := f.p.Catalog.Quality(f.as(t, "authority.admin"))
		if len(all) < 5 {
			t.Errorf("the province authority sees %d institutions", len(all))
		}
		if none, _ := f.p.Catalog.Quality(f.as(t, "citizen")); len(none) != 0 {
			t.Errorf("the public sees drafts' quality: %+v", none)
		}
	})
}
