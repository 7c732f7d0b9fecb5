package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustBuiltin(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustProcess(t *testing.T, p *Profile, id string) *Process {
	t.Helper()
	pr, ok := p.Process(id)
	if !ok {
		t.Fatalf("%s lacks process %s", p.Name, id)
	}
	return pr
}

func TestNamesListsTheFiveBuiltinsSorted(t *testing.T) {
	want := []string{"jiamusi", "qingyang", "weihai", "yunnan", "zhangjiakou"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
}

func TestEveryBuiltinParsesValidatesAndRoundTrips(t *testing.T) {
	tags := map[string]string{"jiamusi": "JMS", "qingyang": "QY", "zhangjiakou": "ZJK", "yunnan": "YN", "weihai": "WH"}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			p := mustBuiltin(t, name)
			if p.Name != name || p.Tag != tags[name] {
				t.Errorf("name %q tag %q", p.Name, p.Tag)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, pr := range p.Processes {
				ids = append(ids, pr.ID)
			}
			if !slices.Equal(ids, ProcessIDs()) {
				t.Errorf("processes %v, want all of %v in order", ids, ProcessIDs())
			}
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			if !reflect.DeepEqual(p, again) {
				t.Error("profile changed in a JSON round trip")
			}
		})
	}
}

// step is the expected shape of one step: actor, working days (0 = no
// deadline), the article of the deadline and whether it is a platform default.
type step struct {
	id      string
	actor   Actor
	days    int
	article string
	def     bool
}

func TestBuiltinValuesFollowTheRegulations(t *testing.T) {
	for _, c := range []struct {
		profile, process string
		regulated        bool
		article          string
		steps            []step
	}{
		{"weihai", "feedback", true, "WH§25", []step{{"reply", ActorProvider, 10, "WH§25", false}}},
		{"yunnan", "feedback", false, "", []step{{"reply", ActorProvider, 10, "", true}}},
		{"jiamusi", "feedback", false, "", []step{{"reply", ActorProvider, 10, "", true}}},
		{"weihai", "share_conditional", true, "WH§17", []step{{"authority_review", ActorAuthority, 1, "WH§17", false}, {"provider_review", ActorProvider, 2, "WH§17", false}}},
		{"yunnan", "share_conditional", true, "YN§29", []step{{"provider_review", ActorProvider, 5, "YN§29", false}, {"deliver", ActorProvider, 5, "YN§29", false}}},
		{"jiamusi", "share_conditional", true, "JMS§15", []step{{"provider_review", ActorProvider, 5, "JMS§15", false}}},
		{"qingyang", "share_conditional", true, "QY§16(二)", []step{{"provider_review", ActorProvider, 7, "QY§16(二)", false}}},
		{"zhangjiakou", "share_conditional", false, "", []step{{"provider_review", ActorProvider, 5, "", true}}},
		{"yunnan", "share_unconditional", true, "YN§29", []step{{"deliver", ActorProvider, 2, "YN§29", false}}},
		{"weihai", "share_unconditional", true, "WH§17", []step{{"deliver", ActorProvider, 0, "", false}}},
		{"qingyang", "share_unconditional", true, "QY§16(一)", []step{{"deliver", ActorProvider, 0, "", false}}},
		{"jiamusi", "share_unconditional", true, "JMS§14", []step{{"deliver", ActorProvider, 0, "", false}}},
		{"jiamusi", "share_external", true, "JMS§13", []step{{"authority_review", ActorAuthority, 5, "", true}, {"provider_review", ActorProvider, 5, "", true}}},
		{"yunnan", "share_external", false, "", []step{{"authority_review", ActorAuthority, 5, "", true}, {"provider_review", ActorProvider, 5, "", true}}},
		{"qingyang", "open_conditional", true, "QY§24", []step{{"provider_review", ActorProvider, 15, "QY§24(二)", false}}},
		{"jiamusi", "open_conditional", true, "JMS§17", []step{{"provider_review", ActorProvider, 10, "JMS§17", false}}},
		{"weihai", "open_conditional", true, "WH§24", []step{{"authority_review", ActorAuthority, 5, "WH§24", false}, {"provider_review", ActorProvider, 10, "WH§24", false}}},
		{"yunnan", "open_conditional", true, "YN§35", []step{{"provider_review", ActorProvider, 10, "", true}}},
		{"yunnan", "catalog_update", true, "YN§13", []step{{"submit_update", ActorProvider, 15, "YN§13", false}}},
		{"qingyang", "catalog_update", true, "QY§8", []step{{"submit_update", ActorProvider, 15, "QY§8", false}}},
		{"weihai", "catalog_update", true, "WH§9", []step{{"submit_update", ActorProvider, 15, "WH§9", false}}},
		{"jiamusi", "catalog_update", false, "", []step{{"submit_update", ActorProvider, 15, "", true}}},
		{"yunnan", "catalog_review", true, "YN§13", []step{{"authority_review", ActorAuthority, 5, "YN§13", false}}},
		{"weihai", "catalog_review", true, "WH§9", []step{{"authority_review", ActorAuthority, 2, "WH§9", false}}},
		{"zhangjiakou", "catalog_review", true, "ZJK§7", []step{{"authority_review", ActorAuthority, 5, "", true}}},
		{"qingyang", "catalog_review", true, "QY§8", []step{{"authority_review", ActorAuthority, 5, "", true}}},
		{"yunnan", "correction", true, "YN§22", []step{{"forward", ActorAuthority, 2, "YN§22", false}, {"correct", ActorProvider, 5, "YN§22", false}}},
		{"qingyang", "correction", true, "QY§18", []step{{"correct", ActorAuthority, 5, "QY§18", false}}},
		{"weihai", "correction", false, "", []step{{"correct", ActorProvider, 5, "", true}}},
		{"yunnan", "data_return", true, "YN§18", []step{{"reply", ActorProvider, 5, "YN§18", false}}},
		{"zhangjiakou", "data_return", true, "ZJK§10", []step{{"reply", ActorUpperAuthority, 5, "", true}}},
		{"jiamusi", "data_return", true, "JMS§10", []step{{"reply", ActorUpperAuthority, 5, "", true}}},
		{"weihai", "catalog_recheck", true, "WH§23", []step{{"recheck", ActorProvider, 15, "", true}}},
	} {
		t.Run(c.profile+"/"+c.process, func(t *testing.T) {
			pr := mustProcess(t, mustBuiltin(t, c.profile), c.process)
			if pr.Regulated != c.regulated || pr.Article != c.article {
				t.Errorf("regulated %v article %q, want %v %q", pr.Regulated, pr.Article, c.regulated, c.article)
			}
			if len(pr.Steps) != len(c.steps) {
				t.Fatalf("%d steps, want %d", len(pr.Steps), len(c.steps))
			}
			for i, w := range c.steps {
				s := pr.Steps[i]
				if s.ID != w.id || s.Actor != w.actor {
					t.Errorf("step %d: %s by %s, want %s by %s", i, s.ID, s.Actor, w.id, w.actor)
				}
				var got Deadline
				if s.Deadline != nil {
					got = *s.Deadline
				}
				if want := (Deadline{w.days, w.article, w.def}); got != want {
					t.Errorf("step %s: deadline %+v, want %+v", s.ID, got, want)
				}
			}
		})
	}
}

func TestRefusalNeedsWhatTheTextSays(t *testing.T) {
	for _, c := range []struct {
		profile, process string
		reason, basis    bool
		article          string
	}{
		{"jiamusi", "share_conditional", true, true, "JMS§15"},     // 说明理由并提供相应的法律、法规依据
		{"yunnan", "share_conditional", true, true, "YN§29"},       // 应当提供法律、行政法规或党中央、国务院政策依据
		{"qingyang", "share_conditional", true, false, "QY§16(二)"}, // 提供单位应说明理由
		{"weihai", "share_conditional", true, false, "WH§17"},      // 审核未通过的，应当说明理由
		{"weihai", "open_conditional", true, false, "WH§24"},
		{"qingyang", "open_conditional", true, false, "QY§24(二)"},
		{"zhangjiakou", "share_conditional", true, false, ""},
		{"yunnan", "feedback", true, false, ""},
	} {
		t.Run(c.profile+"/"+c.process, func(t *testing.T) {
			r := mustProcess(t, mustBuiltin(t, c.profile), c.process).Refusal
			if want := (Refusal{c.reason, c.basis, c.article}); r != want {
				t.Errorf("refusal %+v, want %+v", r, want)
			}
		})
	}
}

func TestReturnAndExtensionDeadlines(t *testing.T) {
	for _, c := range []struct {
		profile, process string
		ret              Deadline
		ext              *Extension
	}{
		{"yunnan", "catalog_review", Deadline{10, "YN§12", false}, nil},
		{"weihai", "catalog_review", Deadline{10, "", true}, nil},
		{"yunnan", "correction", Deadline{10, "", true}, &Extension{10, "institution_head", "YN§22"}},
		{"qingyang", "correction", Deadline{10, "", true}, nil},
		{"jiamusi", "share_external", Deadline{10, "", true}, nil},
	} {
		t.Run(c.profile+"/"+c.process, func(t *testing.T) {
			pr := mustProcess(t, mustBuiltin(t, c.profile), c.process)
			if pr.Return == nil || *pr.Return != c.ret {
				t.Errorf("return %+v, want %+v", pr.Return, c.ret)
			}
			if !reflect.DeepEqual(pr.Extension, c.ext) {
				t.Errorf("extension %+v, want %+v", pr.Extension, c.ext)
			}
		})
	}
}

func TestPeriodsOfRecurringDutiesAndTerms(t *testing.T) {
	for _, c := range []struct {
		profile, process string
		regulated        bool
		want             Period
	}{
		{"zhangjiakou", "authorization_term", true, Period{Months: 36, Article: "ZJK§17"}},
		{"zhangjiakou", "log_retention", true, Period{Months: 6, Article: "ZJK§31"}},
		{"weihai", "demand_plan", true, Period{Every: "yearly", DueBy: "02-28", Article: "WH§18"}},
		{"qingyang", "catalog_recheck", true, Period{Every: "yearly", Article: "QY§8"}},
		{"yunnan", "catalog_recheck", true, Period{Every: "yearly", Article: "YN§33"}},
		{"weihai", "catalog_recheck", true, Period{Every: "yearly", Article: "WH§23"}},
		{"yunnan", "authorization_term", false, Period{Months: 36, Article: ArticlePlatformDefault}},
		{"jiamusi", "demand_plan", false, Period{Every: "yearly", DueBy: "02-28", Article: ArticlePlatformDefault}},
	} {
		t.Run(c.profile+"/"+c.process, func(t *testing.T) {
			pr := mustProcess(t, mustBuiltin(t, c.profile), c.process)
			if pr.Regulated != c.regulated || pr.Period == nil || *pr.Period != c.want {
				t.Errorf("regulated %v period %+v, want %v %+v", pr.Regulated, pr.Period, c.regulated, c.want)
			}
			if pr.Notes.ZH == "" || pr.Notes.EN == "" {
				t.Error("a period process explains itself in notes")
			}
		})
	}
	at := mustProcess(t, mustBuiltin(t, "zhangjiakou"), "authorization_term")
	if !strings.Contains(at.Notes.ZH, "3个月") || !strings.Contains(at.Notes.EN, "last 3 months") {
		t.Errorf("ZJK§17 renewal window missing from notes: %+v", at.Notes)
	}
}

// Where a regulation is silent the engine still runs the process on the
// platform defaults, each marked as such.
func TestUnregulatedProcessesRunOnMarkedPlatformDefaults(t *testing.T) {
	defaults := map[string]map[string]int{ // process → step → WD
		"feedback":          {"reply": 10},
		"correction":        {"correct": 5},
		"share_conditional": {"provider_review": 5},
		"open_conditional":  {"provider_review": 10},
		"catalog_review":    {"authority_review": 5},
		"catalog_update":    {"submit_update": 15},
		"data_return":       {"reply": 5},
	}
	for _, name := range Names() {
		p := mustBuiltin(t, name)
		for _, pr := range p.Processes {
			if pr.Regulated {
				continue
			}
			where := name + "/" + pr.ID
			if pr.Article != "" {
				t.Errorf("%s: unregulated but cites %s", where, pr.Article)
			}
			if pr.Notes.ZH == "" || pr.Notes.EN == "" {
				t.Errorf("%s: unregulated without notes saying so", where)
			}
			if len(pr.Steps) > 0 && (pr.Return == nil || *pr.Return != (Deadline{WorkingDays: 10, Default: true})) {
				t.Errorf("%s: return %+v, want the 10 WD default", where, pr.Return)
			}
			for _, s := range pr.Steps {
				if s.Deadline != nil && (!s.Deadline.Default || s.Deadline.Article != "") {
					t.Errorf("%s.%s: %+v is not marked as a platform default", where, s.ID, s.Deadline)
				}
				if want, ok := defaults[pr.ID][s.ID]; ok && (s.Deadline == nil || s.Deadline.WorkingDays != want) {
					t.Errorf("%s.%s: %+v, want the %d WD default", where, s.ID, s.Deadline, want)
				}
			}
		}
	}
}

func TestCitedArticlesBelongToTheProfilesRegulation(t *testing.T) {
	for _, name := range Names() {
		p := mustBuiltin(t, name)
		prefix := p.Tag + "§"
		check := func(where, a string) {
			if a != "" && a != ArticlePlatformDefault && !strings.HasPrefix(a, prefix) {
				t.Errorf("%s/%s cites %s, not %s…", name, where, a, prefix)
			}
		}
		for _, pr := range p.Processes {
			check(pr.ID, pr.Article)
			check(pr.ID+".refusal", pr.Refusal.Article)
			for _, s := range pr.Steps {
				if s.Deadline != nil {
					check(pr.ID+"."+s.ID, s.Deadline.Article)
				}
			}
			if pr.Return != nil {
				check(pr.ID+".return", pr.Return.Article)
			}
			if pr.Extension != nil {
				check(pr.ID+".extension", pr.Extension.Article)
			}
			if pr.Period != nil {
				check(pr.ID+".period", pr.Period.Article)
			}
		}
	}
}

func TestBuiltinUnknownNameListsTheValidOnes(t *testing.T) {
	for _, name := range []string{"", "beijing", "Yunnan", "../yunnan", "profiles/yunnan", "yunnan.json"} {
		_, err := Builtin(name)
		if !errors.Is(err, ErrUnknownProfile) {
			t.Errorf("Builtin(%q): %v, want ErrUnknownProfile", name, err)
			continue
		}
		for _, valid := range Names() {
			if !strings.Contains(err.Error(), valid) {
				t.Errorf("Builtin(%q) error %q does not list %s", name, err, valid)
			}
		}
	}
}

func TestBuiltinReturnsIndependentCopies(t *testing.T) {
	a := mustBuiltin(t, "yunnan")
	fb := mustProcess(t, a, "feedback")
	fb.Steps[0].Deadline.WorkingDays = 99
	fb.Notes.ZH = "changed"
	mustProcess(t, a, "correction").Extension.MaxWorkingDays = 99
	mustProcess(t, a, "catalog_review").Return.WorkingDays = 99
	a.Processes = a.Processes[:1]

	b := mustBuiltin(t, "yunnan")
	if d := mustProcess(t, b, "feedback").Steps[0].Deadline.WorkingDays; d != 10 {
		t.Errorf("feedback deadline %d leaked between copies", d)
	}
	if e := mustProcess(t, b, "correction").Extension.MaxWorkingDays; e != 10 {
		t.Errorf("extension %d leaked between copies", e)
	}
	if r := mustProcess(t, b, "catalog_review").Return.WorkingDays; r != 10 {
		t.Errorf("return %d leaked between copies", r)
	}
	if len(b.Processes) != len(ProcessIDs()) {
		t.Error("process list shared between copies")
	}
}

func TestApplyChangesOnlyTheCopy(t *testing.T) {
	p := mustBuiltin(t, "yunnan")
	before := p.Clone()
	q, err := p.Apply([]Override{
		{Process: "feedback", Step: "reply", WorkingDays: 7},
		{Process: "catalog_review", Field: "return", WorkingDays: 8, Article: "YN§12"},
		{Process: "correction", Field: "extension", WorkingDays: 12},
		{Process: "share_conditional", Step: "deliver", Field: "deadline", WorkingDays: 3, Article: "YN§29"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, before) {
		t.Fatal("Apply changed the original profile")
	}
	for _, c := range []struct {
		name string
		got  any
		want any
	}{
		{"feedback reply", *mustProcess(t, q, "feedback").Steps[0].Deadline, Deadline{7, ArticleDeploymentOverride, false}},
		{"catalog return", *mustProcess(t, q, "catalog_review").Return, Deadline{8, "YN§12", false}},
		{"correction extension", *mustProcess(t, q, "correction").Extension, Extension{12, "institution_head", ArticleDeploymentOverride}},
		{"share deliver", *mustProcess(t, q, "share_conditional").Steps[1].Deadline, Deadline{3, "YN§29", false}},
		{"share reply untouched", *mustProcess(t, q, "share_conditional").Steps[0].Deadline, Deadline{5, "YN§29", false}},
	} {
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
	// The copy is deep: changing it does not reach the original either.
	mustProcess(t, q, "data_return").Steps[0].Deadline.WorkingDays = 1
	if d := mustProcess(t, p, "data_return").Steps[0].Deadline.WorkingDays; d != 5 {
		t.Errorf("original data_return became %d WD", d)
	}
}

func TestApplyGivesADeadlineToAStepThatHadNone(t *testing.T) {
	q, err := mustBuiltin(t, "weihai").Apply([]Override{{Process: "share_unconditional", Step: "deliver", WorkingDays: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if d := mustProcess(t, q, "share_unconditional").Steps[0].Deadline; d == nil || d.WorkingDays != 2 || d.Article != ArticleDeploymentOverride {
		t.Errorf("deliver deadline %+v", d)
	}
}

func TestApplyRejectsOverridesThatDoNotFit(t *testing.T) {
	p := mustBuiltin(t, "yunnan")
	for _, c := range []struct {
		name string
		ov   Override
		msg  string
	}{
		{"unknown process", Override{Process: "nope", Step: "reply", WorkingDays: 1}, `no process "nope"`},
		{"unknown step", Override{Process: "feedback", Step: "nope", WorkingDays: 1}, `no step "nope"`},
		{"deadline without step", Override{Process: "feedback", WorkingDays: 3}, "names its step"},
		{"zero days", Override{Process: "feedback", Step: "reply", WorkingDays: 0}, "working_days"},
		{"negative days", Override{Process: "feedback", Step: "reply", WorkingDays: -2}, "working_days"},
		{"too many days", Override{Process: "feedback", Step: "reply", WorkingDays: 366}, "working_days"},
		{"extension where there is none", Override{Process: "feedback", Field: "extension", WorkingDays: 3}, "no extension rule"},
		{"extension not longer than the step", Override{Process: "correction", Field: "extension", WorkingDays: 5}, "must exceed"},
		{"step longer than its extension", Override{Process: "correction", Step: "correct", WorkingDays: 10}, "must exceed"},
		{"return with a step", Override{Process: "feedback", Step: "reply", Field: "return", WorkingDays: 3}, "leave step empty"},
		{"return on a period-only process", Override{Process: "log_retention", Field: "return", WorkingDays: 3}, "no steps"},
		{"unknown field", Override{Process: "feedback", Step: "reply", Field: "title", WorkingDays: 3}, "unknown field"},
		{"malformed article", Override{Process: "feedback", Step: "reply", WorkingDays: 3, Article: "somewhere"}, "should look like"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := p.Apply([]Override{{Process: "feedback", Step: "reply", WorkingDays: 4}, c.ov})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("Apply: %v, want ErrInvalid mentioning %q", err, c.msg)
			}
		})
	}
	if fb := mustProcess(t, p, "feedback"); fb.Steps[0].Deadline.WorkingDays != 10 {
		t.Error("a failed Apply changed the original")
	}
}

func TestParseOverridesReadsAStrictArray(t *testing.T) {
	ovs, err := ParseOverrides(strings.NewReader(`[{"process":"feedback","step":"reply","working_days":5},
		{"process":"catalog_review","field":"return","working_days":8,"article":"YN§12"}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Override{{Process: "feedback", Step: "reply", WorkingDays: 5}, {Process: "catalog_review", Field: "return", WorkingDays: 8, Article: "YN§12"}}
	if !reflect.DeepEqual(ovs, want) {
		t.Errorf("got %+v", ovs)
	}
	if ovs, err := ParseOverrides(strings.NewReader(`[]`)); err != nil || len(ovs) != 0 {
		t.Errorf("empty array: %v %v", ovs, err)
	}
	for _, bad := range []string{
		`{"process":"feedback","step":"reply","working_days":5}`,
		`[{"process":"feedback","step":"reply","working_days":5,"days":3}]`,
		`[{"process":"feedback","step":"reply","working_days":"5"}]`,
		`[{"process":"feedback","step":"reply","working_days":5}] []`,
		`[{"step":"reply","working_days":5}]`,
		`[{"process":"feedback","step":"reply","working_days":0}]`,
		`[{"process":"feedback","field":"return","step":"reply","working_days":5}]`,
		``,
	} {
		if _, err := ParseOverrides(strings.NewReader(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseOverrides(%s): %v, want ErrInvalid", bad, err)
		}
	}
}

// mutate returns the yunnan profile as JSON after f has changed it.
func mutate(t *testing.T, f func(p *Profile)) string {
	t.Helper()
	p := mustBuiltin(t, "yunnan")
	f(p)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseRejectsUnknownFieldsAndInvalidProfiles(t *testing.T) {
	good := mutate(t, func(*Profile) {})
	if _, err := Parse(strings.NewReader(good)); err != nil {
		t.Fatalf("good profile: %v", err)
	}
	proc := func(p *Profile, id string) *Process { pr, _ := p.Process(id); return pr }
	for _, c := range []struct {
		name, json, msg string
	}{
		{"unknown top-level field", strings.Replace(good, `"tag":`, `"colour":"red","tag":`, 1), "unknown field"},
		{"unknown step field", strings.Replace(good, `"actor":"provider"`, `"actor":"provider","owner":"x"`, 1), "unknown field"},
		{"unknown deadline field", strings.Replace(good, `"working_days":15`, `"working_days":15,"hours":3`, 1), "unknown field"},
		{"trailing data", good + `{}`, "after the JSON value"},
		{"not JSON", `name: yunnan`, "invalid"},
		{"no processes", `{"name":"x","tag":"X","regulation":{"zh":"x","en":"x"},"year":2024,"level":"city","processes":[]}`, "process feedback is missing"},
		{"missing process", mutate(t, func(p *Profile) { p.Processes = p.Processes[1:] }), "process catalog_update is missing"},
		{"duplicate process", mutate(t, func(p *Profile) { p.Processes = append(p.Processes, p.Processes[0]) }), "defined twice"},
		{"unknown process", mutate(t, func(p *Profile) { p.Processes[0].ID = "catalog_upkeep" }), `unknown process "catalog_upkeep"`},
		{"duplicate step", mutate(t, func(p *Profile) { s := proc(p, "correction"); s.Steps[1].ID = s.Steps[0].ID }), "used twice"},
		{"step id not snake_case", mutate(t, func(p *Profile) { proc(p, "feedback").Steps[0].ID = "Reply" }), "snake_case"},
		{"unknown actor", mutate(t, func(p *Profile) { proc(p, "feedback").Steps[0].Actor = "mayor" }), `unknown actor "mayor"`},
		{"zero deadline", mutate(t, func(p *Profile) { proc(p, "feedback").Steps[0].Deadline.WorkingDays = 0 }), "1 to 365"},
		{"bad deadline article", mutate(t, func(p *Profile) { proc(p, "share_conditional").Steps[0].Deadline.Article = "article 29" }), `"article 29"`},
		{"deadline neither cited nor default", mutate(t, func(p *Profile) { proc(p, "feedback").Steps[0].Deadline.Default = false }), "should look like"},
		{"default that cites", mutate(t, func(p *Profile) { proc(p, "feedback").Steps[0].Deadline.Article = "WH§25" }), "cites no article"},
		{"regulated without article", mutate(t, func(p *Profile) { proc(p, "data_return").Article = "" }), "needs an article"},
		{"unregulated with article", mutate(t, func(p *Profile) { proc(p, "feedback").Article = "YN§24" }), "cites no article"},
		{"no steps and no period", mutate(t, func(p *Profile) { proc(p, "feedback").Steps = []Step{} }), "needs steps or a period"},
		{"bad period", mutate(t, func(p *Profile) { proc(p, "catalog_recheck").Period.Every = "weekly" }), "yearly or monthly"},
		{"bad due date", mutate(t, func(p *Profile) { proc(p, "demand_plan").Period.DueBy = "02-30" }), "MM-DD"},
		{"regulated period as platform default", mutate(t, func(p *Profile) { proc(p, "catalog_recheck").Period.Article = ArticlePlatformDefault }), "should look like"},
		{"extension without approver", mutate(t, func(p *Profile) { proc(p, "correction").Extension.Approver = "" }), "approver"},
		{"bad level", mutate(t, func(p *Profile) { p.Level = "county" }), "province or city"},
		{"bad tag", mutate(t, func(p *Profile) { p.Tag = "yn" }), "tag"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.json))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("Parse: %v, want ErrInvalid mentioning %q", err, c.msg)
			}
		})
	}
}

func TestValidArticleForms(t *testing.T) {
	for a, want := range map[string]bool{
		"YN§29": true, "YN§28-29": true, "QY§16(二)": true, "WH§32(三)": true, "ZJK§13(五)": true,
		"": false, "YN29": false, "YN§": false, "yn§29": false, "YN§29(3)": false, "YN§29-": false, "第二十九条": false,
	} {
		if got := ValidArticle(a); got != want {
			t.Errorf("ValidArticle(%q) = %v", a, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		b, err := builtins.ReadFile("profiles/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepted a profile that does not validate: %v", err)
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("accepted profile does not re-parse: %v", err)
		}
	})
}
