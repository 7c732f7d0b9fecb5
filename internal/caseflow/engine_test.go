package caseflow_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/caseflow"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/demo"
	"gongshu/internal/feedback"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
	"gongshu/internal/platform/platformtest"
	"gongshu/internal/policy"
	"gongshu/internal/workday"
)

// start is a Monday morning in Beijing, inside the calendar's years.
var start = time.Date(2025, 9, 29, 9, 0, 0, 0, workday.Location)

type fixture struct {
	p     *platform.Platform
	clock *platformtest.Clock
	orgs  map[string]string
}

func setup(t *testing.T, d *db.DB, profile string) *fixture {
	t.Helper()
	clock := platformtest.NewClock(start)
	p := platformtest.Open(t, d, profile, clock)
	// Test-only case types bound to processes with several steps, an
	// extension rule and a legal-basis requirement: real declarations, no mocks.
	p.Cases.Register(&caseflow.Type{Name: "test_share", Process: "share_conditional", NumberPrefix: "TS",
		Title: policy.I18n{ZH: "测试共享", EN: "test share"}, Check: plainCheck})
	p.Cases.Register(&caseflow.Type{Name: "test_correction", Process: "correction", NumberPrefix: "TC",
		Title: policy.I18n{ZH: "测试校核", EN: "test correction"}, Check: plainCheck})
	if _, err := demo.Seed(context.Background(), p, "test-password"); err != nil {
		t.Fatal(err)
	}
	// The demo seeds cases of its own; these tests make new ones.
	f := &fixture{p: p, clock: clock, orgs: map[string]string{}}
	orgs, _ := p.Identity.ListOrgs(context.Background(), identity.OrgFilter{})
	for _, o := range orgs {
		f.orgs[o.Name] = o.ID
	}
	if profile != "yunnan" && profile != "" {
		if err := p.SetProfile(context.Background(), profile); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func plainCheck(_ context.Context, form json.RawMessage) (string, json.RawMessage, error) {
	return "test case", form, nil
}

func (f *fixture) as(t *testing.T, user string) context.Context { return platformtest.As(t, f.p, user) }

func (f *fixture) file(t *testing.T, user, typ, org string, submit bool) *caseflow.Case {
	t.Helper()
	form, _ := json.Marshal(feedback.Form{Kind: feedback.Demand, Content: "请开放企业登记信息的统计数据"})
	c, err := f.p.Cases.Create(f.as(t, user), caseflow.NewCase{Type: typ, TargetOrgID: f.orgs[org], Form: form, Submit: submit})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const market = "昆明市市场监督管理局"

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

func TestFeedbackLifecycleWithWorkingDayDeadlines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "weihai")
		e := f.p.Cases
		c := f.file(t, "citizen", feedback.TypeName, market, true)
		if c.State != caseflow.Submitted || c.StepDueDate != "2025-10-20" {
			// Received Monday 29 September 2025: 10 WD (WH§25) are 30 Sept, 9, 10, 11 (an adjusted Saturday), 13-17 and 20 October.
			t.Fatalf("state %s due %s, want submitted due 2025-10-20", c.State, c.StepDueDate)
		}
		officer := f.as(t, "data.officer")
		c, err := e.Accept(officer, c.ID, c.Version)
		if err != nil || c.State != caseflow.InReview {
			t.Fatalf("accept: %v %v", c, err)
		}
		// Return for changes: the applicant's own deadline (10 WD default).
		f.clock.Advance(24 * time.Hour)
		c, err = e.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActReturn, Comment: "请说明所需字段"})
		if err != nil || c.State != caseflow.Returned || c.StepDueDate != "2025-10-21" {
			t.Fatalf("return: %+v %v", c, err)
		}
		if _, err := e.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "x"}); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("deciding a returned case: %v", err)
		}
		c, err = e.Submit(f.as(t, "citizen"), c.ID, c.Version)
		if err != nil || c.State != caseflow.InReview {
			t.Fatalf("resubmit: %+v %v", c, err)
		}
		_, err = e.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActApprove})
		wantCode(t, err, apperr.Invalid) // a reply needs text
		c, err = e.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "已列入开放计划"})
		if err != nil || c.State != caseflow.Approved || c.ClosedAt == nil {
			t.Fatalf("approve: %+v %v", c, err)
		}
		// The requester sees the answer and the timeline.
		got, err := e.Get(f.as(t, "citizen"), c.ID)
		if err != nil || got.State != caseflow.Approved {
			t.Fatal(err)
		}
		evs, _ := e.Events(f.as(t, "citizen"), c.ID)
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action)
		}
		want := []string{"create", "submit", "accept", "return", "resubmit", "approve"}
		if len(actions) != len(want) {
			t.Fatalf("timeline %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("timeline %v, want %v", actions, want)
			}
		}
		if evs[5].Comment != "已列入开放计划" {
			t.Errorf("reply not in the timeline")
		}
		notices, unread, _ := f.p.Notify.List(context.Background(), identity.ActorFrom(f.as(t, "citizen")).UserID, 50)
		if unread == 0 || len(notices) == 0 {
			t.Error("the citizen was not notified")
		}
		res, err := f.p.Audit.Verify(context.Background())
		if err != nil || res.Problem != nil {
			t.Fatalf("audit chain broken: %+v %v", res, err)
		}
		recs, _ := f.p.Audit.Search(context.Background(), audit.Query{ObjectID: c.ID, Action: "case."})
		if len(recs) != 6 {
			t.Errorf("%d audit records for the case, want one per transition (6)", len(recs))
		}
	})
}

func TestReviewerCannotBeTheSubmitter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		c := f.file(t, "data.officer", feedback.TypeName, market, true)
		_, err := f.p.Cases.Decide(f.as(t, "data.officer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "自己批"})
		wantCode(t, err, apperr.Forbidden)
		if _, err := f.p.Cases.Decide(f.as(t, "institution.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "ok"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRefusalNeedsReasonAndLegalBasisWhereTheProfileSays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		c := f.file(t, "hrss.officer", "test_share", market, true)
		officer := f.as(t, "data.officer")
		_, err := f.p.Cases.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActRefuse})
		wantCode(t, err, apperr.Invalid)
		_, err = f.p.Cases.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActRefuse, Comment: "涉及个人信息"})
		wantCode(t, err, apperr.Invalid)
		if e := apperr.As(err); e.Article != "YN§29" || e.Field != "legal_basis" {
			t.Errorf("refusal error cites %q field %q, want YN§29 legal_basis", e.Article, e.Field)
		}
		c, err = f.p.Cases.Decide(officer, c.ID, caseflow.Decision{Action: caseflow.ActRefuse, Comment: "涉及个人信息", LegalBasis: "个人信息保护法第十三条"})
		if err != nil || c.State != caseflow.Refused {
			t.Fatalf("refuse: %+v %v", c, err)
		}
		// A feedback refusal (no legal basis required by the profile) needs only the reason.
		fb := f.file(t, "citizen", feedback.TypeName, market, true)
		if _, err := f.p.Cases.Decide(officer, fb.ID, caseflow.Decision{Action: caseflow.ActRefuse, Comment: "不属于本机构职责"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMultiStepProcessFollowsTheProfile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		c := f.file(t, "hrss.officer", "test_share", market, true)
		if c.StepID != "provider_review" || c.StepDueDate != "2025-10-13" { // YN§29: 5 WD from Monday 29 September 2025
			t.Fatalf("step %s due %s", c.StepID, c.StepDueDate)
		}
		c, err := f.p.Cases.Decide(f.as(t, "data.officer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "同意共享"})
		if err != nil || c.State != caseflow.InReview || c.StepIndex != 1 || c.StepID != "deliver" {
			t.Fatalf("after step 1: %+v %v", c, err)
		}
		c, err = f.p.Cases.Decide(f.as(t, "institution.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "已交付"})
		if err != nil || c.State != caseflow.Approved {
			t.Fatalf("after step 2: %+v %v", c, err)
		}
		// Weihai: the authority reviews first (1 WD), then the provider (2 WD).
		if err := f.p.SetProfile(context.Background(), "weihai"); err != nil {
			t.Fatal(err)
		}
		c = f.file(t, "hrss.officer", "test_share", market, true)
		if c.StepID != "authority_review" || c.StepDueDate != "2025-09-30" {
			t.Fatalf("weihai step %s due %s", c.StepID, c.StepDueDate)
		}
		_, err = f.p.Cases.Decide(f.as(t, "data.officer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "越权"})
		wantCode(t, err, apperr.Forbidden)
		if _, err := f.p.Cases.Decide(f.as(t, "authority.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "材料齐全"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConcurrentDecisionsOnOneStepCannotBothWin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		for round := 0; round < 5; round++ {
			c := f.file(t, "citizen", feedback.TypeName, market, true)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			users := []string{"data.officer", "institution.reviewer", "institution.admin", "data.officer"}
			for i := range errs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					action := caseflow.ActApprove
					if i%2 == 1 {
						action = caseflow.ActRefuse
					}
					_, errs[i] = f.p.Cases.Decide(f.as(t, users[i]), c.ID, caseflow.Decision{Action: action, Comment: "决定", Version: c.Version})
				}(i)
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				if err == nil {
					wins++
				} else if apperr.CodeOf(err) != apperr.Conflict {
					t.Fatalf("loser got %v, want conflict", err)
				}
			}
			if wins != 1 {
				t.Fatalf("%d decisions won, want exactly 1", wins)
			}
			evs, _ := f.p.Cases.Events(f.as(t, "citizen"), c.ID)
			if last := evs[len(evs)-1]; last.Action != "approve" && last.Action != "refuse" || len(evs) != 3 {
				t.Fatalf("timeline after the race: %d events", len(evs))
			}
		}
	})
}

func TestOverdueJobMarksOnceNotifiesAndCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "weihai")
		ctx := context.Background()
		f.p.Cases.MarkOverdue(ctx) // whatever the demo left
		c := f.file(t, "citizen", feedback.TypeName, market, true)
		officer := f.as(t, "data.officer")
		before, err := f.p.Cases.Count(officer, "todo")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(21 * 24 * time.Hour) // 20 October 2025 09:00: due at its end, not yet overdue
		f.p.Cases.MarkOverdue(ctx)           // the demo's shorter deadlines (catalog reviews, 5 WD) have passed
		if got, _ := f.p.Cases.Get(officer, c.ID); got.OverdueAt != nil {
			t.Fatal("marked overdue on its due date itself")
		}
		f.clock.Advance(15 * time.Hour) // 21 October 00:00 Beijing
		// The demo's open cases, filed at the same clock, fall due at the same moment.
		n, err := f.p.Cases.MarkOverdue(ctx)
		if err != nil || n < 1 {
			t.Fatalf("marked %d (%v), want at least the new case", n, err)
		}
		if n, _ := f.p.Cases.MarkOverdue(ctx); n != 0 {
			t.Fatalf("marked again: %d", n)
		}
		after, err := f.p.Cases.Count(officer, "todo")
		if err != nil {
			t.Fatal(err)
		}
		if after.Overdue <= before.Overdue {
			t.Errorf("overdue count %d → %d", before.Overdue, after.Overdue)
		}
		got, _ := f.p.Cases.Get(officer, c.ID)
		if got.OverdueAt == nil || !got.Overdue(f.clock.Now()) {
			t.Error("case not marked overdue")
		}
		list, _, _ := f.p.Notify.List(ctx, identity.ActorFrom(officer).UserID, 100)
		found := false
		for _, nt := range list {
			found = found || (nt.Kind == "case.overdue" && nt.CaseID == c.ID)
		}
		if !found {
			t.Error("the institution was not told the case is overdue")
		}
		overdue, total, err := f.p.Cases.List(officer, caseflow.Filter{Box: "todo", Overdue: true})
		if err != nil || total < 1 || len(overdue) < 1 {
			t.Error("overdue filter finds nothing")
		}
	})
}

func TestExtensionOnlyWhereTheProfileAllowsAndWithApproval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		officer := f.as(t, "data.officer")
		fb := f.file(t, "citizen", feedback.TypeName, market, true)
		_, err := f.p.Cases.RequestExtension(officer, fb.ID, 0, "情况复杂")
		wantCode(t, err, apperr.Invalid) // feedback has no extension rule

		// YN§22 correction: forwarded by the authority in 2 WD, then 5 WD, extendable to 10 WD with the head's approval.
		c := f.file(t, "citizen", "test_correction", market, true)
		c, err = f.p.Cases.Decide(f.as(t, "authority.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "转交"})
		if err != nil || c.StepID != "correct" || c.StepDueDate != "2025-10-13" {
			t.Fatalf("forwarded: %+v %v", c, err)
		}
		_, err = f.p.Cases.RequestExtension(officer, c.ID, 0, "")
		wantCode(t, err, apperr.Invalid) // reason required
		c, err = f.p.Cases.RequestExtension(officer, c.ID, 0, "需要现场核实")
		if err != nil || c.Extension != "requested" {
			t.Fatal(err)
		}
		_, err = f.p.Cases.DecideExtension(f.as(t, "institution.reviewer"), c.ID, 0, true, "")
		wantCode(t, err, apperr.Forbidden) // only the head
		c, err = f.p.Cases.DecideExtension(f.as(t, "institution.admin"), c.ID, 0, true, "同意延期")
		if err != nil || c.Extension != "approved" || c.StepDueDate != "2025-10-20" {
			t.Fatalf("extension: %+v %v", c, err)
		}
		_, err = f.p.Cases.RequestExtension(officer, c.ID, 0, "再延")
		wantCode(t, err, apperr.Conflict)
	})
}

func TestWithdrawAndDraftsBelongToTheApplicant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		draft := f.file(t, "citizen", feedback.TypeName, market, false)
		_, err := f.p.Cases.Get(f.as(t, "data.officer"), draft.ID)
		wantCode(t, err, apperr.NotFound) // drafts are the applicant's alone
		_, err = f.p.Cases.Withdraw(f.as(t, "citizen2"), draft.ID, 0, "")
		wantCode(t, err, apperr.NotFound)
		c, err := f.p.Cases.Submit(f.as(t, "citizen"), draft.ID, 0)
		if err != nil || c.State != caseflow.Submitted {
			t.Fatal(err)
		}
		c, err = f.p.Cases.Withdraw(f.as(t, "citizen"), c.ID, c.Version, "不再需要")
		if err != nil || c.State != caseflow.Withdrawn {
			t.Fatal(err)
		}
		_, err = f.p.Cases.Withdraw(f.as(t, "citizen"), c.ID, 0, "")
		wantCode(t, err, apperr.Invalid)
		_, err = f.p.Cases.Decide(f.as(t, "data.officer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "x"})
		wantCode(t, err, apperr.Invalid)
	})
}

func TestAnotherOrganizationsCasesAreNotFound(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, "yunnan")
		c := f.file(t, "citizen", feedback.TypeName, market, true)
		for _, user := range []string{"hrss.officer", "water.officer", "citizen2", "company", "operator.admin"} {
			ctx := f.as(t, user)
			if _, err := f.p.Cases.Get(ctx, c.ID); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s reads another organization's case: %v", user, err)
			}
			if _, err := f.p.Cases.Events(ctx, c.ID); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s reads the timeline: %v", user, err)
			}
			if _, err := f.p.Cases.Decide(ctx, c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "x"}); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s decides: %v", user, err)
			}
			list, _, err := f.p.Cases.List(ctx, caseflow.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range list {
				if x.ID == c.ID {
					t.Errorf("%s lists the case", user)
				}
			}
		}
		// The authorities above the institution's region see it; a county authority does not.
		for user, visible := range map[string]bool{"authority.admin": true, "authority.reviewer": true, "auditor": true} {
			_, err := f.p.Cases.Get(f.as(t, user), c.ID)
			if (err == nil) != visible {
				t.Errorf("%s: visible=%v err=%v", user, visible, err)
			}
		}
	})
}
