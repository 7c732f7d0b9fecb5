package caseflow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/identity"
	"gongshu/internal/notify"
	"gongshu/internal/policy"
	"gongshu/internal/region"
)

const caseColumns = `id, number, type, process, profile, title, state, step_index, step_id, applicant_user_id, applicant_org_id,
	target_org_id, region_code, subject_type, subject_id, form, outcome, received_at, step_started_at, step_due_at, step_due_date,
	overdue_at, returned_from, extension, created_at, updated_at, closed_at, version`

func scanCase(sc db.Scanner) (*Case, error) {
	var c Case
	var state, form string
	var received, started, due, overdue, closed sql.NullTime
	err := sc.Scan(&c.ID, &c.Number, &c.Type, &c.Process, &c.Profile, &c.Title, &state, &c.StepIndex, &c.StepID, &c.ApplicantUserID,
		&c.ApplicantOrgID, &c.TargetOrgID, &c.RegionCode, &c.SubjectType, &c.SubjectID, &form, &c.Outcome, &received, &started, &due,
		&c.StepDueDate, &overdue, &c.ReturnedFrom, &c.Extension, &c.CreatedAt, &c.UpdatedAt, &closed, &c.Version)
	if err != nil {
		return nil, err
	}
	c.State, c.Form = State(state), []byte(form)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.ReceivedAt, c.StepStartedAt, c.StepDueAt, c.OverdueAt, c.ClosedAt = tp(received), tp(started), tp(due), tp(overdue), tp(closed)
	return &c, nil
}

func tp(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// CanView reports whether a may see c: the applicant, staff of the applicant
// or target organization, and the data authorities (and auditors) whose
// region contains the case. Everyone else gets not_found.
func (e *Engine) CanView(ctx context.Context, a *identity.Actor, c *Case) bool {
	if a == nil {
		return false
	}
	if c.ApplicantUserID == a.UserID {
		return true
	}
	if c.State == Draft {
		return false // a draft is the applicant's alone
	}
	if a.StaffOf(c.TargetOrgID) || (c.ApplicantOrgID != "" && a.StaffOf(c.ApplicantOrgID)) {
		return true
	}
	return e.authorityOver(a, c.RegionCode) || e.Identity.AuditorOver(a, c.RegionCode)
}

func (e *Engine) authorityOver(a *identity.Actor, regionCode string) bool {
	return e.Identity.AuthorityOver(a, regionCode)
}

// CanAct reports whether a may act on the current step of c.
func (e *Engine) CanAct(ctx context.Context, a *identity.Actor, c *Case) bool {
	proc, err := e.Process(c.Type)
	if err != nil {
		return false
	}
	return e.mustAct(ctx, a, c, proc) == nil
}

func (e *Engine) mustAct(ctx context.Context, a *identity.Actor, c *Case, proc *policy.Process) error {
	if !c.State.Open() || c.State == Returned {
		return badState(c.State, "审核", "be reviewed")
	}
	if a.UserID == c.ApplicantUserID {
		return apperr.New(apperr.Forbidden, "审核人不能是提交人", "the reviewer cannot be the submitter")
	}
	step := proc.Steps[c.StepIndex]
	ok := false
	switch step.Actor {
	case policy.ActorProvider:
		ok = a.HasAny(c.TargetOrgID, identity.RoleInstitutionAdmin, identity.RoleInstitutionReviewer, identity.RoleDataOfficer)
	case policy.ActorAuthority:
		ok = e.authorityOver(a, c.RegionCode)
	case policy.ActorUpperAuthority:
		ok = e.authorityOver(a, parentRegion(e.Identity.Regions, c.RegionCode))
	case policy.ActorConsumer:
		ok = c.ApplicantOrgID != "" && a.StaffOf(c.ApplicantOrgID)
	}
	if !ok {
		return apperr.New(apperr.Forbidden, fmt.Sprintf("您不是本环节（%s）的办理人", step.Title.ZH), fmt.Sprintf("you do not handle this step (%s)", step.Title.EN))
	}
	return nil
}

func parentRegion(t *region.Tree, code string) string {
	if r, ok := t.Get(code); ok && r.Parent != "" {
		return r.Parent
	}
	return code
}

// stepActorUsers lists who should hear of work at the current step.
func (e *Engine) stepActorUsers(ctx context.Context, c *Case, proc *policy.Process) ([]string, error) {
	switch proc.Steps[c.StepIndex].Actor {
	case policy.ActorProvider:
		return e.Identity.Members(ctx, c.TargetOrgID, identity.RoleInstitutionAdmin, identity.RoleInstitutionReviewer, identity.RoleDataOfficer)
	case policy.ActorAuthority:
		return e.authorityMembers(ctx, c.RegionCode)
	case policy.ActorUpperAuthority:
		return e.authorityMembers(ctx, parentRegion(e.Identity.Regions, c.RegionCode))
	case policy.ActorConsumer:
		if c.ApplicantOrgID != "" {
			return e.Identity.Members(ctx, c.ApplicantOrgID)
		}
	}
	return nil, nil
}

// authorityMembers lists the staff of the nearest data authority at or above regionCode.
func (e *Engine) authorityMembers(ctx context.Context, regionCode string) ([]string, error) {
	chain := append([]region.Region{}, e.Identity.Regions.Ancestors(regionCode)...)
	if r, ok := e.Identity.Regions.Get(regionCode); ok {
		chain = append(chain, r)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		orgs, err := e.Identity.ListOrgs(ctx, identity.OrgFilter{Type: identity.OrgAuthority})
		if err != nil {
			return nil, err
		}
		var users []string
		for _, o := range orgs {
			if o.RegionCode == chain[i].Code {
				m, err := e.Identity.Members(ctx, o.ID, identity.RoleAuthorityAdmin, identity.RoleAuthorityReviewer)
				if err != nil {
					return nil, err
				}
				users = append(users, m...)
			}
		}
		if len(users) > 0 {
			return users, nil
		}
	}
	return nil, nil
}

// Get returns a case the actor may see.
func (e *Engine) Get(ctx context.Context, id string) (*Case, error) {
	a := identity.ActorFrom(ctx)
	c, err := scanCase(e.DB.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !e.CanView(ctx, a, c)) {
		return nil, apperr.ErrNotFound()
	}
	return c, err
}

// Events returns the timeline of a case the actor may see.
func (e *Engine) Events(ctx context.Context, id string) ([]Event, error) {
	if _, err := e.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := e.DB.QueryContext(ctx, `SELECT id, seq, at, actor_id, actor_name, actor_org_id, action, from_state, to_state, step_id,
		comment, legal_basis, due_date FROM case_events WHERE case_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(sc db.Scanner) (Event, error) {
		var ev Event
		var from, to string
		err := sc.Scan(&ev.ID, &ev.Seq, &ev.At, &ev.ActorID, &ev.ActorName, &ev.ActorOrgID, &ev.Action, &from, &to, &ev.StepID,
			&ev.Comment, &ev.LegalBasis, &ev.DueDate)
		ev.At, ev.FromState, ev.ToState = ev.At.UTC(), State(from), State(to)
		return ev, err
	})
}

// Filter narrows List.
type Filter struct {
	Box     string // "mine" (I applied), "todo" (my organizations handle), "" (everything visible)
	State   State
	Type    string
	Overdue bool
	Limit   int
	Offset  int
}

// visibility returns the SQL condition (and its arguments, numbered from
// start) that limits cases to those the actor may see; the same rule as CanView.
func (e *Engine) visibility(a *identity.Actor, box string, args []any) (string, []any) {
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var conds []string
	if box != "todo" {
		// Only parameters the text uses may be bound: PostgreSQL cannot type an unused one.
		conds = append(conds, "applicant_user_id = "+arg(a.UserID))
	}
	if box != "mine" {
		var orgs []string
		for _, id := range a.OrgIDs() {
			orgs = append(orgs, arg(id))
		}
		if len(orgs) > 0 {
			list := strings.Join(orgs, ",")
			conds = append(conds, "(state <> 'draft' AND (target_org_id IN ("+list+") OR applicant_org_id IN ("+list+")))")
		}
		for _, g := range a.Grants {
			over := g.OrgType == identity.OrgAuthority && (g.Role == identity.RoleAuthorityAdmin || g.Role == identity.RoleAuthorityReviewer)
			if over || g.Role == identity.RoleAuditor {
				conds = append(conds, "(state <> 'draft' AND region_code LIKE "+arg(region.Prefix(g.RegionCode)+"%")+")")
			}
		}
	}
	if len(conds) == 0 {
		return "1=0", args
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// List returns the cases visible to the actor, most recently updated first.
func (e *Engine) List(ctx context.Context, f Filter) ([]*Case, int, error) {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return nil, 0, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	where, args := e.visibility(a, f.Box, nil)
	if f.State != "" {
		args = append(args, string(f.State))
		where += fmt.Sprintf(" AND state = $%d", len(args))
	}
	if f.Type != "" {
		args = append(args, f.Type)
		where += fmt.Sprintf(" AND type = $%d", len(args))
	}
	if f.Overdue {
		args = append(args, e.now())
		where += fmt.Sprintf(" AND state IN ('submitted','in_review','returned') AND step_due_at <= $%d", len(args))
	}
	var total int
	if err := e.DB.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rows, err := e.DB.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM cases WHERE %s ORDER BY updated_at DESC, id DESC LIMIT %d OFFSET %d`,
		caseColumns, where, f.Limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.Collect(rows, scanCase)
	return out, total, err
}

// Stats counts the visible cases by state, and the open ones past their deadline.
type Stats struct {
	ByState map[State]int `json:"by_state"`
	Open    int           `json:"open"`
	Overdue int           `json:"overdue"`
}

// Count returns Stats over the cases visible to the actor.
func (e *Engine) Count(ctx context.Context, box string) (Stats, error) {
	a := identity.ActorFrom(ctx)
	st := Stats{ByState: map[State]int{}}
	if a == nil {
		return st, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	where, args := e.visibility(a, box, nil)
	args = append(args, e.now())
	rows, err := e.DB.QueryContext(ctx, fmt.Sprintf(`SELECT state, count(*), SUM(CASE WHEN state IN ('submitted','in_review','returned')
		AND step_due_at <= $%d THEN 1 ELSE 0 END) FROM cases WHERE %s GROUP BY state`, len(args), where), args...)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n, late int
		if err := rows.Scan(&s, &n, &late); err != nil {
			return st, err
		}
		st.ByState[State(s)] = n
		if State(s).Open() {
			st.Open += n
		}
		st.Overdue += late
	}
	return st, rows.Err()
}

// MarkOverdue is the background job: it marks every open case whose step
// deadline has passed, once, and notifies the step's actors and the
// applicant. Several nodes may run it at once: the conditional update lets
// exactly one of them mark each case.
func (e *Engine) MarkOverdue(ctx context.Context) (int, error) {
	now := e.now()
	rows, err := e.DB.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE state IN ('submitted','in_review','returned')
		AND step_due_at <= $1 AND overdue_at IS NULL ORDER BY step_due_at LIMIT 500`, now)
	if err != nil {
		return 0, err
	}
	due, err := db.Collect(rows, scanCase)
	if err != nil {
		return 0, err
	}
	marked := 0
	for _, c := range due {
		err := e.DB.InTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE cases SET overdue_at = $1 WHERE id = $2 AND version = $3 AND overdue_at IS NULL`, now, c.ID, c.Version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // changed meanwhile or marked by another node
			}
			marked++
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, seq, at, actor_id, actor_name, action, from_state, to_state, step_id, due_date)
				VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $2), $3, 'system', 'system', $4, $5, $5, $6, $7)`,
				identity.NewID(), c.ID, now, string(ActOverdue), string(c.State), c.StepID, c.StepDueDate); err != nil {
				return err
			}
			if _, err := e.Audit.Append(ctx, tx, audit.System, audit.Entry{Action: "case.overdue", ObjectType: "case", ObjectID: c.ID,
				Payload: map[string]any{"number": c.Number, "step": c.StepID, "due": c.StepDueDate}}); err != nil {
				return err
			}
			var users []string
			if c.State == Returned {
				users = []string{c.ApplicantUserID}
			} else {
				proc, err := e.Process(c.Type)
				if err != nil {
					return err
				}
				if users, err = e.stepActorUsers(ctx, c, proc); err != nil {
					return err
				}
			}
			return e.Notify.Send(ctx, tx, users, notify.Notice{Kind: "case.overdue", CaseID: c.ID, Link: "/cases/" + c.ID,
				Title: fmt.Sprintf("已超期：事项 %s 应于 %s 前办理", c.Number, c.StepDueDate), TitleEN: fmt.Sprintf("Overdue: case %s was due %s", c.Number, c.StepDueDate)})
		})
		if err != nil {
			return marked, err
		}
	}
	return marked, nil
}

// RemainingWorkdays counts the working days left until the step is due
// (negative when overdue), for display.
func (e *Engine) RemainingWorkdays(c *Case) (int, bool) {
	if c.StepDueAt == nil || !c.State.Open() {
		return 0, false
	}
	now := e.now()
	last := c.StepDueAt.Add(-time.Nanosecond)
	if now.Before(*c.StepDueAt) {
		n, err := e.Calendar().CountWorkdays(now, last)
		return n, err == nil
	}
	n, err := e.Calendar().CountWorkdays(last, now)
	return -n, err == nil
}
