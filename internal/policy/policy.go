package policy

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// I18n is a text in Chinese and English.
type I18n struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Actor names who acts at a step; the case engine resolves it to people.
type Actor string

// The actors a step may name.
const (
	ActorProvider       Actor = "provider"        // the institution addressed by, or holding the data of, the case
	ActorAuthority      Actor = "authority"       // the data authority (数据主管部门) of the case's region
	ActorUpperAuthority Actor = "upper_authority" // the data authority one level up
	ActorConsumer       Actor = "consumer"        // the institution that will use the data
	ActorApplicant      Actor = "applicant"       // whoever filed the case
)

// Known reports whether a is one of the actors above.
func (a Actor) Known() bool {
	switch a {
	case ActorProvider, ActorAuthority, ActorUpperAuthority, ActorConsumer, ActorApplicant:
		return true
	}
	return false
}

// Deadline is a number of working days (工作日) and where it comes from.
// Default marks a platform value used where the regulation sets none.
type Deadline struct {
	WorkingDays int    `json:"working_days"`
	Article     string `json:"article,omitempty"`
	Default     bool   `json:"default,omitempty"`
}

// Step is one stage of a process, done by one actor.
type Step struct {
	ID       string    `json:"id"`
	Title    I18n      `json:"title"`
	Actor    Actor     `json:"actor"`
	Deadline *Deadline `json:"deadline,omitempty"` // nil: no deadline, e.g. direct delivery
}

// Extension lets a step's deadline grow, with an approver's consent, to a
// total of MaxWorkingDays (YN§22: 5 WD, up to 10 WD with the head's approval).
type Extension struct {
	MaxWorkingDays int    `json:"max_working_days"`
	Approver       string `json:"approver"` // e.g. "institution_head"
	Article        string `json:"article"`
}

// Refusal says what a refusal (不予同意) must carry.
type Refusal struct {
	ReasonRequired     bool   `json:"reason_required"`
	LegalBasisRequired bool   `json:"legal_basis_required"`
	Article            string `json:"article,omitempty"`
}

// Period describes a recurring duty or a term: Every ("yearly", "monthly"),
// a length in Months, and a yearly due date DueBy written "MM-DD".
type Period struct {
	Every   string `json:"every,omitempty"`
	Months  int    `json:"months,omitempty"`
	DueBy   string `json:"due_by,omitempty"`
	Article string `json:"article"`
}

// Process is one kind of procedure as a profile runs it.
type Process struct {
	ID        string     `json:"id"`
	Title     I18n       `json:"title"`
	Regulated bool       `json:"regulated"`
	Article   string     `json:"article,omitempty"`
	Steps     []Step     `json:"steps"`
	Return    *Deadline  `json:"return,omitempty"` // the applicant's deadline to fix a case returned for changes
	Extension *Extension `json:"extension,omitempty"`
	Refusal   Refusal    `json:"refusal"`
	Period    *Period    `json:"period,omitempty"`
	Notes     I18n       `json:"notes,omitempty"`
}

// Step returns the step with the given id.
func (pr *Process) Step(id string) (*Step, bool) {
	for i := range pr.Steps {
		if pr.Steps[i].ID == id {
			return &pr.Steps[i], true
		}
	}
	return nil, false
}

// Profile is one regulation's settings for every process.
type Profile struct {
	Name       string    `json:"name"`
	Tag        string    `json:"tag"` // article prefix, e.g. "YN"
	Regulation I18n      `json:"regulation"`
	Year       int       `json:"year"`
	Level      string    `json:"level"` // "province" or "city"
	Processes  []Process `json:"processes"`
}

// Process ids. Every profile defines all of them, in this order.
const (
	ProcCatalogUpdate      = "catalog_update"      // update after a triggering change (QY§8, YN§13, WH§9)
	ProcCatalogReview      = "catalog_review"      // the authority reviews a catalog change (YN§12-13, WH§9, ZJK§7)
	ProcCatalogRecheck     = "catalog_recheck"     // yearly full re-check or open catalog (QY§8, YN§33, WH§23)
	ProcShareUnconditional = "share_unconditional" // JMS§14, QY§16, YN§29, WH§17
	ProcShareConditional   = "share_conditional"   // JMS§15, QY§16, YN§28-29, WH§17
	ProcShareExternal      = "share_external"      // providing data outside the public sector (JMS§13)
	ProcOpenConditional    = "open_conditional"    // JMS§17, QY§24, YN§35, WH§24
	ProcFeedback           = "feedback"            // public demands, objections, suggestions (WH§25)
	ProcCorrection         = "correction"          // 校核 (QY§18, YN§22)
	ProcDataReturn         = "data_return"         // 回流 (JMS§10, YN§18, ZJK§10)
	ProcAuthorizationTerm  = "authorization_term"  // ZJK§17
	ProcLogRetention       = "log_retention"       // ZJK§31
	ProcDemandPlan         = "demand_plan"         // WH§18
	ProcDataConflict       = "data_conflict"       // one item, one source: conflicts go to the authority (JMS§8, QY§13)
)

var processIDs = []string{
	ProcCatalogUpdate, ProcCatalogReview, ProcCatalogRecheck, ProcShareUnconditional, ProcShareConditional,
	ProcShareExternal, ProcOpenConditional, ProcFeedback, ProcCorrection, ProcDataReturn,
	ProcAuthorizationTerm, ProcLogRetention, ProcDemandPlan, ProcDataConflict,
}

// ProcessIDs lists the process ids every profile defines, in display order.
func ProcessIDs() []string { return slices.Clone(processIDs) }

// Errors callers may test with errors.Is.
var (
	ErrUnknownProfile = errors.New("unknown policy profile")
	ErrInvalid        = errors.New("invalid policy profile")
)

//go:embed profiles/*.json
var builtins embed.FS

// Names lists the built-in profiles, sorted.
func Names() []string {
	entries, err := builtins.ReadDir("profiles")
	if err != nil { // cannot happen: the directory is embedded
		panic(err)
	}
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Builtin returns a built-in profile. Every call parses the embedded file
// afresh, so callers may change the result without affecting anyone else.
func Builtin(name string) (*Profile, error) {
	names := Names()
	if !slices.Contains(names, name) {
		return nil, fmt.Errorf("%w %q; choose one of %s", ErrUnknownProfile, name, strings.Join(names, ", "))
	}
	b, err := builtins.ReadFile("profiles/" + name + ".json")
	if err != nil {
		return nil, err
	}
	p, err := Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("built-in profile %s: %w", name, err)
	}
	return p, nil
}

// maxProfileSize bounds what Parse reads; a real profile is under 20 KB.
const maxProfileSize = 1 << 20

// Parse reads one profile as strict JSON (unknown fields and trailing data are
// errors) and validates it.
func Parse(r io.Reader) (*Profile, error) {
	var p Profile
	if err := decodeStrict(io.LimitReader(r, maxProfileSize), &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// Process returns the process with the given id.
func (p *Profile) Process(id string) (*Process, bool) {
	for i := range p.Processes {
		if p.Processes[i].ID == id {
			return &p.Processes[i], true
		}
	}
	return nil, false
}

// Clone returns a deep copy of p.
func (p *Profile) Clone() *Profile {
	cp := *p
	cp.Processes = make([]Process, len(p.Processes))
	for i, pr := range p.Processes {
		pr.Steps = slices.Clone(pr.Steps)
		for j := range pr.Steps {
			pr.Steps[j].Deadline = clonePtr(pr.Steps[j].Deadline)
		}
		pr.Return = clonePtr(pr.Return)
		pr.Extension = clonePtr(pr.Extension)
		pr.Period = clonePtr(pr.Period)
		cp.Processes[i] = pr
	}
	return &cp
}

func clonePtr[T any](v *T) *T {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}
