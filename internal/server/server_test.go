package server_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/demo"
	"gongshu/internal/platform"
	"gongshu/internal/platform/platformtest"
	"gongshu/internal/server"
)

const pw = "demo-pass-123"

type site struct {
	t   *testing.T
	p   *platform.Platform
	srv *httptest.Server
}

func newSite(t *testing.T, d *db.DB, tlsOn bool) *site {
	t.Helper()
	p := platformtest.Open(t, d, "yunnan", nil)
	if _, err := demo.Seed(context.Background(), p, pw); err != nil {
		t.Fatal(err)
	}
	h := server.New(p, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	var srv *httptest.Server
	if tlsOn {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return &site{t: t, p: p, srv: srv}
}

// client is a browser-like client with a cookie jar, logged in as user ("" = anonymous).
func (s *site) client(user string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if s.srv.TLS != nil {
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	}
	if user != "" {
		resp, err := c.PostForm(s.srv.URL+"/login", url.Values{"username": {user}, "password": {pw}, "next": {"/"}})
		if err != nil {
			s.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			s.t.Fatalf("login %s: %d", user, resp.StatusCode)
		}
	}
	return c
}

// token logs in through the API and returns a bearer token.
func (s *site) token(user string) string {
	s.t.Helper()
	var out struct{ Token string }
	code := s.api(http.MethodPost, "/api/v1/login", "", map[string]string{"username": user, "password": pw}, &out)
	if code != http.StatusOK || out.Token == "" {
		s.t.Fatalf("API login %s: %d", user, code)
	}
	return out.Token
}

func (s *site) api(method, path, token string, body any, out any) int {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthOpenAPIHomeAndMetrics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		anon := s.client("")
		for path, want := range map[string]string{"/healthz": `"status":"ok"`, "/api/v1/openapi.json": `"openapi"`, "/": "统一公共数据平台",
			"/profile": "YN§29", "/regions?code=530100": "五华区", "/calendar?year=2025": "国庆节",
			"/orgs": "昆明市市场监督管理局", "/api/v1/workdays/due?from=2025-09-30&n=5": `"due_date":"2025-10-14"`} {
			code, body := get(t, anon, s.srv.URL+path)
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("GET %s: %d, missing %q", path, code, want)
			}
		}
		if code, body := get(t, anon, s.srv.URL+"/metrics"); code != 200 || !strings.Contains(body, `gongshu_http_requests_total{code="200",route="GET /healthz"}`) {
			t.Errorf("metrics: %d %.300s", code, body)
		}
	})
}

func TestSecurityHeadersAndCookieFlags(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, true)
		c := s.client("")
		resp, err := c.PostForm(s.srv.URL+"/login", url.Values{"username": {"citizen"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q", csp)
		}
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "gongshu_session" {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", session)
		}
		if resp.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS over TLS")
		}
	})
}

func TestCrossOriginFormPostsAreRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/cases/new", strings.NewReader("kind=demand&content=abcdefg"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d, want 403", resp.StatusCode)
		}
	})
}

func TestLoginIsThrottledAndAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		for i := 0; i < 5; i++ {
			if code := s.api("POST", "/api/v1/login", "", map[string]string{"username": "citizen", "password": "wrong"}, nil); code != 401 {
				t.Fatalf("attempt %d: %d", i, code)
			}
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if code := s.api("POST", "/api/v1/login", "", map[string]string{"username": "citizen", "password": pw}, &e); code != 429 || e.Error.Code != "throttled" {
			t.Fatalf("after 5 failures: %d %+v", code, e)
		}
		recs, _ := s.p.Audit.Search(context.Background(), audit.Query{Action: "login.failed"})
		if len(recs) < 5 {
			t.Errorf("%d failed logins audited", len(recs))
		}
		for _, r := range recs {
			if strings.Contains(r.Payload, "wrong") {
				t.Fatal("a password reached the audit log")
			}
		}
	})
}

// feedbackCase files a case through the API as user and returns its id.
func (s *site) feedbackCase(token, org string) string {
	s.t.Helper()
	var orgs struct{ Items []struct{ ID, Name string } }
	s.api("GET", "/api/v1/orgs?q="+url.QueryEscape(org), "", nil, &orgs)
	if len(orgs.Items) != 1 {
		s.t.Fatalf("org %s: %+v", org, orgs)
	}
	var c struct{ ID, State string }
	code := s.api("POST", "/api/v1/cases", token, map[string]any{"type": "feedback", "target_org_id": orgs.Items[0].ID, "submit": true,
		"form": map[string]string{"kind": "objection", "resource": "食品经营许可", "content": "许可证有效期与证照不一致"}}, &c)
	if code != 201 || c.State != "submitted" {
		s.t.Fatalf("create case: %d %+v", code, c)
	}
	return c.ID
}

func TestAnotherOrganizationGets404OnEveryCaseEndpointAndPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		id := s.feedbackCase(s.token("citizen"), "昆明市市场监督管理局")
		for _, user := range []string{"hrss.officer", "water.officer", "citizen2", "company", "operator.admin", "police.officer"} {
			tok := s.token(user)
			probes := []struct{ method, path string }{
				{"GET", "/api/v1/cases/" + id}, {"GET", "/api/v1/cases/" + id + "/events"}, {"POST", "/api/v1/cases/" + id + "/actions"},
			}
			for _, p := range probes {
				var body any
				if p.method == "POST" {
					body = map[string]any{"action": "approve", "comment": "越权答复"}
				}
				if code := s.api(p.method, p.path, tok, body, nil); code != 404 {
					t.Errorf("%s %s %s: %d, want 404", user, p.method, p.path, code)
				}
			}
			var list struct{ Items []struct{ ID string } }
			s.api("GET", "/api/v1/cases?box=", tok, nil, &list)
			for _, c := range list.Items {
				if c.ID == id {
					t.Errorf("%s lists the case", user)
				}
			}
			br := s.client(user)
			if code, _ := get(t, br, s.srv.URL+"/cases/"+id); code != 404 {
				t.Errorf("%s page /cases/%s: %d", user, id, code)
			}
			resp, err := br.PostForm(s.srv.URL+"/cases/"+id+"/action", url.Values{"action": {"approve"}, "comment": {"越权"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("%s page action: %d", user, resp.StatusCode)
			}
		}
		// Anonymous: 401 by API, redirect to login by page.
		if code := s.api("GET", "/api/v1/cases/"+id, "", nil, nil); code != 401 {
			t.Errorf("anonymous API: %d", code)
		}
		if code, _ := get(t, s.client(""), s.srv.URL+"/cases/"+id); code != http.StatusSeeOther {
			t.Errorf("anonymous page: %d", code)
		}
		// The institution can answer; the requester sees the answer.
		officer := s.token("data.officer")
		var c struct{ State string }
		if code := s.api("POST", "/api/v1/cases/"+id+"/actions", officer, map[string]any{"action": "approve", "comment": "已核实并更正"}, &c); code != 200 || c.State != "approved" {
			t.Fatalf("institution answer: %d %+v", code, c)
		}
		_, body := get(t, s.client("citizen"), s.srv.URL+"/cases/"+id)
		if !strings.Contains(body, "已核实并更正") {
			t.Error("the requester does not see the answer")
		}
	})
}

func TestAuditSearchIsForAuthorityAdminsAndAuditors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		for user, want := range map[string]int{"authority.admin": 200, "auditor": 200, "regulator.auditor": 200, "data.officer": 403, "citizen": 403} {
			if code := s.api("GET", "/api/v1/audit?action=login", s.token(user), nil, nil); code != want {
				t.Errorf("%s API audit: %d, want %d", user, code, want)
			}
			code, body := get(t, s.client(user), s.srv.URL+"/audit?action=login")
			if code != want || (want == 200 && !strings.Contains(body, "login")) {
				t.Errorf("%s audit page: %d", user, code)
			}
		}
	})
}

func TestAPIKeysAuthenticateAsTheirUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		var key struct{ Key, Secret string }
		if code := s.api("POST", "/api/v1/api-clients", s.token("data.officer"), map[string]string{"name": "业务系统"}, &key); code != 201 {
			t.Fatalf("create key: %d", code)
		}
		var me struct {
			Username  string
			APIClient string `json:"api_client"`
		}
		if code := s.api("GET", "/api/v1/me", key.Key+"."+key.Secret, nil, &me); code != 200 || me.Username != "data.officer" || me.APIClient != key.Key {
			t.Fatalf("key auth: %d %+v", code, me)
		}
		if code := s.api("GET", "/api/v1/me", key.Key+".wrong", nil, nil); code != 401 {
			t.Fatalf("wrong secret: %d", code)
		}
	})
}

var codeSpans = regexp.MustCompile(`<code[^>]*>[^<]*</code>`)

var tags = regexp.MustCompile(`<[^>]*>`)

// untranslated finds a message key shown as text, e.g. "state.in_review" or "state." with a number.
var untranslated = regexp.MustCompile(`(^|\s|·|\()(nav|home|case|cases|act|state|profile|calendar|audit|orgs|regions|login|register|common|newcase|notices|actor|orgtype|ext|error)\.[a-z0-9_]+`)

func TestEveryPageRendersInBothLanguages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		var list struct{ Items []struct{ ID string } }
		s.api("GET", "/api/v1/cases?box=", s.token("authority.admin"), nil, &list)
		if len(list.Items) < 8 {
			t.Fatalf("demo has %d visible cases", len(list.Items))
		}
		var hits struct{ Hits []struct{ ID string } }
		s.api("GET", "/api/v1/catalog?limit=5", s.token("data.officer"), nil, &hits)
		var catalogIDs []string
		for _, h := range hits.Hits {
			catalogIDs = append(catalogIDs, h.ID)
		}
		if len(catalogIDs) == 0 {
			t.Fatal("no published catalog entries in the demo")
		}
		for _, user := range []string{"", "citizen", "data.officer", "authority.admin", "institution.admin"} {
			for _, lang := range []string{"zh-CN", "en"} {
				c := s.client(user)
				get(t, c, s.srv.URL+"/lang?to="+lang)
				pages := []string{"/", "/regions", "/regions?code=530000", "/orgs", "/profile", "/calendar?year=2026&from=2025-09-30&n=5", "/login", "/register",
					"/catalog", "/catalog?q=企业&sort=name", "/catalog?library=base&open_type=unconditional"}
				for _, id := range catalogIDs {
					pages = append(pages, "/catalog/"+id)
				}
				if user != "" {
					pages = append(pages, "/cases", "/cases?box=all", "/cases/new", "/notices")
					for _, it := range list.Items {
						pages = append(pages, "/cases/"+it.ID)
					}
				}
				if user == "authority.admin" {
					var orgs struct{ Items []struct{ ID string } }
					s.api("GET", "/api/v1/orgs?type=institution", "", nil, &orgs)
					pages = append(pages, "/audit", "/orgs/"+orgs.Items[0].ID)
				}
				if user == "data.officer" {
					pages = append(pages, "/catalog/drafts", "/catalog/new", "/catalog/import")
					for _, id := range catalogIDs {
						pages = append(pages, "/catalog/"+id+"/edit")
					}
				}
				for _, pg := range pages {
					code, body := get(t, c, s.srv.URL+pg)
					if code == 404 && (strings.HasPrefix(pg, "/cases/") && user != "authority.admin" || strings.HasPrefix(pg, "/catalog/")) {
						continue // not every case is visible to every user
					}
					if code != 200 {
						t.Errorf("%s %s %s: %d", user, lang, pg, code)
						continue
					}
					if m := untranslated.FindString(tags.ReplaceAllString(codeSpans.ReplaceAllString(body, ""), " ")); m != "" {
						t.Errorf("%s %s %s: untranslated key %s", user, lang, pg, m)
					}
					if lang == "en" && !strings.Contains(body, `lang="en"`) {
						t.Errorf("%s %s: not English", user, pg)
					}
				}
			}
		}
	})
}

func TestBadInputGetsAClearErrorAndLosesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		tok := s.token("citizen")
		var e struct {
			Error struct{ Code, Message, MessageEN, Field string }
		}
		code := s.api("POST", "/api/v1/cases", tok, map[string]any{"type": "feedback", "target_org_id": "nope", "form": map[string]string{}}, &e)
		if code != 422 || e.Error.Field != "target_org_id" || e.Error.Message == "" {
			t.Errorf("bad org: %d %+v", code, e)
		}
		req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/cases", strings.NewReader(`{"type":"feedback","form":{"content":"`+strings.Repeat("x", 2<<20)+`"}}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("2 MiB body: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// A page form with an error keeps what the user typed.
		c := s.client("citizen")
		resp, err = c.PostForm(s.srv.URL+"/cases/new", url.Values{"kind": {"demand"}, "content": {"请开放某某数据集的下载"}, "target": {""}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 422 || !strings.Contains(string(b), "请开放某某数据集的下载") || !strings.Contains(string(b), "请选择受理机构") {
			t.Errorf("form error page: %d", resp.StatusCode)
		}
		for _, q := range []string{"limit=0", "limit=abc", "offset=-1", "box=everything", "state=open", "overdue=yes"} {
			if code := s.api("GET", "/api/v1/cases?"+q, tok, nil, &e); code != 422 || e.Error.Field == "" {
				t.Errorf("cases?%s: %d %+v", q, code, e)
			}
		}
		if code := s.api("GET", "/api/v1/orgs?type=club", "", nil, nil); code != 422 {
			t.Errorf("orgs?type=club: %d", code)
		}
		if code := s.api("POST", "/api/v1/register", "", map[string]string{"username": "newperson", "kind": "person", "id_number": "110105194912310021", "password": "longenough1"}, &e); code != 422 || e.Error.Field != "id_number" || !strings.Contains(e.Error.Message, "校验码") {
			t.Errorf("bad ID number: %d %+v", code, e)
		}
	})
}

func TestAuthorityAdminEditsTheCalendarInThePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		// A staff member who is not an authority admin cannot.
		resp, err := s.client("data.officer").PostForm(s.srv.URL+"/calendar/day", url.Values{"date": {"2026-10-09"}, "kind": {"holiday"}, "name": {"调整"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("officer edits the calendar: %d", resp.StatusCode)
		}
		admin := s.client("authority.admin")
		resp, err = admin.PostForm(s.srv.URL+"/calendar/day", url.Values{"date": {"2026-10-09"}, "kind": {"holiday"}, "name": {"临时调整"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin edit: %d", resp.StatusCode)
		}
		var due struct {
			DueDate string `json:"due_date"`
		}
		s.api("GET", "/api/v1/workdays/due?from=2026-10-08&n=1", "", nil, &due)
		if due.DueDate != "2026-10-10" { // 9 October is now off; Saturday 10 October 2026 is an adjusted working day
			t.Errorf("due after the edit: %s", due.DueDate)
		}
		resp, _ = admin.PostForm(s.srv.URL+"/calendar/day", url.Values{"date": {"2031-01-01"}, "kind": {"holiday"}})
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 422 || !strings.Contains(string(b), "尚未导入") {
			t.Errorf("edit in an unknown year: %d", resp.StatusCode)
		}
		recs, _ := s.p.Audit.Search(context.Background(), audit.Query{Action: "settings.calendar"})
		if len(recs) != 1 {
			t.Errorf("%d calendar edits audited", len(recs))
		}
	})
}

func TestCatalogThroughThePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		officer := s.client("data.officer")
		form := url.Values{"org": {""}, "name": {"电梯维保单位信息"}, "summary": {"在本市从事电梯维护保养的单位名称、资质和维保电梯数量。"},
			"library": {"department"}, "data_form": {"table"}, "formats": {"csv，xlsx"}, "update_frequency": {"monthly"}, "level": {"general"},
			"share_type": {"conditional"}, "open_type": {"unconditional"}, "item_name_0": {"单位名称"}, "item_type_0": {"string"}, "item_length_0": {"200"},
			"item_name_1": {"联系电话"}, "item_type_1": {"string"}, "item_name_2": {""}, "item_type_2": {"string"}}
		var orgs struct{ Items []struct{ ID string } }
		s.api("GET", "/api/v1/orgs?q="+url.QueryEscape("昆明市市场监督管理局"), "", nil, &orgs)
		form.Set("org", orgs.Items[0].ID)
		resp, err := officer.PostForm(s.srv.URL+"/catalog/new", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		page := resp.Header.Get("Location")
		id := strings.TrimPrefix(page, "/catalog/")
		// Conditional share without reasons is refused with its article, and the form keeps the input.
		form.Set("submit", "1")
		resp, _ = officer.PostForm(s.srv.URL+page+"/edit", form)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 422 || !strings.Contains(string(b), "YN§27") || !strings.Contains(string(b), "电梯维保单位信息") {
			t.Fatalf("conditional share without a legal basis: %d", resp.StatusCode)
		}
		form.Set("share_conditions", "仅限特种设备安全监管使用")
		form.Set("legal_basis", "《中华人民共和国特种设备安全法》第五十七条")
		resp, _ = officer.PostForm(s.srv.URL+page+"/edit", form)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save and submit: %d", resp.StatusCode)
		}
		_, body := get(t, officer, s.srv.URL+page)
		if !strings.Contains(body, "审核中") || !strings.Contains(body, "疑似") {
			t.Error("entry page does not show the review state or the personal-information suggestion for 联系电话")
		}
		var c struct{ Items []struct{ ID, Type string } }
		s.api("GET", "/api/v1/cases?box=todo&state=submitted", s.token("authority.reviewer"), nil, &c)
		caseID := ""
		for _, x := range c.Items {
			if x.Type == "catalog_review" && caseID == "" {
				caseID = x.ID // newest first
			}
		}
		_, body = get(t, s.client("authority.reviewer"), s.srv.URL+"/cases/"+caseID)
		if !strings.Contains(body, "电梯维保单位信息") {
			t.Fatal("the authority's case page does not show the entry")
		}
		resp, _ = s.client("authority.reviewer").PostForm(s.srv.URL+"/cases/"+caseID+"/action", url.Values{"action": {"approve"}, "comment": {"同意发布"}})
		resp.Body.Close()
		code, body := get(t, s.client(""), s.srv.URL+"/catalog?q="+url.QueryEscape("电梯维保"))
		if code != 200 || !strings.Contains(body, "/catalog/"+id) {
			t.Fatal("the published entry is not found in the open catalog")
		}
	})
}
