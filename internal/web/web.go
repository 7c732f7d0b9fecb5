// Package web renders the platform's pages on the server: the portal home,
// login and registration, the region and organization browser, my cases with
// working-day deadlines, the case page with its timeline and actions, the
// active policy profile, notices, the calendar and the audit search. zh-CN by
// default, English by choice; forms work without JavaScript; templates and
// assets are embedded so the binary is the whole product.
package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongshu/internal/api"
	"gongshu/internal/apperr"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
	"gongshu/internal/workday"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = api.SessionCookieName

const langCookie = "gongshu_lang"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed locale/messages.json
var messagesJSON []byte

// Options configure the pages.
type Options struct {
	SecureCookies bool
	Version       string
}

type site struct {
	p        *platform.Platform
	o        Options
	pages    map[string]*template.Template
	messages map[string]map[string]string // key → lang → text
}

// Langs are the supported interface languages, default first.
var Langs = []string{"zh-CN", "en"}

// Messages returns the locale catalog: key → language → text.
func Messages() (map[string]map[string]string, error) {
	var m map[string]map[string]string
	if err := json.Unmarshal(messagesJSON, &m); err != nil {
		return nil, fmt.Errorf("locale catalog: %w", err)
	}
	return m, nil
}

// Register mounts the pages and static assets on mux.
func Register(mux *http.ServeMux, p *platform.Platform, o Options) {
	msgs, err := Messages()
	if err != nil {
		panic(err)
	}
	s := &site{p: p, o: o, messages: msgs, pages: map[string]*template.Template{}}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		s.pages[base] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.FileServer(http.FS(static))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /lang", s.setLang)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /register", s.registerForm)
	mux.HandleFunc("POST /register", s.register)
	mux.HandleFunc("GET /regions", s.regions)
	mux.HandleFunc("GET /orgs", s.orgs)
	mux.HandleFunc("GET /orgs/{id}", s.org)
	mux.HandleFunc("GET /cases", s.cases)
	mux.HandleFunc("GET /cases/new", s.newCaseForm)
	mux.HandleFunc("POST /cases/new", s.createCase)
	mux.HandleFunc("GET /cases/{id}", s.casePage)
	mux.HandleFunc("POST /cases/{id}/action", s.caseAction)
	mux.HandleFunc("GET /profile", s.profile)
	mux.HandleFunc("GET /notices", s.notices)
	mux.HandleFunc("POST /notices/read", s.readNotices)
	mux.HandleFunc("GET /audit", s.audit)
	mux.HandleFunc("GET /calendar", s.calendar)
	mux.HandleFunc("POST /calendar/day", s.calendarDay)
	s.registerCatalog(mux)
	s.registerDatasets(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.New(apperr.NotFound, "页面不存在", "page not found"))
	})
}

var funcs = template.FuncMap{
	"bj": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.In(workday.Location).Format("2006-01-02 15:04")
		case *time.Time:
			if v == nil {
				return ""
			}
			return v.In(workday.Location).Format("2006-01-02 15:04")
		}
		return ""
	},
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"neg":      func(n int) int { return -n },
	"add":      func(a, b int) int { return a + b },
	"list":     func(v ...string) []string { return v },
	"permille": func(n int) float64 { return float64(n) / 10 },
	"pct":      func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
	"index0": func(v []string, i int) string {
		if i < len(v) {
			return v[i]
		}
		return ""
	},
}

// page is what every template receives.
type page struct {
	Lang     string
	Title    string
	Actor    *identity.Actor
	Path     string
	Unread   int
	Profile  string
	Version  string
	Error    *apperr.Error
	Flash    string
	Data     any
	messages map[string]map[string]string
}

// T translates a message key into the page's language; a missing key shows
// itself so that a test can find it.
func (p *page) T(key string) string {
	if m, ok := p.messages[key]; ok {
		if s, ok := m[p.Lang]; ok {
			return s
		}
	}
	return key
}

// L picks the zh or en text of a pair.
func (p *page) L(zh, en string) string {
	if p.Lang == "en" && en != "" {
		return en
	}
	return zh
}

// Msg returns an error's message in the page's language.
func (p *page) Msg(e *apperr.Error) string {
	if e == nil {
		return ""
	}
	return p.L(e.Message, e.MessageEN)
}

func (s *site) lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		return "en"
	}
	// Chinese first: English only when the user chose it.
	return "zh-CN"
}

func (s *site) newPage(r *http.Request, title string, data any) *page {
	pg := &page{Lang: s.lang(r), Actor: identity.ActorFrom(r.Context()), Path: r.URL.Path, Profile: s.p.Profile().Name,
		Version: s.o.Version, Data: data, messages: s.messages}
	pg.Title = pg.T(title)
	if pg.Actor != nil {
		if _, n, err := s.p.Notify.List(r.Context(), pg.Actor.UserID, 1); err == nil {
			pg.Unread = n
		}
	}
	return pg
}

func (s *site) render(w http.ResponseWriter, r *http.Request, status int, name string, pg *page) {
	t, ok := s.pages[name]
	if !ok {
		panic("no template " + name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pg); err != nil {
		slog.Error("render page", "page", name, "err", err)
		http.Error(w, "内部错误 / internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// fail shows an error page; an internal error's details go to the log only.
func (s *site) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e == nil {
		slog.Error("internal error", "path", r.URL.Path, "err", err)
		e = apperr.New(apperr.Internal, "内部错误，请稍后重试", "internal error; please try again later")
	}
	if e.Code == apperr.Unauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	pg := s.newPage(r, "error.title", nil)
	pg.Error = e
	s.render(w, r, apperr.HTTPStatus(e), "error", pg)
}

func (s *site) requireLogin(w http.ResponseWriter, r *http.Request) *identity.Actor {
	a := identity.ActorFrom(r.Context())
	if a == nil {
		s.fail(w, r, apperr.New(apperr.Unauthorized, "请先登录", "please log in"))
	}
	return a
}

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *site) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("to")
	if l != "en" {
		l = "zh-CN"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode,
		HttpOnly: true, Secure: s.o.SecureCookies || r.TLS != nil})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("back")), http.StatusSeeOther)
}
