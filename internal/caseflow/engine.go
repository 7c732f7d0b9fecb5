package caseflow

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/identity"
	"gongshu/internal/notify"
	"gongshu/internal/policy"
	"gongshu/internal/workday"
)

// Engine runs cases of the registered types.
type Engine struct {
	DB       *db.DB
	Audit    *audit.Log
	Identity *identity.Service
	Notify   *notify.Service
	// Calendar and Profile return the current calendar and active profile;
	// both can be changed by an admin while the platform runs.
	Calendar func() *workday.Calendar
	Profile  func() *policy.Profile
	Now      func() time.Time

	types map[string]*Type
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Register adds a case type. Registering the same name twice panics: it is a
// wiring mistake.
func (e *Engine) Register(t *Type) {
	if e.types == nil {
		e.types = map[string]*Type{}
	}
	if _, dup := e.types[t.Name]; dup {
		panic("caseflow: type registered twice: " + t.Name)
	}
	e.types[t.Name] = t
}

// Type returns a registered type.
func (e *Engine) Type(name string) (*Type, bool) {
	t, ok := e.types[name]
	return t, ok
}

// Types lists registered types.
func (e *Engine) Types() []*Type {
	out := make([]*Type, 0, len(e.types))
	for _, t := range e.types {
		out = append(out, t)
	}
	return out
}

// Process returns the profile's process for a case type.
func (e *Engine) Process(typeName string) (*policy.Process, error) {
	t, ok := e.types[typeName]
	if !ok {
		return nil, apperr.Newf(apperr.Invalid, "事项类型 %q 不存在", "unknown case type %q", typeName).WithField("type")
	}
	p, ok := e.Profile().Process(t.Process)
	if !ok || len(p.Steps) == 0 {
		return nil, fmt.Errorf("profile %s has no steps for process %s", e.Profile().Name, t.Process)
	}
	return p, nil
}

// NewCase is the input of Create.
type NewCase struct {
	Type        string          `json:"type"`
	TargetOrgID string          `json:"target_org_id"`
	SubjectType string          `json:"subject_type,omitempty"`
	SubjectID   string          `json:"subject_id,omitempty"`
	Form        json.RawMessage `json:"form"`
	Submit      bool            `json:"submit"` // submit at once instead of saving a draft
	// OnCreate, when set, runs inside the creating transaction (a case type
	// links its subject to the case there, so that both land or neither).
	OnCreate func(ctx context.Context, tx *sql.Tx, c *Case) error `json:"-"`
}

// Create opens a case as the calling actor: a draft, or submitted at once.
func (e *Engine) Create(ctx context.Context, in NewCase) (*Case, error) {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	t, ok := e.types[in.Type]
	if !ok {
		return nil, apperr.Newf(apperr.Invalid, "事项类型 %q 不存在", "unknown case type %q", in.Type).WithField("type")
	}
	proc, err := e.Process(in.Type)
	if err != nil {
		return nil, err
	}
	target, err := e.Identity.GetOrg(ctx, in.TargetOrgID)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "请选择受理机构", "choose the organization the case is addressed to").WithField("target_org_id")
	}
	title, form, err := t.Check(ctx, in.Form)
	if err != nil {
		return nil, err
	}
	now := e.now()
	c := &Case{
		ID: identity.NewID(), Type: t.Name, Process: t.Process, Profile: e.Profile().Name, Title: title, State: Draft,
		StepID: proc.Steps[0].ID, ApplicantUserID: a.UserID, ApplicantOrgID: a.PrimaryOrg(), TargetOrgID: target.ID,
		RegionCode: target.RegionCode, SubjectType: in.SubjectType, SubjectID: in.SubjectID, Form: form,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	err = e.DB.InTx(ctx, func(tx *sql.Tx) error {
		if c.Number, err = e.nextNumber(ctx, tx, t.NumberPrefix, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, number, type, process, profile, title, state, step_index, step_id,
			applicant_user_id, applicant_org_id, target_org_id, region_code, subject_type, subject_id, form, created_at, updated_at, version)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
			c.ID, c.Number, c.Type, c.Process, c.Profile, c.Title, string(c.State), c.StepIndex, c.StepID, c.ApplicantUserID,
			c.ApplicantOrgID, c.TargetOrgID, c.RegionCode, c.SubjectType, c.SubjectID, string(c.Form), c.CreatedAt, c.UpdatedAt, c.Version); err != nil {
			return err
		}
		if err := e.event(ctx, tx, a, c, ActCreate, "", Draft, "", ""); err != nil {
			return err
		}
		if in.OnCreate != nil {
			if err := in.OnCreate(ctx, tx, c); err != nil {
				return err
			}
		}
		if in.Submit {
			if err := e.submit(ctx, tx, a, c, proc); err != nil {
				return err
			}
			return e.save(ctx, tx, c, c.Version)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (e *Engine) nextNumber(ctx context.Context, tx *sql.Tx, prefix string, now time.Time) (string, error) {
	key := fmt.Sprintf("%s-%d", prefix, now.In(workday.Location).Year())
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (prefix, last) VALUES ($1, 1)
		ON CONFLICT (prefix) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, key).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("number case: %w", err)
	}
	return fmt.Sprintf("%s-%06d", key, n), nil
}

// UpdateForm changes the form of a draft or returned case (applicant only).
func (e *Engine) UpdateForm(ctx context.Context, id string, form json.RawMessage, version int) (*Case, error) {
	return e.transition(ctx, id, version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if c.ApplicantUserID != a.UserID {
			return notYours()
		}
		if c.State != Draft && c.State != Returned {
			return badState(c.State, "修改", "edit")
		}
		title, norm, err := e.types[c.Type].Check(ctx, form)
		if err != nil {
			return err
		}
		c.Title, c.Form = title, norm
		return e.event(ctx, tx, a, c, ActUpdate, c.State, c.State, "", "")
	})
}

// Submit sends a draft, or resubmits a returned case.
func (e *Engine) Submit(ctx context.Context, id string, version int) (*Case, error) {
	return e.transition(ctx, id, version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if c.ApplicantUserID != a.UserID {
			return notYours()
		}
		switch c.State {
		case Draft:
			return e.submit(ctx, tx, a, c, proc)
		case Returned:
			// The clock of the step restarts from the resubmission.
			from := c.State
			c.State, c.StepIndex = InReview, c.ReturnedFrom
			if err := e.startStep(c, proc); err != nil {
				return err
			}
			return e.notifyStepActors(ctx, tx, a, c, proc, from, ActResubmit, "")
		default:
			return badState(c.State, "提交", "submit")
		}
	})
}

func (e *Engine) submit(ctx context.Context, tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
	now := e.now()
	c.ReceivedAt = &now
	c.State, c.StepIndex = Submitted, 0
	if err := e.startStep(c, proc); err != nil {
		return err
	}
	return e.notifyStepActors(ctx, tx, a, c, proc, Draft, ActSubmit, "")
}

// startStep sets the current step and its deadline from the profile.
func (e *Engine) startStep(c *Case, proc *policy.Process) error {
	now := e.now()
	step := proc.Steps[c.StepIndex]
	c.StepID, c.StepStartedAt, c.OverdueAt, c.Extension = step.ID, &now, nil, ""
	c.StepDueAt, c.StepDueDate = nil, ""
	if step.Deadline != nil {
		return e.setDue(c, now, step.Deadline.WorkingDays)
	}
	return nil
}

func (e *Engine) setDue(c *Case, from time.Time, n int) error {
	due, err := e.Calendar().AddWorkdays(from, n)
	if errors.Is(err, workday.ErrUnknownYear) {
		return apperr.New(apperr.Invalid, "工作日历尚未包含期限所在年份，请管理员先导入该年度的节假日安排（gongshu workday import）",
			"the working-day calendar does not cover the deadline's year yet; an admin must import that year's holiday arrangement (gongshu workday import)")
	}
	if err != nil {
		return err
	}
	end := due.End.UTC()
	c.StepDueAt, c.StepDueDate = &end, due.Date
	return nil
}

// Accept records that the current step's actor has taken the case up (受理).
func (e *Engine) Accept(ctx context.Context, id string, version int) (*Case, error) {
	return e.transition(ctx, id, version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if err := e.mustAct(ctx, a, c, proc); err != nil {
			return err
		}
		if c.State != Submitted {
			return badState(c.State, "受理", "accept")
		}
		c.State = InReview
		return e.event(ctx, tx, a, c, ActAccept, Submitted, InReview, "", "")
	})
}

// Decide applies a reviewer's decision at the current step: approve (moves to
// the next step or approves the case), refuse (reason, and a legal basis
// where the profile requires it) or return for changes.
func (e *Engine) Decide(ctx context.Context, id string, d Decision) (*Case, error) {
	d.Comment, d.LegalBasis = strings.TrimSpace(d.Comment), strings.TrimSpace(d.LegalBasis)
	if utf8.RuneCountInString(d.Comment) > 5000 || utf8.RuneCountInString(d.LegalBasis) > 1000 {
		return nil, apperr.New(apperr.Invalid, "意见不超过5000字，法律依据不超过1000字", "comment at most 5000 characters, legal basis at most 1000").WithField("comment")
	}
	return e.transition(ctx, id, d.Version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if err := e.mustAct(ctx, a, c, proc); err != nil {
			return err
		}
		if c.State != Submitted && c.State != InReview {
			return badState(c.State, "审核", "decide")
		}
		from := c.State
		switch d.Action {
		case ActApprove:
			if c.StepIndex+1 < len(proc.Steps) {
				c.State, c.StepIndex = InReview, c.StepIndex+1
				if err := e.startStep(c, proc); err != nil {
					return err
				}
				if err := e.event(ctx, tx, a, c, ActApprove, from, InReview, d.Comment, ""); err != nil {
					return err
				}
				return e.notifyStepActors(ctx, tx, a, c, proc, "", "", "")
			}
			if e.types[c.Type].ReplyRequired && d.Comment == "" {
				return apperr.New(apperr.Invalid, "请填写答复内容", "write the reply").WithField("comment")
			}
			return e.close(ctx, tx, a, c, Approved, d, from)
		case ActRefuse:
			if d.Comment == "" {
				return apperr.New(apperr.Invalid, "不予同意须说明理由", "a refusal needs a reason").WithField("comment").WithArticle(proc.Refusal.Article)
			}
			if proc.Refusal.LegalBasisRequired && d.LegalBasis == "" {
				return apperr.Newf(apperr.Invalid, "依据%s，不予同意须写明法律依据", "under %s a refusal needs a legal basis", proc.Refusal.Article).
					WithField("legal_basis").WithArticle(proc.Refusal.Article)
			}
			return e.close(ctx, tx, a, c, Refused, d, from)
		case ActReturn:
			if d.Comment == "" {
				return apperr.New(apperr.Invalid, "退回修改须说明需要补正的内容", "say what the applicant must change").WithField("comment")
			}
			now := e.now()
			c.State, c.ReturnedFrom, c.StepStartedAt, c.OverdueAt, c.Extension = Returned, c.StepIndex, &now, nil, ""
			days := 10
			if proc.Return != nil {
				days = proc.Return.WorkingDays
			}
			if err := e.setDue(c, now, days); err != nil {
				return err
			}
			if err := e.event(ctx, tx, a, c, ActReturn, from, Returned, d.Comment, ""); err != nil {
				return err
			}
			return e.Notify.Send(ctx, tx, []string{c.ApplicantUserID}, notify.Notice{Kind: "case.returned", CaseID: c.ID, Link: "/cases/" + c.ID,
				Title: fmt.Sprintf("事项 %s 被退回修改，请在 %s 前补正", c.Number, c.StepDueDate), TitleEN: fmt.Sprintf("Case %s was returned for changes; fix it by %s", c.Number, c.StepDueDate)})
		default:
			return apperr.Newf(apperr.Invalid, "无效的审核操作 %q", "unknown decision %q", d.Action).WithField("action")
		}
	})
}

func (e *Engine) close(ctx context.Context, tx *sql.Tx, a *identity.Actor, c *Case, to State, d Decision, from State) error {
	now := e.now()
	c.State, c.ClosedAt, c.StepDueAt, c.StepDueDate = to, &now, nil, ""
	out, _ := json.Marshal(map[string]string{"decision": string(d.Action), "comment": d.Comment, "legal_basis": d.LegalBasis})
	c.Outcome = string(out)
	if t := e.types[c.Type]; t.Effect != nil {
		if err := t.Effect(ctx, tx, c, d); err != nil {
			return err
		}
	}
	if err := e.event(ctx, tx, a, c, d.Action, from, to, d.Comment, d.LegalBasis); err != nil {
		return err
	}
	zh, en := "已办结", "was approved"
	if to == Refused {
		zh, en = "未获同意", "was refused"
	}
	return e.Notify.Send(ctx, tx, []string{c.ApplicantUserID}, notify.Notice{Kind: "case." + string(to), CaseID: c.ID, Link: "/cases/" + c.ID,
		Title: fmt.Sprintf("您的事项 %s %s", c.Number, zh), TitleEN: fmt.Sprintf("Your case %s %s", c.Number, en)})
}

// Withdraw lets the applicant take back an open or draft case.
func (e *Engine) Withdraw(ctx context.Context, id string, version int, reason string) (*Case, error) {
	return e.transition(ctx, id, version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if c.ApplicantUserID != a.UserID {
			return notYours()
		}
		if c.State.Closed() {
			return badState(c.State, "撤回", "withdraw")
		}
		from := c.State
		now := e.now()
		c.State, c.ClosedAt, c.StepDueAt, c.StepDueDate = Withdrawn, &now, nil, ""
		if t := e.types[c.Type]; t.Effect != nil {
			if err := t.Effect(ctx, tx, c, Decision{Action: ActWithdraw, Comment: reason}); err != nil {
				return err
			}
		}
		return e.event(ctx, tx, a, c, ActWithdraw, from, Withdrawn, strings.TrimSpace(reason), "")
	})
}

// RequestExtension asks for more time on the current step, where the profile
// allows it (e.g. YN§22: 5 WD extendable to 10 WD with the head's approval).
func (e *Engine) RequestExtension(ctx context.Context, id string, version int, reason string) (*Case, error) {
	reason = strings.TrimSpace(reason)
	return e.transition(ctx, id, version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if err := e.mustAct(ctx, a, c, proc); err != nil {
			return err
		}
		if proc.Extension == nil {
			return apperr.Newf(apperr.Invalid, "现行政策配置（%s）不允许延长该事项的办理期限", "the active profile (%s) allows no extension for this process", c.Profile)
		}
		if c.State != Submitted && c.State != InReview {
			return badState(c.State, "申请延期", "request an extension")
		}
		if c.Extension != "" {
			return apperr.New(apperr.Conflict, "本环节已申请过延期", "an extension was already requested for this step")
		}
		if reason == "" {
			return apperr.New(apperr.Invalid, "请说明延期理由", "give the reason for the extension").WithField("comment")
		}
		c.Extension = "requested"
		if err := e.event(ctx, tx, a, c, ActExtendRequest, c.State, c.State, reason, ""); err != nil {
			return err
		}
		approvers, err := e.extensionApprovers(ctx, c, proc)
		if err != nil {
			return err
		}
		return e.Notify.Send(ctx, tx, approvers, notify.Notice{Kind: "case.extension", CaseID: c.ID, Link: "/cases/" + c.ID,
			Title: fmt.Sprintf("事项 %s 申请延期，待您审批", c.Number), TitleEN: fmt.Sprintf("Case %s asks for an extension awaiting your approval", c.Number)})
	})
}

// DecideExtension approves or refuses a requested extension. The approver is
// the head of the handling institution (institution admin) or, where the
// profile names the authority, an authority admin.
func (e *Engine) DecideExtension(ctx context.Context, id string, version int, approve bool, comment string) (*Case, error) {
	return e.transition(ctx, id, version, func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error {
		if !e.CanView(ctx, a, c) {
			return apperr.ErrNotFound()
		}
		if c.Extension != "requested" || proc.Extension == nil {
			return apperr.New(apperr.Invalid, "没有待审批的延期申请", "there is no extension request to decide")
		}
		if !e.canApproveExtension(a, c, proc) {
			return apperr.Newf(apperr.Forbidden, "只有%s可以审批延期（%s）", "only the %s may approve the extension (%s)", proc.Extension.Approver, proc.Extension.Article).WithArticle(proc.Extension.Article)
		}
		action := ActExtendRefuse
		c.Extension = "refused"
		if approve {
			action, c.Extension = ActExtendApprove, "approved"
			if err := e.setDue(c, *c.StepStartedAt, proc.Extension.MaxWorkingDays); err != nil {
				return err
			}
			c.OverdueAt = nil
		}
		return e.event(ctx, tx, a, c, action, c.State, c.State, strings.TrimSpace(comment), "")
	})
}

// CanApproveExtension reports whether a may decide the pending extension of c.
func (e *Engine) CanApproveExtension(a *identity.Actor, c *Case) bool {
	proc, err := e.Process(c.Type)
	return err == nil && c.Extension == "requested" && proc.Extension != nil && e.canApproveExtension(a, c, proc)
}

func (e *Engine) canApproveExtension(a *identity.Actor, c *Case, proc *policy.Process) bool {
	if a.UserID == c.ApplicantUserID {
		return false
	}
	if strings.HasPrefix(proc.Extension.Approver, "authority") {
		return e.authorityOver(a, c.RegionCode)
	}
	return a.Has(identity.RoleInstitutionAdmin, c.TargetOrgID)
}

func (e *Engine) extensionApprovers(ctx context.Context, c *Case, proc *policy.Process) ([]string, error) {
	if strings.HasPrefix(proc.Extension.Approver, "authority") {
		return e.authorityMembers(ctx, c.RegionCode)
	}
	return e.Identity.Members(ctx, c.TargetOrgID, identity.RoleInstitutionAdmin)
}

// transition loads a case inside a transaction, lets fn change it, and saves
// it with an optimistic version check.
func (e *Engine) transition(ctx context.Context, id string, expect int, fn func(tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process) error) (*Case, error) {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	var out *Case
	err := e.DB.InTx(ctx, func(tx *sql.Tx) error {
		c, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`+e.DB.ForUpdate(), id))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound()
		}
		if err != nil {
			return err
		}
		if !e.CanView(ctx, a, c) {
			return apperr.ErrNotFound()
		}
		if expect != 0 && expect != c.Version {
			return stale()
		}
		proc, err := e.Process(c.Type)
		if err != nil {
			return err
		}
		version := c.Version
		if err := fn(tx, a, c, proc); err != nil {
			return err
		}
		if err := e.save(ctx, tx, c, version); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// save writes c if nobody changed it since version was read.
func (e *Engine) save(ctx context.Context, tx *sql.Tx, c *Case, version int) error {
	c.UpdatedAt = e.now()
	res, err := tx.ExecContext(ctx, `UPDATE cases SET title=$1, state=$2, step_index=$3, step_id=$4, form=$5, outcome=$6, received_at=$7,
		step_started_at=$8, step_due_at=$9, step_due_date=$10, overdue_at=$11, returned_from=$12, extension=$13, updated_at=$14, closed_at=$15,
		version = version + 1 WHERE id = $16 AND version = $17`,
		c.Title, string(c.State), c.StepIndex, c.StepID, string(c.Form), c.Outcome, c.ReceivedAt, c.StepStartedAt, c.StepDueAt, c.StepDueDate,
		c.OverdueAt, c.ReturnedFrom, c.Extension, c.UpdatedAt, c.ClosedAt, c.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return stale()
	}
	c.Version = version + 1
	return nil
}

func stale() error {
	return apperr.New(apperr.Conflict, "该事项已被他人处理或已变化，请刷新后重试", "the case was changed meanwhile; reload and try again")
}

func notYours() error {
	return apperr.New(apperr.Forbidden, "只有申请人可以进行此操作", "only the applicant may do this")
}

func badState(s State, zh, en string) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("事项当前状态（%s）不能%s", s, zh), fmt.Sprintf("a case in state %s cannot %s", s, en))
}

// event appends a timeline entry and its audit record.
func (e *Engine) event(ctx context.Context, tx *sql.Tx, a *identity.Actor, c *Case, act Action, from, to State, comment, basis string) error {
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1`, c.ID).Scan(&seq); err != nil {
		return err
	}
	who := a.Who()
	ev := Event{ID: identity.NewID(), Seq: seq, At: e.now(), ActorID: who.ID, ActorName: a.Name, ActorOrgID: who.OrgID, Action: string(act),
		FromState: from, ToState: to, StepID: c.StepID, Comment: comment, LegalBasis: basis, DueDate: c.StepDueDate}
	if a.UserID == "" {
		ev.ActorName = who.Name
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, seq, at, actor_id, actor_name, actor_org_id, action, from_state,
		to_state, step_id, comment, legal_basis, due_date) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		ev.ID, c.ID, ev.Seq, ev.At, ev.ActorID, ev.ActorName, ev.ActorOrgID, ev.Action, string(from), string(to), ev.StepID,
		comment, basis, ev.DueDate); err != nil {
		return err
	}
	_, err := e.Audit.Append(ctx, tx, who, audit.Entry{Action: "case." + string(act), ObjectType: "case", ObjectID: c.ID,
		Payload: map[string]any{"number": c.Number, "type": c.Type, "from": from, "to": to, "step": c.StepID,
			"comment_digest": audit.Digest([]byte(comment)), "legal_basis": basis, "due": c.StepDueDate}})
	return err
}

func (e *Engine) notifyStepActors(ctx context.Context, tx *sql.Tx, a *identity.Actor, c *Case, proc *policy.Process, from State, act Action, comment string) error {
	if act != "" {
		if err := e.event(ctx, tx, a, c, act, from, c.State, comment, ""); err != nil {
			return err
		}
	}
	users, err := e.stepActorUsers(ctx, c, proc)
	if err != nil {
		return err
	}
	return e.Notify.Send(ctx, tx, users, notify.Notice{Kind: "case.todo", CaseID: c.ID, Link: "/cases/" + c.ID,
		Title:   fmt.Sprintf("待办：%s（%s），请于 %s 前办理", c.Title, c.Number, c.StepDueDate),
		TitleEN: fmt.Sprintf("To do: %s (%s), due %s", c.Title, c.Number, c.StepDueDate)})
}
