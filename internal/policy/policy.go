// Package policy holds the five built-in policy profiles — jiamusi, qingyang,
// zhangjiakou, yunnan, weihai — one per regulation. For every process of the
// platform a profile gives its steps, who acts at each, the working-day
// deadlines, the extension rule and what a refusal needs, each value with the
// article it comes from (e.g. "YN§29"). Where a regulation is silent the
// process still exists, marked unregulated, with platform defaults flagged as
// such. A deployment selects one profile and may override values.
package policy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// I18n is a text in Chinese and English.
type I18n struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Actor names who acts at a step, resolved by the case engine.
type Actor string

const (
	ActorProvider       Actor = "provider"  // the institution addressed by / holding the data of the case
	ActorAuthority      Actor = "authority" // the data authority of the case's region
	ActorUpperAuthority Actor = "upper_authority"
	ActorConsumer       Actor = "consumer"
	ActorApplicant      Actor = "applicant"
)

var actors = map[Actor]bool{ActorProvider: true, ActorAuthority: true, ActorUpperAuthority: true, ActorConsumer: true, ActorApplicant: true}

// Deadline is a number of working days with its source.
type Deadline struct {
	WorkingDays int    `json:"working_days"`
	Article     string `json:"article,omitempty"`
	Default     bool   `json:"default,omitempty"` // a platform default: the regulation sets no value
}

// Step is one stage of a process.
type Step struct {
	ID       string    `json:"id"`
	Title    I18n      `json:"title"`
	Actor    Actor     `json:"actor"`
	Deadline *Deadline `json:"deadline,omitempty"` // nil: no deadline (e.g. direct delivery)
}

// Extension lets a step's deadline grow to MaxWorkingDays with approval.
type Extension struct {
	MaxWorkingDays int    `json:"max_working_days"`
	Approver       string `json:"approver"`
	Article        string `json:"article"`
}

// Refusal says what a refusal must carry.
type Refusal struct {
	ReasonRequired     bool   `json:"reason_required"`
	LegalBasisRequired bool   `json:"legal_basis_required"`
	Article            string `json:"article,omitempty"`
}

// Period describes recurring duties and terms.
type Period struct {
	Every   string `json:"every,omitempty"`
	Months  int    `json:"months,omitempty"`
	DueBy   string `json:"due_by,omitempty"`
	Article string `json:"article"`
}

// Process is one kind of procedure in a profile.
type Process struct {
	ID        string     `json:"id"`
	Title     I18n       `json:"title"`
	Regulated bool       `json:"regulated"`
	Article   string     `json:"article,omitempty"`
	Steps     []Step     `json:"steps"`
	Return    *Deadline  `json:"return,omitempty"` // applicant's deadline to fix a case returned for changes
	Extension *Extension `json:"extension,omitempty"`
	Refusal   Refusal    `json:"refusal"`
	Period    *Period    `json:"period,omitempty"`
	Notes     I18n       `json:"notes,omitempty"`
}

// Profile is a regulation's settings for every process.
type Profile struct {
	Name       string    `json:"name"`
	Tag        string    `json:"tag"`
	Regulation I18n      `json:"regulation"`
	Year       int       `json:"year"`
	Level      string    `json:"level"`
	Processes  []Process `json:"processes"`
}

// ProcessIDs are the processes every profile defines, in display order.
var ProcessIDs = []string{"catalog_update", "catalog_review", "catalog_recheck", "share_unconditional", "share_conditional",
	"share_external", "open_conditional", "feedback", "correction", "data_return", "authorization_term", "log_retention", "demand_plan"}

//go:embed profiles/*.json
var files embed.FS

// Names lists the built-in profiles.
func Names() []string {
	entries, _ := files.ReadDir("profiles")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Builtin returns a fresh copy of a built-in profile.
func Builtin(name string) (*Profile, error) {
	b, err := files.ReadFile("profiles/" + name + ".json")
	if err != nil || strings.ContainsAny(name, "/.\\") {
		return nil, fmt.Errorf("no policy profile %q; choose one of %s", name, strings.Join(Names(), ", "))
	}
	p, err := Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("built-in profile %s: %w", name, err)
	}
	return p, nil
}

// Parse reads a profile strictly and validates it.
func Parse(r io.Reader) (*Profile, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("profile is not valid JSON of the expected shape: %w", err)
	}
	return &p, p.Validate()
}

var articleRe = regexp.MustCompile(`^(JMS|QY|ZJK|YN|WH)§\d+(-\d+)?(\([一二三四五六七八九十]+\))?$`)

func checkArticle(where, a string, required bool) error {
	switch {
	case a == "" && !required, a == "platform default", a == "deployment override":
		return nil
	case !articleRe.MatchString(a):
		return fmt.Errorf("%s: article %q should look like YN§29", where, a)
	}
	return nil
}

// Validate checks a profile's completeness and consistency.
func (p *Profile) Validate() error {
	if p.Name == "" || p.Tag == "" {
		return errors.New("profile needs a name and a tag")
	}
	seen := map[string]bool{}
	for _, pr := range p.Processes {
		if seen[pr.ID] {
			return fmt.Errorf("process %s defined twice", pr.ID)
		}
		seen[pr.ID] = true
		if pr.Regulated {
			if err := checkArticle(pr.ID, pr.Article, true); err != nil {
				return err
			}
		}
		steps := map[string]bool{}
		for _, s := range pr.Steps {
			where := pr.ID + "." + s.ID
			switch {
			case s.ID == "" || steps[s.ID]:
				return fmt.Errorf("%s: step ids must be unique and not empty", where)
			case !actors[s.Actor]:
				return fmt.Errorf("%s: unknown actor %q", where, s.Actor)
			case s.Title.ZH == "" || s.Title.EN == "":
				return fmt.Errorf("%s: step needs a title in zh and en", where)
			}
			steps[s.ID] = true
			if err := checkDeadline(where, s.Deadline); err != nil {
				return err
			}
		}
		if err := checkDeadline(pr.ID+".return", pr.Return); err != nil {
			return err
		}
		if e := pr.Extension; e != nil {
			if e.MaxWorkingDays <= 0 || e.Approver == "" {
				return fmt.Errorf("%s: extension needs max_working_days and an approver", pr.ID)
			}
			if err := checkArticle(pr.ID+".extension", e.Article, true); err != nil {
				return err
			}
		}
		if err := checkArticle(pr.ID+".refusal", pr.Refusal.Article, false); err != nil {
			return err
		}
	}
	for _, id := range ProcessIDs {
		if !seen[id] {
			return fmt.Errorf("profile %s lacks process %s", p.Name, id)
		}
	}
	return nil
}

func checkDeadline(where string, d *Deadline) error {
	if d == nil {
		return nil
	}
	if d.WorkingDays <= 0 || d.WorkingDays > 365 {
		return fmt.Errorf("%s: deadline must be 1 to 365 working days", where)
	}
	return checkArticle(where, d.Article, !d.Default)
}

// Process returns a process by id.
func (p *Profile) Process(id string) (*Process, bool) {
	for i := range p.Processes {
		if p.Processes[i].ID == id {
			return &p.Processes[i], true
		}
	}
	return nil, false
}

// Override changes one deadline of a profile for a deployment.
type Override struct {
	Process     string `json:"process"`
	Step        string `json:"step,omitempty"`
	Field       string `json:"field,omitempty"` // "deadline" (default), "return" or "extension"
	WorkingDays int    `json:"working_days"`
	Article     string `json:"article,omitempty"`
}

// ParseOverrides reads a JSON array of overrides.
func ParseOverrides(r io.Reader) ([]Override, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var ovs []Override
	if err := dec.Decode(&ovs); err != nil {
		return nil, fmt.Errorf("overrides must be a JSON array of {process, step, field, working_days, article}: %w", err)
	}
	return ovs, nil
}

// Apply returns a copy of p with the overrides applied.
func (p *Profile) Apply(ovs []Override) (*Profile, error) {
	b, _ := json.Marshal(p)
	var cp Profile
	json.Unmarshal(b, &cp)
	for _, o := range ovs {
		pr, ok := cp.Process(o.Process)
		if !ok {
			return nil, fmt.Errorf("override: no process %q", o.Process)
		}
		if o.WorkingDays <= 0 || o.WorkingDays > 365 {
			return nil, fmt.Errorf("override %s: working_days must be 1 to 365", o.Process)
		}
		art := o.Article
		if art == "" {
			art = "deployment override"
		}
		d := &Deadline{WorkingDays: o.WorkingDays, Article: art}
		switch o.Field {
		case "", "deadline":
			found := false
			for i := range pr.Steps {
				if pr.Steps[i].ID == o.Step {
					pr.Steps[i].Deadline, found = d, true
				}
			}
			if !found {
				return nil, fmt.Errorf("override: process %s has no step %q", o.Process, o.Step)
			}
		case "return":
			pr.Return = d
		case "extension":
			if pr.Extension == nil {
				return nil, fmt.Errorf("override: process %s has no extension rule", o.Process)
			}
			pr.Extension.MaxWorkingDays, pr.Extension.Article = o.WorkingDays, art
		default:
			return nil, fmt.Errorf("override: unknown field %q (deadline, return, extension)", o.Field)
		}
	}
	return &cp, cp.Validate()
}
