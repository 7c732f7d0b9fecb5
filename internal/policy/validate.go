package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Article strings that are not citations. A platform default period (in an
// unregulated process) and a deployment's own value are said to be so rather
// than attributed to a regulation.
const (
	ArticlePlatformDefault    = "platform default"
	ArticleDeploymentOverride = "deployment override"
)

var (
	// TAG§N, TAG§N-M or TAG§N(三): "YN§29", "YN§28-29", "QY§16(二)".
	articleRe = regexp.MustCompile(`^[A-Z]{1,8}§[0-9]+(-[0-9]+)?(\([一二三四五六七八九十]+\))?$`)
	tagRe     = regexp.MustCompile(`^[A-Z]{1,8}$`)
	idRe      = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	nameRe    = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// ValidArticle reports whether a looks like a citation: TAG§N, TAG§N-M or
// TAG§N(三).
func ValidArticle(a string) bool { return articleRe.MatchString(a) }

// maxWorkingDays bounds deadlines to something a person could mean.
const maxWorkingDays = 365

// Validate checks that p is complete and consistent: every process once,
// unique snake_case step ids, known actors, positive deadlines, and articles
// that look like TAG§N wherever a value is not a platform default.
// All problems are reported together; the error wraps ErrInvalid.
func (p *Profile) Validate() error {
	var v validator
	if !nameRe.MatchString(p.Name) {
		v.addf("profile name %q must be lower-case letters, digits, - or _", p.Name)
	}
	if !tagRe.MatchString(p.Tag) {
		v.addf("profile tag %q must be upper-case letters, e.g. YN", p.Tag)
	}
	if p.Regulation.ZH == "" || p.Regulation.EN == "" {
		v.addf("profile needs the regulation's title in zh and en")
	}
	if p.Year < 1949 || p.Year > 2200 {
		v.addf("profile year %d is not plausible", p.Year)
	}
	if p.Level != "province" && p.Level != "city" {
		v.addf("profile level %q must be province or city", p.Level)
	}
	seen := map[string]bool{}
	for i := range p.Processes {
		pr := &p.Processes[i]
		switch {
		case !slices.Contains(processIDs, pr.ID):
			v.addf("unknown process %q (known: %s)", pr.ID, strings.Join(processIDs, ", "))
		case seen[pr.ID]:
			v.addf("process %s is defined twice", pr.ID)
		}
		seen[pr.ID] = true
		v.process(pr)
	}
	for _, id := range processIDs {
		if !seen[id] {
			v.addf("process %s is missing", id)
		}
	}
	return v.err()
}

type validator struct{ problems []string }

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(v.problems, "; "))
}

func (v *validator) process(pr *Process) {
	if pr.Title.ZH == "" || pr.Title.EN == "" {
		v.addf("%s: needs a title in zh and en", pr.ID)
	}
	switch {
	case pr.Regulated && !ValidArticle(pr.Article):
		v.addf("%s: a regulated process needs an article like YN§29, not %q", pr.ID, pr.Article)
	case !pr.Regulated && pr.Article != "":
		v.addf("%s: an unregulated process cites no article (got %q)", pr.ID, pr.Article)
	}
	if len(pr.Steps) == 0 && pr.Period == nil {
		v.addf("%s: needs steps or a period", pr.ID)
	}
	longest := 0
	steps := map[string]bool{}
	for _, s := range pr.Steps {
		where := pr.ID + "." + s.ID
		switch {
		case !idRe.MatchString(s.ID):
			v.addf("%s: step id %q must be snake_case", pr.ID, s.ID)
		case steps[s.ID]:
			v.addf("%s: step id %q is used twice", pr.ID, s.ID)
		}
		steps[s.ID] = true
		if !s.Actor.Known() {
			v.addf("%s: unknown actor %q", where, s.Actor)
		}
		if s.Title.ZH == "" || s.Title.EN == "" {
			v.addf("%s: needs a title in zh and en", where)
		}
		v.deadline(where, s.Deadline)
		if s.Deadline != nil {
			longest = max(longest, s.Deadline.WorkingDays)
		}
	}
	if pr.Return != nil {
		if len(pr.Steps) == 0 {
			v.addf("%s: a return deadline needs steps to return from", pr.ID)
		}
		v.deadline(pr.ID+".return", pr.Return)
	}
	if e := pr.Extension; e != nil {
		where := pr.ID + ".extension"
		switch {
		case e.MaxWorkingDays <= longest:
			v.addf("%s: %d WD must exceed the step deadline it extends (%d WD)", where, e.MaxWorkingDays, longest)
		case e.MaxWorkingDays > maxWorkingDays:
			v.addf("%s: %d WD is more than %d", where, e.MaxWorkingDays, maxWorkingDays)
		}
		if !idRe.MatchString(e.Approver) {
			v.addf("%s: approver %q must be a snake_case role such as institution_head", where, e.Approver)
		}
		v.citation(where, e.Article)
	}
	if a := pr.Refusal.Article; a != "" && !ValidArticle(a) {
		v.addf("%s.refusal: article %q should look like YN§29", pr.ID, a)
	}
	if pe := pr.Period; pe != nil {
		v.period(pr, pe)
	}
}

func (v *validator) deadline(where string, d *Deadline) {
	if d == nil {
		return
	}
	if d.WorkingDays <= 0 || d.WorkingDays > maxWorkingDays {
		v.addf("%s: deadline must be 1 to %d working days, not %d", where, maxWorkingDays, d.WorkingDays)
	}
	if d.Default {
		if d.Article != "" {
			v.addf("%s: a platform default cites no article (got %q)", where, d.Article)
		}
		return
	}
	v.citation(where, d.Article)
}

// citation checks a value attributed to a regulation or, when the
// deployment set it, marked as a deployment override.
func (v *validator) citation(where, a string) {
	if ValidArticle(a) || a == ArticleDeploymentOverride {
		return
	}
	v.addf("%s: article %q should look like YN§29, YN§28-29 or QY§16(二)", where, a)
}

func (v *validator) period(pr *Process, pe *Period) {
	where := pr.ID + ".period"
	switch pe.Every {
	case "", "yearly", "monthly":
	default:
		v.addf("%s: every %q must be yearly or monthly", where, pe.Every)
	}
	if pe.Months < 0 || pe.Months > 1200 {
		v.addf("%s: %d months is not plausible", where, pe.Months)
	}
	if pe.Every == "" && pe.Months == 0 {
		v.addf("%s: needs every or months", where)
	}
	if pe.DueBy != "" {
		if _, err := time.Parse("01-02", pe.DueBy); err != nil {
			v.addf("%s: due_by %q must be MM-DD", where, pe.DueBy)
		}
	}
	switch {
	case ValidArticle(pe.Article):
	case !pr.Regulated && pe.Article == ArticlePlatformDefault:
	default:
		v.addf("%s: article %q should look like YN§29 (or %q in an unregulated process)", where, pe.Article, ArticlePlatformDefault)
	}
}
