package policy

import (
	"strings"
	"testing"
)

func TestBuiltinProfilesEncodeTheRegulations(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "jiamusi,qingyang,weihai,yunnan,zhangjiakou" {
		t.Fatalf("names %s", got)
	}
	type want struct {
		profile, process string
		steps            []int // working days per step, 0 = none
		article          string
		regulated        bool
	}
	for _, w := range []want{
		{"weihai", "feedback", []int{10}, "WH§25", true},
		{"yunnan", "feedback", []int{10}, "", false},
		{"weihai", "share_conditional", []int{1, 2}, "WH§17", true},
		{"yunnan", "share_conditional", []int{5, 5}, "YN§29", true},
		{"jiamusi", "share_conditional", []int{5}, "JMS§15", true},
		{"qingyang", "share_conditional", []int{7}, "QY§16", true},
		{"qingyang", "open_conditional", []int{15}, "QY§24", true},
		{"weihai", "open_conditional", []int{5, 10}, "WH§24", true},
		{"yunnan", "catalog_review", []int{5}, "YN§13", true},
		{"weihai", "catalog_review", []int{2}, "WH§9", true},
		{"yunnan", "correction", []int{2, 5}, "YN§22", true},
		{"qingyang", "correction", []int{5}, "QY§18", true},
		{"yunnan", "data_return", []int{5}, "YN§18", true},
		{"yunnan", "share_unconditional", []int{2}, "YN§29", true},
	} {
		p, err := Builtin(w.profile)
		if err != nil {
			t.Fatal(err)
		}
		pr, ok := p.Process(w.process)
		if !ok {
			t.Fatalf("%s lacks %s", w.profile, w.process)
		}
		if pr.Regulated != w.regulated || pr.Article != w.article || len(pr.Steps) != len(w.steps) {
			t.Errorf("%s/%s: regulated %v article %q steps %d", w.profile, w.process, pr.Regulated, pr.Article, len(pr.Steps))
			continue
		}
		for i, n := range w.steps {
			got := 0
			if d := pr.Steps[i].Deadline; d != nil {
				got = d.WorkingDays
				if d.Default == w.regulated && w.regulated {
					t.Errorf("%s/%s step %d: regulated deadline marked default", w.profile, w.process, i)
				}
			}
			if got != n {
				t.Errorf("%s/%s step %d: %d WD, want %d", w.profile, w.process, i, got, n)
			}
		}
	}
	yn, _ := Builtin("yunnan")
	cr, _ := yn.Process("catalog_review")
	if cr.Return == nil || cr.Return.WorkingDays != 10 || cr.Return.Article != "YN§12" {
		t.Errorf("yunnan catalog fix deadline: %+v", cr.Return)
	}
	co, _ := yn.Process("correction")
	if co.Extension == nil || co.Extension.MaxWorkingDays != 10 || co.Extension.Article != "YN§22" {
		t.Errorf("yunnan correction extension: %+v", co.Extension)
	}
	sc, _ := yn.Process("share_conditional")
	if !sc.Refusal.LegalBasisRequired {
		t.Error("yunnan conditional share refusal needs a legal basis (YN§29)")
	}
	zjk, _ := Builtin("zhangjiakou")
	if at, _ := zjk.Process("authorization_term"); at.Period == nil || at.Period.Months != 36 {
		t.Errorf("zhangjiakou term: %+v", at.Period)
	}
}

func TestApplyChangesOnlyTheCopy(t *testing.T) {
	p, _ := Builtin("yunnan")
	q, err := p.Apply([]Override{{Process: "feedback", Step: "reply", WorkingDays: 7}, {Process: "catalog_review", Field: "return", WorkingDays: 8, Article: "YN§12"}})
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := q.Process("feedback")
	if d := fb.Steps[0].Deadline; d.WorkingDays != 7 || d.Article != "deployment override" || d.Default {
		t.Errorf("override not applied: %+v", d)
	}
	orig, _ := p.Process("feedback")
	if orig.Steps[0].Deadline.WorkingDays != 10 {
		t.Error("Apply changed the original")
	}
	again, _ := Builtin("yunnan")
	if f, _ := again.Process("feedback"); f.Steps[0].Deadline.WorkingDays != 10 {
		t.Error("Builtin copies are shared")
	}
	for _, bad := range []Override{{Process: "nope", Step: "x", WorkingDays: 1}, {Process: "feedback", Step: "nope", WorkingDays: 1},
		{Process: "feedback", Step: "reply", WorkingDays: 0}, {Process: "feedback", Field: "extension", WorkingDays: 3},
		{Process: "feedback", Step: "reply", WorkingDays: 3, Article: "somewhere"}} {
		if _, err := p.Apply([]Override{bad}); err == nil {
			t.Errorf("override %+v accepted", bad)
		}
	}
}

func TestParseIsStrict(t *testing.T) {
	if _, err := Parse(strings.NewReader(`{"name":"x","tag":"X","unknown":1}`)); err == nil {
		t.Error("unknown field accepted")
	}
	if _, err := Parse(strings.NewReader(`{"name":"x","tag":"X","processes":[]}`)); err == nil {
		t.Error("profile without processes accepted")
	}
	if _, err := Builtin("../yunnan"); err == nil {
		t.Error("path accepted as a profile name")
	}
	if _, err := ParseOverrides(strings.NewReader(`[{"process":"feedback","step":"reply","working_days":5}]`)); err != nil {
		t.Error(err)
	}
}
