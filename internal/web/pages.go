package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongshu/internal/api"
	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/feedback"
	"gongshu/internal/identity"
	"gongshu/internal/policy"
	"gongshu/internal/region"
	"gongshu/internal/workday"
)

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	type homeData struct {
		Orgs    int
		Regions int
		Stats   *caseflow.Stats
		Todo    *caseflow.Stats
	}
	d := homeData{Regions: s.p.Identity.Regions.Len()}
	if orgs, err := s.p.Identity.ListOrgs(r.Context(), identity.OrgFilter{}); err == nil {
		d.Orgs = len(orgs)
	}
	if a := identity.ActorFrom(r.Context()); a != nil {
		if st, err := s.p.Cases.Count(r.Context(), "mine"); err == nil {
			d.Stats = &st
		}
		if a.Kind == identity.KindStaff {
			if st, err := s.p.Cases.Count(r.Context(), "todo"); err == nil {
				d.Todo = &st
			}
		}
	}
	s.render(w, r, http.StatusOK, "home", s.newPage(r, "home.title", d))
}

func (s *site) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", s.newPage(r, "login.title", map[string]string{"Next": safeNext(r.URL.Query().Get("next")), "Username": ""}))
}

func (s *site) login(w http.ResponseWriter, r *http.Request) {
	user, pw, next := r.PostFormValue("username"), r.PostFormValue("password"), safeNext(r.PostFormValue("next"))
	sess, err := s.p.Identity.Login(r.Context(), user, pw, api.ClientIP(r), r.UserAgent())
	if err != nil {
		pg := s.newPage(r, "login.title", map[string]string{"Next": next, "Username": user})
		pg.Error = apperr.As(err)
		if pg.Error == nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, apperr.HTTPStatus(err), "login", pg)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.o.SecureCookies || r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *site) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && identity.ActorFrom(r.Context()) != nil {
		if err := s.p.Identity.Logout(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.o.SecureCookies || r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *site) registerForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "register", s.newPage(r, "register.title", map[string]string{"Kind": "person"}))
}

func (s *site) register(w http.ResponseWriter, r *http.Request) {
	in := identity.NewUser{Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Kind: identity.UserKind(r.PostFormValue("kind")), IDNumber: r.PostFormValue("id_number"), USCC: r.PostFormValue("uscc"),
		Password: r.PostFormValue("password")}
	if in.Password != r.PostFormValue("password2") {
		err := apperr.New(apperr.Invalid, "两次输入的密码不一致", "the two passwords differ").WithField("password2")
		s.renderRegister(w, r, in, err)
		return
	}
	if _, err := s.p.Identity.Register(r.Context(), in); err != nil {
		s.renderRegister(w, r, in, err)
		return
	}
	http.Redirect(w, r, "/login?registered=1", http.StatusSeeOther)
}

func (s *site) renderRegister(w http.ResponseWriter, r *http.Request, in identity.NewUser, err error) {
	pg := s.newPage(r, "register.title", map[string]string{"Kind": string(in.Kind), "Username": in.Username,
		"DisplayName": in.DisplayName, "IDNumber": in.IDNumber, "USCC": in.USCC})
	if pg.Error = apperr.As(err); pg.Error == nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, apperr.HTTPStatus(err), "register", pg)
}

func (s *site) regions(w http.ResponseWriter, r *http.Request) {
	t := s.p.Identity.Regions
	code := r.URL.Query().Get("code")
	type regionData struct {
		Current   *region.Region
		Ancestors []region.Region
		Children  []region.Region
		Orgs      []*identity.Org
	}
	d := regionData{Children: t.Children(code)}
	if code != "" {
		cur, ok := t.Get(code)
		if !ok {
			s.fail(w, r, apperr.New(apperr.NotFound, "行政区划代码不存在", "no such region code"))
			return
		}
		d.Current, d.Ancestors = &cur, t.Ancestors(code)
		orgs, err := s.p.Identity.ListOrgs(r.Context(), identity.OrgFilter{RegionCode: code})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Orgs = orgs
	}
	s.render(w, r, http.StatusOK, "regions", s.newPage(r, "regions.title", d))
}

func (s *site) orgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := identity.OrgFilter{Type: identity.OrgType(q.Get("type")), Query: q.Get("q"), RegionCode: q.Get("region")}
	orgs, err := s.p.Identity.ListOrgs(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type row struct {
		*identity.Org
		RegionPath string
	}
	var rows []row
	for _, o := range orgs {
		rows = append(rows, row{o, s.p.Identity.Regions.Path(o.RegionCode)})
	}
	s.render(w, r, http.StatusOK, "orgs", s.newPage(r, "orgs.title", map[string]any{"Rows": rows, "Filter": f, "Types": identity.OrgTypes}))
}

func (s *site) org(w http.ResponseWriter, r *http.Request) {
	o, err := s.p.Identity.GetOrg(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var parent *identity.Org
	if o.ParentID != "" {
		parent, _ = s.p.Identity.GetOrg(r.Context(), o.ParentID)
	}
	s.render(w, r, http.StatusOK, "org", s.newPage(r, "orgs.title", map[string]any{"Org": o, "Parent": parent,
		"RegionPath": s.p.Identity.Regions.Path(o.RegionCode), "Triggers": catalog.Triggers,
		"Authority": s.p.Identity.AuthorityOver(identity.ActorFrom(r.Context()), o.RegionCode) && (o.Type == identity.OrgInstitution || o.Type == identity.OrgUtility)}))
}

// caseRow is a case with what lists and pages show of it.
type caseRow struct {
	*caseflow.Case
	Overdue    bool
	Remaining  int
	HasDue     bool
	TargetName string
	StepTitle  policy.I18n
}

func (s *site) row(r *http.Request, c *caseflow.Case) caseRow {
	row := caseRow{Case: c, Overdue: c.Overdue(s.p.Now())}
	row.Remaining, row.HasDue = s.p.Cases.RemainingWorkdays(c)
	if o, err := s.p.Identity.GetOrg(r.Context(), c.TargetOrgID); err == nil {
		row.TargetName = o.Name
	}
	if proc, err := s.p.Cases.Process(c.Type); err == nil {
		for _, st := range proc.Steps {
			if st.ID == c.StepID {
				row.StepTitle = st.Title
			}
		}
	}
	return row
}

func (s *site) cases(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	q := r.URL.Query()
	box := q.Get("box")
	if box == "" {
		box = "mine"
		if a.Kind == identity.KindStaff {
			box = "todo"
		}
	}
	if box == "all" {
		box = ""
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := caseflow.Filter{Box: box, State: caseflow.State(q.Get("state")), Overdue: q.Get("overdue") == "1", Limit: 50, Offset: (page - 1) * 50}
	list, total, err := s.p.Cases.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.p.Cases.Count(r.Context(), box)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var rows []caseRow
	for _, c := range list {
		rows = append(rows, s.row(r, c))
	}
	if box == "" {
		box = "all"
	}
	s.render(w, r, http.StatusOK, "cases", s.newPage(r, "cases.title", map[string]any{"Rows": rows, "Total": total, "Box": box,
		"State": f.State, "Overdue": f.Overdue, "Stats": st, "States": caseflow.States, "Page": page, "More": page*50 < total}))
}

func (s *site) targetOrgs(r *http.Request) []*identity.Org {
	var out []*identity.Org
	for _, t := range []identity.OrgType{identity.OrgInstitution, identity.OrgUtility} {
		orgs, _ := s.p.Identity.ListOrgs(r.Context(), identity.OrgFilter{Type: t})
		out = append(out, orgs...)
	}
	return out
}

func (s *site) newCaseForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	q := r.URL.Query()
	s.renderNewCase(w, r, http.StatusOK, map[string]string{"target": q.Get("target"), "kind": "demand", "resource": q.Get("resource")}, nil)
}

func (s *site) renderNewCase(w http.ResponseWriter, r *http.Request, status int, form map[string]string, err *apperr.Error) {
	proc, _ := s.p.Cases.Process(feedback.TypeName)
	pg := s.newPage(r, "newcase.title", map[string]any{"Form": form, "Orgs": s.targetOrgs(r), "Kinds": feedback.Kinds, "Process": proc})
	pg.Error = err
	s.render(w, r, status, "case_new", pg)
}

func (s *site) createCase(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	form := map[string]string{"target": r.PostFormValue("target"), "kind": r.PostFormValue("kind"),
		"resource": r.PostFormValue("resource"), "content": r.PostFormValue("content"), "contact": r.PostFormValue("contact")}
	body, _ := json.Marshal(feedback.Form{Kind: feedback.Kind(form["kind"]), Resource: form["resource"], Content: form["content"], Contact: form["contact"]})
	c, err := s.p.Cases.Create(r.Context(), caseflow.NewCase{Type: feedback.TypeName, TargetOrgID: form["target"], Form: body,
		Submit: r.PostFormValue("draft") == ""})
	if err != nil {
		if e := apperr.As(err); e != nil {
			s.renderNewCase(w, r, apperr.HTTPStatus(err), form, e)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
}

func (s *site) casePage(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	s.showCase(w, r, http.StatusOK, r.PathValue("id"), nil)
}

func (s *site) showCase(w http.ResponseWriter, r *http.Request, status int, id string, actionErr *apperr.Error) {
	a := identity.ActorFrom(r.Context())
	c, err := s.p.Cases.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	events, err := s.p.Cases.Events(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	proc, err := s.p.Cases.Process(c.Type)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var form feedback.Form
	json.Unmarshal(c.Form, &form)
	var outcome struct {
		Decision, Comment string
		LegalBasis        string `json:"legal_basis"`
	}
	json.Unmarshal([]byte(c.Outcome), &outcome)
	kindLabel := ""
	for _, k := range feedback.Kinds {
		if k.Kind == form.Kind {
			kindLabel = k.ZH + " / " + k.EN
		}
	}
	stepTitles := map[string]policy.I18n{}
	for _, st := range proc.Steps {
		stepTitles[st.ID] = st.Title
	}
	applicant := ""
	var appUser string
	s.p.DB.QueryRowContext(r.Context(), `SELECT display_name FROM users WHERE id = $1`, c.ApplicantUserID).Scan(&appUser)
	applicant = appUser
	d := map[string]any{
		"Case": s.row(r, c), "Events": events, "Form": form, "KindLabel": kindLabel, "Outcome": outcome, "Process": proc,
		"StepTitles": stepTitles, "Applicant": applicant,
		"IsApplicant": c.ApplicantUserID == a.UserID, "CanAct": s.p.Cases.CanAct(r.Context(), a, c),
		"CanExtend": proc.Extension != nil && c.Extension == "", "CanApproveExtension": s.p.Cases.CanApproveExtension(a, c),
		"ActionError": actionErr,
	}
	if c.Type == catalog.UpdateCaseType || c.Type == catalog.RecheckCaseType {
		var mf catalog.MaintenanceForm
		json.Unmarshal(c.Form, &mf)
		d["Maintenance"] = map[string]any{"Form": mf, "Trigger": catalog.Triggers[mf.Trigger]}
	}
	if c.Type == catalog.CaseType {
		rid, v, downgrade := catalog.ReviewOf(c)
		review := map[string]any{"ResourceID": rid, "Version": v, "Downgrade": downgrade}
		if vs, err := s.p.Catalog.Versions(r.Context(), rid); err == nil {
			for _, x := range vs {
				if x.Version == v {
					review["Changes"] = x.Changes
				}
			}
		}
		d["Review"] = review
	}
	s.render(w, r, status, "case", s.newPage(r, "case.title", d))
}

func (s *site) caseAction(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := api.ActionRequest{Action: r.PostFormValue("action"), Comment: r.PostFormValue("comment"),
		LegalBasis: r.PostFormValue("legal_basis"), Version: version, Confirmations: r.PostForm["confirm"]}
	if content := r.PostFormValue("content"); content != "" && (in.Action == "resubmit" || in.Action == "submit") {
		in.Form, _ = json.Marshal(feedback.Form{Kind: feedback.Kind(r.PostFormValue("kind")), Resource: r.PostFormValue("resource"),
			Content: content, Contact: r.PostFormValue("contact")})
	}
	if _, err := api.DoAction(r, s.p, id, in); err != nil {
		e := apperr.As(err)
		if e == nil || e.Code == apperr.NotFound || e.Code == apperr.Unauthorized {
			s.fail(w, r, err)
			return
		}
		s.showCase(w, r, apperr.HTTPStatus(err), id, e)
		return
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *site) profile(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "profile", s.newPage(r, "profile.title", map[string]any{"Profile": s.p.Profile(), "Names": policy.Names()}))
}

func (s *site) notices(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	list, unread, err := s.p.Notify.List(r.Context(), a.UserID, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notices", s.newPage(r, "notices.title", map[string]any{"Items": list, "Unread": unread}))
}

func (s *site) readNotices(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	if err := s.p.Notify.MarkRead(r.Context(), a.UserID, r.PostFormValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	if link := r.PostFormValue("link"); link != "" {
		http.Redirect(w, r, safeNext(link), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/notices", http.StatusSeeOther)
}

func (s *site) audit(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	if !api.CanReadAudit(a) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "只有数据主管部门管理员和审计员可以查询审计日志", "only authority admins and auditors may search the audit log"))
		return
	}
	q, err := api.AuditQuery(r.URL.Query())
	var recs []audit.Record
	if err == nil {
		q.Limit = 50
		recs, err = s.p.Audit.Search(r.Context(), q)
	}
	pg := s.newPage(r, "audit.title", nil)
	if err != nil {
		if pg.Error = apperr.As(err); pg.Error == nil {
			s.fail(w, r, err)
			return
		}
	}
	var older string
	if len(recs) == 50 {
		v := r.URL.Query()
		v.Set("before", strconv.FormatInt(recs[len(recs)-1].Seq, 10))
		older = "/audit?" + v.Encode()
	}
	pg.Data = map[string]any{"Records": recs, "Query": r.URL.Query(), "Older": older}
	s.render(w, r, http.StatusOK, "audit", pg)
}

func (s *site) calendar(w http.ResponseWriter, r *http.Request) {
	s.renderCalendar(w, r, http.StatusOK, nil, "")
}

func (s *site) renderCalendar(w http.ResponseWriter, r *http.Request, status int, e *apperr.Error, flash string) {
	cal := s.p.Calendar()
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil || !cal.Covers(year) {
		year = time.Now().In(workday.Location).Year()
		if !cal.Covers(year) {
			years := cal.Years()
			year = years[len(years)-1]
		}
	}
	type dayRow struct{ Date, Name, Kind, Weekday string }
	yd := cal.YearData(year)
	var days []dayRow
	for date, name := range yd.Holidays {
		days = append(days, dayRow{date, name, "holiday", weekday(date)})
	}
	for date, name := range yd.Workdays {
		days = append(days, dayRow{date, name, "workday", weekday(date)})
	}
	sortDays(days, func(d dayRow) string { return d.Date })
	d := map[string]any{"Year": year, "Years": cal.Years(), "Notice": yd.Notice, "Days": days,
		"CanEdit": identity.ActorFrom(r.Context()).Has(identity.RoleAuthorityAdmin, "")}
	if from, n := q.Get("from"), q.Get("n"); from != "" {
		d["From"], d["N"] = from, n
		t, perr := api.ParseReceived(from)
		days, nerr := strconv.Atoi(n)
		switch {
		case perr != nil:
			e = apperr.As(perr)
		case nerr != nil || days < 1 || days > 1000:
			e = apperr.New(apperr.Invalid, "工作日数应为 1 到 1000", "working days must be from 1 to 1000")
		default:
			due, derr := cal.AddWorkdays(t, days)
			if derr != nil {
				e = apperr.New(apperr.Invalid, "无法计算："+derr.Error(), "cannot compute: "+derr.Error())
			} else {
				d["Due"] = due
				d["Received"] = t.In(workday.Location).Format("2006-01-02")
			}
		}
	}
	pg := s.newPage(r, "calendar.title", d)
	pg.Error, pg.Flash = e, flash
	s.render(w, r, status, "calendar", pg)
}

func weekday(date string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return ""
	}
	return t.Weekday().String()[:3]
}

func sortDays[T any](s []T, key func(T) string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && key(s[j]) < key(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (s *site) calendarDay(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	date := strings.TrimSpace(r.PostFormValue("date"))
	err := s.p.SetDay(r.Context(), date, workday.Kind(r.PostFormValue("kind")), strings.TrimSpace(r.PostFormValue("name")))
	if err != nil {
		e := apperr.As(err)
		if e == nil || e.Code == apperr.Forbidden {
			s.fail(w, r, err)
			return
		}
		s.renderCalendar(w, r, apperr.HTTPStatus(err), e, "")
		return
	}
	http.Redirect(w, r, "/calendar?year="+date[:4], http.StatusSeeOther)
}
