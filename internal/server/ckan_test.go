package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/server"
)

type ckanReply struct {
	Help    string          `json:"help"`
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	} `json:"error"`
}

func (s *site) ckan(t *testing.T, action string, q url.Values) (int, ckanReply) {
	t.Helper()
	resp, err := http.Get(s.srv.URL + "/api/3/action/" + action + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r ckanReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s: not CKAN JSON: %v", action, err)
	}
	if r.Help == "" {
		t.Errorf("%s: no help in the envelope", action)
	}
	return resp.StatusCode, r
}

func TestCKANActionAPIReadsTheOpenCatalog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		code, r := s.ckan(t, "status_show", nil)
		if code != 200 || !r.Success || !strings.Contains(string(r.Result), "ckan_version") {
			t.Fatalf("status_show: %d %s", code, r.Result)
		}
		_, r = s.ckan(t, "package_list", nil)
		var names []string
		json.Unmarshal(r.Result, &names)
		if len(names) < 10 {
			t.Fatalf("package_list: %d packages", len(names))
		}
		_, r = s.ckan(t, "package_search", url.Values{"q": {"许可"}, "rows": {"5"}, "facet.field": {`["organization","groups","tags","res_format"]`}, "sort": {"metadata_modified desc"}})
		var search struct {
			Count   int `json:"count"`
			Results []struct {
				ID, Name, Title string
				Organization    struct{ Name, Title string }
				Extras          []struct{ Key, Value string }
			} `json:"results"`
			Facets       map[string]map[string]int `json:"facets"`
			SearchFacets map[string]struct {
				Items []struct {
					Name  string
					Count int
				}
			} `json:"search_facets"`
		}
		json.Unmarshal(r.Result, &search)
		if !r.Success || search.Count == 0 || len(search.Results) == 0 || len(search.Results) > 5 || len(search.Facets["organization"]) == 0 {
			t.Fatalf("package_search: %s", r.Result)
		}
		for _, p := range search.Results {
			for _, x := range p.Extras {
				if x.Key == "open_type" && x.Value == "none" {
					t.Errorf("non-open %s in the CKAN API", p.Title)
				}
			}
		}
		org := search.Results[0].Organization.Name
		_, r = s.ckan(t, "package_search", url.Values{"fq": {"organization:" + org}, "rows": {"1000"}})
		json.Unmarshal(r.Result, &search)
		for _, p := range search.Results {
			if p.Organization.Name != org {
				t.Errorf("fq organization returned %s", p.Organization.Name)
			}
		}
		code, r = s.ckan(t, "package_show", url.Values{"id": {search.Results[0].ID}})
		if code != 200 || !strings.Contains(string(r.Result), search.Results[0].Title) {
			t.Errorf("package_show: %d", code)
		}
		code, r = s.ckan(t, "package_show", url.Values{"id": {"no-such-package"}})
		if code != 404 || r.Success || r.Error == nil || r.Error.Type != "Not Found Error" {
			t.Errorf("missing package: %d %+v", code, r.Error)
		}
		code, r = s.ckan(t, "package_search", url.Values{"rows": {"abc"}})
		if code != 409 || r.Error == nil || r.Error.Type != "Validation Error" {
			t.Errorf("bad rows: %d", code)
		}
		_, r = s.ckan(t, "organization_list", url.Values{"all_fields": {"true"}})
		var orgs []struct {
			Name         string
			PackageCount int `json:"package_count"`
		}
		json.Unmarshal(r.Result, &orgs)
		total := 0
		for _, o := range orgs {
			total += o.PackageCount
		}
		if len(orgs) < 5 || total != len(names) {
			t.Errorf("organization_list: %d orgs, %d packages, package_list has %d", len(orgs), total, len(names))
		}
		code, r = s.ckan(t, "organization_show", url.Values{"id": {org}, "include_datasets": {"true"}})
		if code != 200 || !strings.Contains(string(r.Result), "packages") {
			t.Errorf("organization_show: %d", code)
		}
		_, r = s.ckan(t, "group_list", url.Values{"all_fields": {"true"}})
		if !strings.Contains(string(r.Result), "人口") {
			t.Errorf("group_list: %s", r.Result)
		}
		_, r = s.ckan(t, "tag_list", nil)
		if !strings.Contains(string(r.Result), "许可") {
			t.Errorf("tag_list: %s", r.Result)
		}
		code, r = s.ckan(t, "package_create", nil)
		if code != 400 || r.Success {
			t.Errorf("unknown action: %d", code)
		}
	})
}

func TestDCATFeedsDescribeTheOpenCatalog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		get := func(path string) (int, string, string) {
			resp, err := http.Get(s.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			buf := make([]byte, 32<<10)
			for {
				n, err := resp.Body.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			return resp.StatusCode, resp.Header.Get("Content-Type"), b.String()
		}
		code, ct, ttl := get("/catalog.ttl")
		if code != 200 || !strings.HasPrefix(ct, "text/turtle") || !strings.Contains(ttl, "a dcat:Catalog") || !strings.Contains(ttl, "a dcat:Dataset") {
			t.Fatalf("catalog.ttl: %d %s", code, ct)
		}
		code, ct, js := get("/catalog.jsonld")
		var doc struct {
			Graph []map[string]any `json:"@graph"`
		}
		if code != 200 || !strings.HasPrefix(ct, "application/ld+json") || json.Unmarshal([]byte(js), &doc) != nil || len(doc.Graph) < 10 {
			t.Fatalf("catalog.jsonld: %d %s", code, ct)
		}
		datasets := 0
		for _, n := range doc.Graph {
			types, _ := n["@type"].([]any)
			for _, ty := range types {
				if ty == "http://www.w3.org/ns/dcat#Dataset" {
					datasets++
					for _, req := range []string{"http://purl.org/dc/terms/title", "http://purl.org/dc/terms/description", "http://www.w3.org/ns/dcat#distribution"} {
						if n[req] == nil {
							t.Errorf("dataset %v lacks %s", n["@id"], req)
						}
					}
					if strings.Contains(js, "NON_PUBLIC") {
						t.Error("a non-open dataset is in the feed")
					}
				}
			}
		}
		_, r := s.ckan(t, "package_list", nil)
		var names []string
		json.Unmarshal(r.Result, &names)
		if datasets != len(names) {
			t.Errorf("feed has %d datasets, the open catalog %d", datasets, len(names))
		}
		if code, _, body := get("/catalog/" + names[0] + "/dcat.ttl"); code != 200 || !strings.Contains(body, names[0]) {
			t.Errorf("dataset feed: %d", code)
		}
		if code, _, _ := get("/catalog.ttl?page=99"); code != 404 {
			t.Errorf("page past the end: %d", code)
		}
		if code, _, _ := get("/catalog.ttl?page=x"); code != 422 {
			t.Errorf("bad page: %d", code)
		}
	})
}

func TestCatalogImportByUploadAndExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		tok := s.token("data.officer")
		csvText := "资源名称,资源摘要,所属库,数据形态,更新频率,分级,共享属性,开放属性,数据项名称,数据类型\n" +
			"上传的资源,这是通过上传导入的资源摘要文字。,部门库,表格,每月,一般,无条件共享,无条件开放,名称,字符\n" +
			"坏的资源,这是通过上传导入的资源摘要文字。,部门库,表格,每小时,一般,无条件共享,无条件开放,名称,字符\n"
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "catalog.csv")
		fw.Write([]byte(csvText))
		mw.Close()
		req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/catalog/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Created  []struct{ ID string }
			Rejected []struct {
				Row    int
				Reason string
			}
		}
		json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(res.Created) != 1 || len(res.Rejected) != 1 || res.Rejected[0].Row != 3 || !strings.Contains(res.Rejected[0].Reason, "更新频率") {
			t.Fatalf("import: %d %+v", resp.StatusCode, res)
		}
		req, _ = http.NewRequest("GET", s.srv.URL+"/api/v1/catalog/export.xlsx", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if code, _, _ := func() (int, string, string) {
			r, _ := http.Get(s.srv.URL + "/api/v1/catalog/template.xlsx")
			r.Body.Close()
			return r.StatusCode, "", ""
		}(); code != 200 {
			t.Errorf("template: %d", code)
		}
	})
}

func TestFeedsUseTheConfiguredPublicURL(t *testing.T) {
	s := newSite(t, dbtest.SQLite(t), false)
	srv := httptest.NewServer(server.New(s.p, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicURL: "https://data.example.gov.cn/"}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/catalog.ttl")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<https://data.example.gov.cn/catalog>") || strings.Contains(string(b), srv.URL) {
		t.Error("the feed does not use the public URL")
	}
}
