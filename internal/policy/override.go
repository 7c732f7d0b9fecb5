package policy

import (
	"fmt"
	"io"
	"strings"
)

// Override changes one deadline of a profile for a deployment. Field is
// "deadline" (the default; Step names the step), "return" (the fix deadline
// of a returned case; no Step) or "extension" (the total after an extension;
// no Step). Without an Article the value is recorded as a deployment
// override, never as the regulation's.
type Override struct {
	Process     string `json:"process"`
	Step        string `json:"step,omitempty"`
	Field       string `json:"field,omitempty"`
	WorkingDays int    `json:"working_days"`
	Article     string `json:"article,omitempty"`
}

// Override fields.
const (
	FieldDeadline  = "deadline"
	FieldReturn    = "return"
	FieldExtension = "extension"
)

// check validates what can be known without a profile.
func (o Override) check() error {
	field := o.Field
	if field == "" {
		field = FieldDeadline
	}
	switch {
	case o.Process == "":
		return fmt.Errorf("%w: an override needs a process", ErrInvalid)
	case field != FieldDeadline && field != FieldReturn && field != FieldExtension:
		return fmt.Errorf("%w: override of %s: unknown field %q (deadline, return or extension)", ErrInvalid, o.Process, o.Field)
	case field == FieldDeadline && o.Step == "":
		return fmt.Errorf("%w: override of %s: a deadline override names its step", ErrInvalid, o.Process)
	case field != FieldDeadline && o.Step != "":
		return fmt.Errorf("%w: override of %s: the %s override applies to the whole process; leave step empty", ErrInvalid, o.Process, field)
	case o.WorkingDays <= 0 || o.WorkingDays > maxWorkingDays:
		return fmt.Errorf("%w: override of %s: working_days must be 1 to %d, not %d", ErrInvalid, o.Process, maxWorkingDays, o.WorkingDays)
	case o.Article != "" && !ValidArticle(o.Article):
		return fmt.Errorf("%w: override of %s: article %q should look like YN§29", ErrInvalid, o.Process, o.Article)
	}
	return nil
}

// ParseOverrides reads a JSON array of overrides strictly and checks each.
func ParseOverrides(r io.Reader) ([]Override, error) {
	var ovs []Override
	if err := decodeStrict(io.LimitReader(r, maxProfileSize), &ovs); err != nil {
		return nil, fmt.Errorf("%w: overrides must be a JSON array of {process, step, field, working_days, article}: %v", ErrInvalid, err)
	}
	for i, o := range ovs {
		if err := o.check(); err != nil {
			return nil, fmt.Errorf("override %d: %w", i+1, err)
		}
	}
	return ovs, nil
}

// Apply returns a deep copy of p with the overrides applied in order; p is
// not changed. An override without an article is recorded with Article
// "deployment override" and Default false. Unknown processes or steps, and a
// result that no longer validates, are errors wrapping ErrInvalid.
func (p *Profile) Apply(ovs []Override) (*Profile, error) {
	cp := p.Clone()
	for i, o := range ovs {
		if err := o.check(); err != nil {
			return nil, fmt.Errorf("override %d: %w", i+1, err)
		}
		pr, ok := cp.Process(o.Process)
		if !ok {
			return nil, fmt.Errorf("%w: override %d: profile %s has no process %q", ErrInvalid, i+1, p.Name, o.Process)
		}
		art := o.Article
		if art == "" {
			art = ArticleDeploymentOverride
		}
		d := &Deadline{WorkingDays: o.WorkingDays, Article: art}
		switch o.Field {
		case "", FieldDeadline:
			s, ok := pr.Step(o.Step)
			if !ok {
				return nil, fmt.Errorf("%w: override %d: process %s has no step %q (steps: %s)", ErrInvalid, i+1, pr.ID, o.Step, stepIDs(pr))
			}
			s.Deadline = d
		case FieldReturn:
			if len(pr.Steps) == 0 {
				return nil, fmt.Errorf("%w: override %d: process %s has no steps, so nothing can be returned", ErrInvalid, i+1, pr.ID)
			}
			pr.Return = d
		case FieldExtension:
			if pr.Extension == nil {
				return nil, fmt.Errorf("%w: override %d: process %s has no extension rule", ErrInvalid, i+1, pr.ID)
			}
			pr.Extension.MaxWorkingDays, pr.Extension.Article = o.WorkingDays, art
		}
	}
	if err := cp.Validate(); err != nil {
		return nil, fmt.Errorf("after overrides: %w", err)
	}
	return cp, nil
}

func stepIDs(pr *Process) string {
	ids := make([]string, len(pr.Steps))
	for i, st := range pr.Steps {
		ids[i] = st.ID
	}
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
