// Package api is the JSON REST interface under /api/v1, described by the
// OpenAPI 3.1 document served at /api/v1/openapi.json. Handlers are thin:
// decode, call one service method, encode. Errors carry a stable code and a
// message in zh-CN and English (apperr), mapped to HTTP statuses in one place.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/caseflow"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
	"gongshu/internal/policy"
	"gongshu/internal/workday"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the embedded OpenAPI document.
func OpenAPI() []byte { return openAPIDoc }

// Options configure the API.
type Options struct {
	Version string
	// PublicURL is the deployment's public address for absolute links (datapackage.json).
	PublicURL string
}

type handler struct {
	p *platform.Platform
	o Options
}

// Register mounts the API on mux.
func Register(mux *http.ServeMux, p *platform.Platform, o Options) {
	h := &handler{p: p, o: o}
	for _, rt := range append(append(h.routes(), h.catalogRoutes()...), h.datasetRoutes()...) {
		mux.HandleFunc(rt.Method+" "+rt.Path, rt.fn)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, apperr.New(apperr.NotFound, "接口不存在", "no such API endpoint"))
	})
}

// Route is one documented endpoint of the API.
type Route struct {
	Method, Path string
	fn           http.HandlerFunc
}

// Routes lists the API's endpoints; the OpenAPI document must describe each.
func Routes() []Route {
	h := &handler{}
	return append(append(h.routes(), h.catalogRoutes()...), h.datasetRoutes()...)
}

func (h *handler) routes() []Route {
	return []Route{
		{"GET", "/api/v1/openapi.json", h.openapi},
		{"POST", "/api/v1/login", h.login},
		{"POST", "/api/v1/logout", h.logout},
		{"GET", "/api/v1/me", h.me},
		{"POST", "/api/v1/register", h.register},
		{"POST", "/api/v1/api-clients", h.createAPIClient},
		{"GET", "/api/v1/regions", h.regions},
		{"GET", "/api/v1/regions/{code}", h.region},
		{"GET", "/api/v1/orgs", h.orgs},
		{"GET", "/api/v1/orgs/{id}", h.org},
		{"GET", "/api/v1/cases", h.cases},
		{"POST", "/api/v1/cases", h.createCase},
		{"GET", "/api/v1/cases/stats", h.caseStats},
		{"GET", "/api/v1/cases/{id}", h.getCase},
		{"GET", "/api/v1/cases/{id}/events", h.caseEvents},
		{"POST", "/api/v1/cases/{id}/actions", h.caseAction},
		{"GET", "/api/v1/profile", h.profile},
		{"GET", "/api/v1/profiles", h.profiles},
		{"GET", "/api/v1/notices", h.notices},
		{"POST", "/api/v1/notices/{id}/read", h.readNotice},
		{"GET", "/api/v1/audit", h.audit},
		{"GET", "/api/v1/workdays/due", h.workdayDue},
		{"GET", "/api/v1/workdays/{year}", h.workdayYear},
	}
}

// SessionCookieName is the browser session cookie (set by the pages' login).
const SessionCookieName = "gongshu_session"

// WriteError writes err as {"error": {...}} with its HTTP status; internal
// errors are logged and answered without details.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": apperr.Newf(apperr.Invalid,
			"请求体超过 %d 字节上限", "request body exceeds the %d-byte limit", mbe.Limit)})
		return
	case e == nil:
		slog.Error("internal error", "path", r.URL.Path, "err", err)
		e = apperr.New(apperr.Internal, "内部错误，请稍后重试", "internal error; please try again later")
	}
	writeJSON(w, apperr.HTTPStatus(e), map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return apperr.New(apperr.Invalid, "请求体不是有效的 JSON 或含有未知字段："+err.Error(), "request body is not valid JSON or has unknown fields: "+err.Error())
	}
	return nil
}

func actor(r *http.Request) (*identity.Actor, error) {
	if a := identity.ActorFrom(r.Context()); a != nil {
		return a, nil
	}
	return nil, apperr.New(apperr.Unauthorized, "请先登录（会话令牌或 API 密钥）", "log in first (session token or API key)")
}

func (h *handler) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	sess, err := h.p.Identity.Login(r.Context(), in.Username, in.Password, ClientIP(r), r.UserAgent())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": sess.Token, "expires_at": sess.ExpiresAt})
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if a.APIClient != "" {
		WriteError(w, r, apperr.New(apperr.Invalid, "API 密钥不是会话，无需退出；如需停用请吊销密钥", "an API key is not a session; revoke the key instead"))
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		if c, err := r.Cookie(SessionCookieName); err == nil {
			tok = c.Value
		}
	}
	if err := h.p.Identity.Logout(r.Context(), strings.TrimSpace(tok)); err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) me(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username    string            `json:"username"`
		DisplayName string            `json:"display_name"`
		Kind        identity.UserKind `json:"kind"`
		IDNumber    string            `json:"id_number"`
		USCC        string            `json:"uscc"`
		Email       string            `json:"email"`
		Password    string            `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	u, err := h.p.Identity.Register(r.Context(), identity.NewUser{Username: in.Username, DisplayName: in.DisplayName, Kind: in.Kind,
		IDNumber: in.IDNumber, USCC: in.USCC, Email: in.Email, Password: in.Password})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (h *handler) createAPIClient(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var in struct{ Name string }
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := h.p.Identity.CreateAPIClient(r.Context(), "", in.Name)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (h *handler) regions(w http.ResponseWriter, r *http.Request) {
	parent := r.URL.Query().Get("parent")
	if parent != "" {
		if _, ok := h.p.Identity.Regions.Get(parent); !ok {
			WriteError(w, r, apperr.ErrNotFound())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(h.p.Identity.Regions.Children(parent))})
}

func (h *handler) region(w http.ResponseWriter, r *http.Request) {
	t := h.p.Identity.Regions
	reg, ok := t.Get(r.PathValue("code"))
	if !ok {
		WriteError(w, r, apperr.ErrNotFound())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"region": reg, "ancestors": nonNil(t.Ancestors(reg.Code)),
		"children": nonNil(t.Children(reg.Code))})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *handler) orgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var types []string
	for _, t := range identity.OrgTypes {
		types = append(types, string(t))
	}
	if _, err := oneOf(q, "type", types...); err != nil {
		WriteError(w, r, err)
		return
	}
	orgs, err := h.p.Identity.ListOrgs(r.Context(), identity.OrgFilter{RegionCode: q.Get("region"), Type: identity.OrgType(q.Get("type")), Query: q.Get("q")})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(orgs)})
}

func (h *handler) org(w http.ResponseWriter, r *http.Request) {
	o, err := h.p.Identity.GetOrg(r.Context(), r.PathValue("id"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// CaseView is a case with what the caller needs to show it.
type CaseView struct {
	*caseflow.Case
	Overdue           bool `json:"overdue"`
	RemainingWorkdays *int `json:"remaining_workdays,omitempty"`
	CanAct            bool `json:"can_act"`
}

func (h *handler) view(r *http.Request, c *caseflow.Case) CaseView {
	v := CaseView{Case: c, Overdue: c.Overdue(h.p.Now())}
	if n, ok := h.p.Cases.RemainingWorkdays(c); ok {
		v.RemainingWorkdays = &n
	}
	v.CanAct = h.p.Cases.CanAct(r.Context(), identity.ActorFrom(r.Context()), c)
	return v
}

// intParam reads an optional whole-number query parameter within [lo, hi].
func intParam(q url.Values, name string, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, apperr.Newf(apperr.Invalid, "参数 %s 应为 %d 到 %d 之间的整数", "parameter %s must be a whole number from %d to %d", name, lo, hi).WithField(name)
	}
	return n, nil
}

// oneOf checks an optional enumerated query parameter.
func oneOf(q url.Values, name string, allowed ...string) (string, error) {
	v := q.Get(name)
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", apperr.Newf(apperr.Invalid, "参数 %s 应为：%s", "parameter %s must be one of: %s", name, strings.Join(allowed, ", ")).WithField(name)
}

func (h *handler) cases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err1 := intParam(q, "limit", 1, 200)
	offset, err2 := intParam(q, "offset", 0, 1<<30)
	box, err3 := oneOf(q, "box", "mine", "todo")
	var states []string
	for _, st := range caseflow.States {
		states = append(states, string(st))
	}
	state, err4 := oneOf(q, "state", states...)
	overdue, err5 := oneOf(q, "overdue", "true", "false")
	if err := firstAppErr(err1, err2, err3, err4, err5); err != nil {
		WriteError(w, r, err)
		return
	}
	list, total, err := h.p.Cases.List(r.Context(), caseflow.Filter{Box: box, State: caseflow.State(state),
		Type: q.Get("type"), Overdue: overdue == "true", Limit: limit, Offset: offset})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	items := make([]CaseView, 0, len(list))
	for _, c := range list {
		items = append(items, h.view(r, c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
}

func firstAppErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (h *handler) caseStats(w http.ResponseWriter, r *http.Request) {
	st, err := h.p.Cases.Count(r.Context(), r.URL.Query().Get("box"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *handler) createCase(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var in caseflow.NewCase
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := h.p.Cases.Create(r.Context(), in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, h.view(r, c))
}

func (h *handler) getCase(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := h.p.Cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.view(r, c))
}

func (h *handler) caseEvents(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	evs, err := h.p.Cases.Events(r.Context(), r.PathValue("id"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(evs)})
}

// ActionRequest is the body of POST /cases/{id}/actions.
type ActionRequest struct {
	Action     string          `json:"action"`
	Comment    string          `json:"comment"`
	LegalBasis string          `json:"legal_basis"`
	Version    int             `json:"version"`
	Form       json.RawMessage `json:"form,omitempty"`
	// Confirmations are explicit approvals a rule asks for, e.g. "open_downgrade" (WH§22).
	Confirmations []string `json:"confirmations,omitempty"`
}

// DoAction applies one action to a case; shared by the API and the pages.
func DoAction(r *http.Request, p *platform.Platform, id string, in ActionRequest) (*caseflow.Case, error) {
	ctx, e := r.Context(), p.Cases
	switch caseflow.Action(in.Action) {
	case caseflow.ActSubmit, caseflow.ActResubmit:
		if len(in.Form) > 0 {
			c, err := e.UpdateForm(ctx, id, in.Form, in.Version)
			if err != nil {
				return nil, err
			}
			in.Version = c.Version
		}
		return e.Submit(ctx, id, in.Version)
	case caseflow.ActUpdate:
		return e.UpdateForm(ctx, id, in.Form, in.Version)
	case caseflow.ActAccept:
		return e.Accept(ctx, id, in.Version)
	case caseflow.ActApprove, caseflow.ActRefuse, caseflow.ActReturn:
		return e.Decide(ctx, id, caseflow.Decision{Action: caseflow.Action(in.Action), Comment: in.Comment, LegalBasis: in.LegalBasis,
			Version: in.Version, Confirmations: in.Confirmations})
	case caseflow.ActWithdraw:
		return e.Withdraw(ctx, id, in.Version, in.Comment)
	case caseflow.ActExtendRequest:
		return e.RequestExtension(ctx, id, in.Version, in.Comment)
	case caseflow.ActExtendApprove, caseflow.ActExtendRefuse:
		return e.DecideExtension(ctx, id, in.Version, in.Action == string(caseflow.ActExtendApprove), in.Comment)
	}
	return nil, apperr.Newf(apperr.Invalid, "未知操作 %q", "unknown action %q", in.Action).WithField("action")
}

func (h *handler) caseAction(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var in ActionRequest
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := DoAction(r, h.p, r.PathValue("id"), in)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.view(r, c))
}

func (h *handler) profile(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.p.Profile())
}

func (h *handler) profiles(w http.ResponseWriter, r *http.Request) {
	var out []*policy.Profile
	for _, n := range policy.Names() {
		p, err := policy.Builtin(n)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": h.p.Profile().Name, "items": out})
}

func (h *handler) notices(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	list, unread, err := h.p.Notify.List(r.Context(), a.UserID, 100)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list), "unread": unread})
}

func (h *handler) readNotice(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if err := h.p.Notify.MarkRead(r.Context(), a.UserID, r.PathValue("id")); err != nil {
		WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// CanReadAudit reports whether a may search the audit log: authority admins
// and auditors (I3).
func CanReadAudit(a *identity.Actor) bool {
	return a.Has(identity.RoleAuthorityAdmin, "") || a.Has(identity.RoleAuditor, "")
}

// AuditQuery reads audit search parameters from a URL query.
func AuditQuery(q url.Values) (audit.Query, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	aq := audit.Query{Action: get("action"), ActorID: get("actor"), ObjectID: get("object"), Text: get("q")}
	var err error
	if aq.Limit, err = intParam(q, "limit", 1, 500); err != nil {
		return aq, err
	}
	before, err := intParam(q, "before", 1, 1<<62)
	if err != nil {
		return aq, err
	}
	aq.Before = int64(before)
	for k, dst := range map[string]*time.Time{"from": &aq.From, "to": &aq.To} {
		if v := get(k); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, workday.Location)
			if err != nil {
				return aq, apperr.Newf(apperr.Invalid, "%s 日期格式应为 YYYY-MM-DD", "%s must be a date YYYY-MM-DD", k).WithField(k)
			}
			if k == "to" {
				t = t.AddDate(0, 0, 1)
			}
			*dst = t
		}
	}
	return aq, nil
}

func (h *handler) audit(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if !CanReadAudit(a) {
		WriteError(w, r, apperr.New(apperr.Forbidden, "只有数据主管部门管理员和审计员可以查询审计日志", "only authority admins and auditors may search the audit log"))
		return
	}
	q, err := AuditQuery(r.URL.Query())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	recs, err := h.p.Audit.Search(r.Context(), q)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(recs)})
}

// ParseReceived reads a receipt time: a date (taken as that day in Beijing),
// an RFC 3339 time, or a local date and time without zone (Beijing).
func ParseReceived(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, workday.Location); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.Newf(apperr.Invalid, "时间 %q 格式无效：应为日期 2025-09-30 或 RFC 3339 时间 2025-10-10T17:00:00Z", "time %q is invalid: use a date 2025-09-30 or an RFC 3339 time 2025-10-10T17:00:00Z", s).WithField("from")
}

func (h *handler) workdayDue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := ParseReceived(q.Get("from"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 1 || n > 1000 {
		WriteError(w, r, apperr.New(apperr.Invalid, "n 应为 1 到 1000 之间的工作日数", "n must be a number of working days from 1 to 1000").WithField("n"))
		return
	}
	due, err := h.p.Calendar().AddWorkdays(from, n)
	if err != nil {
		WriteError(w, r, apperr.New(apperr.Invalid, "无法计算期限："+err.Error(), "cannot compute the deadline: "+err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"received": from.In(workday.Location).Format("2006-01-02"), "working_days": n,
		"due_date": due.Date, "due_end": due.End, "rule": "民法典第二百零一条：受理当日不计入 / the day of receipt is not counted"})
}

func (h *handler) workdayYear(w http.ResponseWriter, r *http.Request) {
	y, err := strconv.Atoi(r.PathValue("year"))
	cal := h.p.Calendar()
	if err != nil || !cal.Covers(y) {
		WriteError(w, r, apperr.ErrNotFound())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": y, "data": cal.YearData(y)})
}

// ClientIP is the request's client address as the server middleware saw it.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i > 0 {
		host = strings.Trim(host[:i], "[]")
	}
	return host
}
