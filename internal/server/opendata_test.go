package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongshu/internal/access"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/demo"
	"gongshu/internal/platform/platformtest"
)

// openEntry is an unconditionally open resource with a personal item.
func (s *site) openResource(t *testing.T) string {
	t.Helper()
	var org string
	if err := s.p.DB.QueryRowContext(context.Background(), `SELECT id FROM organizations WHERE name = $1`, "昆明市市场监督管理局").Scan(&org); err != nil {
		t.Fatal(err)
	}
	r := platformtest.Publish(t, s.p, "data.officer", "authority.reviewer", org, catalog.Entry{
		Name: "食品经营许可公示", Summary: "昆明市食品经营许可证的公示信息：许可证编号、经营者名称、统一社会信用代码、负责人和有效期。",
		Library: catalog.LibraryThematic, Themes: []string{"市场监管"}, DataForm: "table", Formats: []string{"csv"}, UpdateFrequency: "monthly",
		Level: catalog.LevelGeneral, ShareType: catalog.ShareUnconditional, OpenType: catalog.OpenUnconditional, Licence: "CC BY 4.0",
		Items: []catalog.Item{
			{Name: "许可证编号", DataType: "string", Length: 20, Required: true, Key: true},
			{Name: "经营者名称", DataType: "string", Length: 50},
			{Name: "统一社会信用代码", DataType: "string", Length: 18, IDKind: catalog.IDUSCC},
			{Name: "负责人", DataType: "string", Length: 10, PI: catalog.PIPersonal},
			{Name: "有效期至", DataType: "date"},
			{Name: "从业人数", DataType: "integer", Length: 6},
		}})
	return r.ID
}

func (s *site) upload(t *testing.T, token, id, name string, data []byte, fields map[string]string) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/datasets/"+id+"/loads", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode == http.StatusAccepted {
		l, err := s.p.Datasets.WaitLoad(context.Background(), out["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(l)
		out = map[string]any{}
		json.Unmarshal(b, &out)
	}
	return resp.StatusCode, out
}

func TestOpenDataFlowsFromUploadToDownload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		id := s.openResource(t)
		officer := s.token("data.officer")
		var csvBody strings.Builder
		csvBody.WriteString("许可证编号,经营者名称,统一社会信用代码,负责人,有效期至,从业人数\n")
		for i := 1; i <= 250; i++ {
			fmt.Fprintf(&csvBody, "JY%012d,昆明第%d餐饮店,%s,张%d,2027-0%d-15,%d\n", i, i, demo.USCC("92", "530100", i), i, 1+i%9, i%40)
		}
		loaded := []byte(csvBody.String())
		code, l := s.upload(t, officer, id, "许可.csv", loaded, map[string]string{"mode": "replace"})
		if code != http.StatusAccepted || l["status"] != "committed" || l["rows_loaded"].(float64) != 250 {
			t.Fatalf("upload: %d %v", code, l)
		}
		// Records API: paged, filtered, masked personal items.
		var page struct {
			Total   int64               `json:"total"`
			Records []map[string]string `json:"records"`
			Next    string              `json:"next"`
		}
		if c := s.api("GET", "/api/v1/open/"+id+"/records?limit=100&offset=100", "", nil, &page); c != 200 || page.Total != 250 || len(page.Records) != 100 ||
			page.Records[0]["许可证编号"] != "JY000000000101" || page.Records[0]["负责人"] != "张***" || !strings.Contains(page.Next, "offset=200") {
			t.Fatalf("records: %d total %d, %d records, next %q", c, page.Total, len(page.Records), page.Next)
		}
		s.api("GET", "/api/v1/open/"+id+"/records?filter="+url.QueryEscape("经营者名称:昆明第7餐饮店"), "", nil, &page)
		if page.Total != 1 || page.Records[0]["从业人数"] != "7" {
			t.Errorf("filter: total %d", page.Total)
		}
		// CSV download: the same bytes as loaded, except the masked personal item.
		_, got := get(t, http.DefaultClient, s.srv.URL+"/api/v1/open/"+id+"/download.csv")
		gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(loaded), "\n")
		if len(gotLines) != len(wantLines) || gotLines[0] != wantLines[0] {
			t.Fatalf("download has %d lines, want %d: %q", len(gotLines), len(wantLines), got[:min(len(got), 200)])
		}
		for i := 1; i < len(wantLines)-1; i++ {
			w := strings.Split(wantLines[i], ",")
			g := strings.Split(gotLines[i], ",")
			w[3] = "张" + strings.Repeat("*", len([]rune(w[3]))-1)
			if strings.Join(w, ",") != strings.Join(g, ",") {
				t.Fatalf("line %d: %q, want %q", i, gotLines[i], strings.Join(w, ","))
			}
		}
		_, bom := get(t, http.DefaultClient, s.srv.URL+"/api/v1/open/"+id+"/download.csv?bom=1")
		if !strings.HasPrefix(bom, "\ufeff许可证编号") {
			t.Errorf("BOM option: %q", bom[:20])
		}
		_, js := get(t, http.DefaultClient, s.srv.URL+"/api/v1/open/"+id+"/download.json")
		var recs []map[string]string
		if err := json.Unmarshal([]byte(js), &recs); err != nil || len(recs) != 250 || recs[249]["有效期至"] != "2027-08-15" {
			t.Errorf("JSON download: %v %d", err, len(recs))
		}
		resp, _ := http.Get(s.srv.URL + "/api/v1/open/" + id + "/download.xlsx")
		x, err := excelize.OpenReader(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows("Sheet1")
		if len(rows) != 251 || rows[1][0] != "JY000000000001" || rows[1][5] != "1" {
			t.Errorf("XLSX: %d rows, %q", len(rows), rows[1])
		}
		var pkg struct {
			Name      string `json:"name"`
			Resources []struct {
				Path   string `json:"path"`
				Schema struct {
					Fields []struct {
						Name, Type string
					} `json:"fields"`
					PrimaryKey []string `json:"primaryKey"`
				} `json:"schema"`
			} `json:"resources"`
		}
		s.api("GET", "/api/v1/open/"+id+"/datapackage.json", "", nil, &pkg)
		if !strings.HasPrefix(pkg.Name, "gongshu-") || len(pkg.Resources) != 1 || len(pkg.Resources[0].Schema.Fields) != 6 ||
			pkg.Resources[0].Schema.Fields[4].Type != "date" || pkg.Resources[0].Schema.PrimaryKey[0] != "许可证编号" || !strings.HasSuffix(pkg.Resources[0].Path, "/download.csv") {
			t.Errorf("datapackage: %+v", pkg)
		}
		// CKAN: the package lists the resource; datastore_search reads it.
		_, r := s.ckan(t, "package_show", url.Values{"id": {id}})
		if !strings.Contains(string(r.Result), `"datastore_active":true`) {
			t.Errorf("package_show resources: %s", r.Result)
		}
		_, r = s.ckan(t, "datastore_search", url.Values{"resource_id": {id}, "limit": {"2"}, "filters": {`{"从业人数": "3"}`}})
		var ds struct {
			Total   int              `json:"total"`
			Records []map[string]any `json:"records"`
			Fields  []struct{ ID, Type string }
		}
		json.Unmarshal(r.Result, &ds)
		if !r.Success || ds.Total != 7 || len(ds.Records) != 2 || ds.Fields[6].Type != "int" {
			t.Errorf("datastore_search: %s", r.Result)
		}
		// Every read is audited.
		var n int
		s.p.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'access.read' AND object_id = $1`, id).Scan(&n)
		if n < 7 {
			t.Errorf("%d access records", n)
		}
		// The provider's error report of a load with bad rows.
		bad := "许可证编号,经营者名称,统一社会信用代码\nJY1,甲,91530100MA6K00000X\n,乙,\n"
		_, l = s.upload(t, officer, id, "bad.csv", []byte(bad), map[string]string{"mode": "upsert"})
		if l["status"] != "refused" {
			t.Fatalf("bad load: %v", l)
		}
		c := http.Client{}
		req, _ := http.NewRequest("GET", s.srv.URL+"/api/v1/loads/"+l["id"].(string)+"/errors?format=csv", nil)
		req.Header.Set("Authorization", "Bearer "+officer)
		resp, err = c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		report, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(report), "2,统一社会信用代码,91530100MA6K00000X,\"统一社会信用代码无效") || !strings.Contains(string(report), "3,许可证编号,,必填数据项为空") {
			t.Errorf("error report: %s", report)
		}
		// Suspension stops serving at once; resuming restores it.
		admin := s.token("authority.admin")
		if c := s.api("PUT", "/api/v1/datasets/"+id+"/suspension", admin, map[string]string{"reason": "权利人申请撤回"}, nil); c != 200 {
			t.Fatalf("suspend: %d", c)
		}
		for _, path := range []string{"/records", "/download.csv"} {
			if c := s.api("GET", "/api/v1/open/"+id+path, "", nil, nil); c != http.StatusGone {
				t.Errorf("suspended %s: %d", path, c)
			}
		}
		if c := s.api("DELETE", "/api/v1/datasets/"+id+"/suspension", admin, nil, nil); c != 200 {
			t.Fatalf("resume: %d", c)
		}
		if c := s.api("GET", "/api/v1/open/"+id+"/records", "", nil, nil); c != 200 {
			t.Errorf("resumed: %d", c)
		}
		// Another institution cannot see or load the provider's dataset.
		other := s.token("hrss.officer")
		if c, _ := s.upload(t, other, id, "x.csv", loaded, nil); c != http.StatusNotFound {
			t.Errorf("other institution upload: %d", c)
		}
		if c := s.api("GET", "/api/v1/datasets/"+id, other, nil, nil); c != http.StatusNotFound {
			t.Errorf("other institution dataset: %d", c)
		}
		// Downloads are rate-limited per reader.
		limited, served := false, 0
		for i := 0; i < 25 && !limited; i++ {
			limited = s.api("GET", "/api/v1/open/"+id+"/download.json", "", nil, nil) == http.StatusTooManyRequests
			if !limited {
				served++
			}
		}
		if !limited {
			t.Errorf("no download rate limit")
		}
		if served != access.DownloadsPerMin-4 { // four downloads above: each counts once
			t.Errorf("%d downloads served before the limit, want %d", served, access.DownloadsPerMin-4)
		}
	})
}

func TestJiamusiRequiresLoginToDownload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		id := s.openResource(t)
		code, l := s.upload(t, s.token("data.officer"), id, "a.csv", []byte("许可证编号,经营者名称\nJY1,甲\n"), nil)
		if code != http.StatusAccepted || l["status"] != "committed" {
			t.Fatalf("%d %v", code, l)
		}
		if err := s.p.SetProfile(platformtest.As(t, s.p, "authority.admin"), "jiamusi"); err != nil {
			t.Fatal(err)
		}
		var e struct{ Error struct{ Article string } }
		if c := s.api("GET", "/api/v1/open/"+id+"/download.csv", "", nil, &e); c != http.StatusUnauthorized || e.Error.Article != "JMS§17" {
			t.Errorf("anonymous download under JMS§17: %d %+v", c, e)
		}
		if c := s.api("GET", "/api/v1/open/"+id+"/records", s.token("citizen"), nil, nil); c != 200 {
			t.Errorf("logged-in citizen: %d", c)
		}
	})
}

func TestDatasetPagesAsADataOfficerWouldUseThem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		id := s.openResource(t)
		officer := s.client("data.officer")
		// Upload through the page's form: mapping and mode before the file.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("mode", "replace")
		mw.WriteField("mapping", "编号=许可证编号\n备注=-")
		fw, _ := mw.CreateFormFile("file", "许可.csv")
		fw.Write([]byte("编号,经营者名称,备注\nJY1,甲店,无\nJY2,乙店,无\n"))
		mw.Close()
		req, _ := http.NewRequest("POST", s.srv.URL+"/datasets/"+id+"/upload", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", s.srv.URL)
		resp, err := officer.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/loads/") {
			t.Fatalf("upload form: %d %q", resp.StatusCode, loc)
		}
		s.p.Datasets.Wait()
		if code, body := get(t, officer, s.srv.URL+loc); code != 200 || !strings.Contains(body, `id="load-status">已入库`) || !strings.Contains(body, "质量报告") {
			t.Errorf("load page: %d", code)
		}
		// A bad upload shows the reason on the dataset page and loses nothing.
		buf.Reset()
		mw = multipart.NewWriter(&buf)
		fw, _ = mw.CreateFormFile("file", "bad.csv")
		fw.Write([]byte("许可证编号,许可证编号\n"))
		mw.Close()
		req, _ = http.NewRequest("POST", s.srv.URL+"/datasets/"+id+"/upload", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err = officer.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		s.p.Datasets.Wait()
		if code, body := get(t, officer, s.srv.URL+resp.Header.Get("Location")); code != 200 || !strings.Contains(body, "出现了两次") || !strings.Contains(body, "未通过") {
			t.Errorf("bad upload's load page: %d", code)
		}
		// Each current row links to its history.
		if _, body := get(t, officer, s.srv.URL+"/datasets/"+id); !strings.Contains(body, "/provenance?key=JY1") {
			t.Errorf("the dataset page does not link rows to their provenance")
		}
		for _, path := range []string{"/datasets/" + id, "/datasets/" + id + "/provenance?key=JY1", "/datasets/freshness?late=0", "/catalog/" + id} {
			code, body := get(t, officer, s.srv.URL+path)
			if code != 200 || strings.Contains(body, "ds.") {
				t.Errorf("%s: %d (or an untranslated key)", path, code)
			}
			if path == "/datasets/"+id+"/provenance?key=JY1" && !strings.Contains(body, "许可.csv") {
				t.Errorf("provenance page does not name the file")
			}
		}
		// The public sees the masked preview and download links, not the dataset page.
		anon := s.client("")
		if code, body := get(t, anon, s.srv.URL+"/catalog/"+id); code != 200 || !strings.Contains(body, `id="preview"`) || !strings.Contains(body, "乙店") || strings.Contains(body, `id="dataset-link"`) {
			t.Errorf("public resource page: %d", code)
		}
		if code, _ := get(t, anon, s.srv.URL+"/open/"+id+"/download.csv"); code != 200 {
			t.Errorf("public download: %d", code)
		}
		for _, path := range []string{"/datasets/" + id, "/datasets/" + id + "/provenance?key=JY1", "/datasets/" + id + "/provenance"} {
			if code, _ := get(t, s.client("citizen"), s.srv.URL+path); code != http.StatusNotFound {
				t.Errorf("citizen %s: %d", path, code)
			}
		}
	})
}

func TestPushOverHTTPWithAnIdempotencyKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		id := s.openResource(t)
		token := s.token("data.officer")
		var recs []map[string]any
		for i := 0; i < 9000; i++ { // well over the default 1 MiB request body
			recs = append(recs, map[string]any{"许可证编号": fmt.Sprintf("JY%012d", i), "经营者名称": fmt.Sprintf("昆明市第%d号餐饮服务有限公司（连锁门店）", i),
				"从业人数": i % 50, "有效期至": "2027-06-30"})
		}
		body, _ := json.Marshal(map[string]any{"mode": "upsert", "records": recs})
		push := func() (int, map[string]any) {
			req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/datasets/"+id+"/push", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "nightly-2026-11-22")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		if len(body) < 1<<20 {
			t.Fatalf("batch of %d bytes", len(body))
		}
		code, first := push()
		if code != 200 || first["status"] != "committed" || first["rows_loaded"].(float64) != 9000 {
			t.Fatalf("push: %d %v", code, first["message_en"])
		}
		code, again := push()
		if code != 200 || again["id"] != first["id"] {
			t.Errorf("retry: %d, id %v vs %v", code, again["id"], first["id"])
		}
		var page struct{ Total int64 }
		s.api("GET", "/api/v1/open/"+id+"/records?limit=1", "", nil, &page)
		if page.Total != 9000 {
			t.Errorf("%d records after a retried push", page.Total)
		}
	})
}

// A file written by Excel or Python (BOM, CRLF, quoted fields) downloads
// as the same bytes: same content and format as held (QY§23).
func TestDownloadIsTheSameBytesAsTheLoadedFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newSite(t, d, false)
		id := s.openResource(t)
		officer := s.token("data.officer")
		var b strings.Builder
		b.WriteString("\ufeff许可证编号,经营者名称,统一社会信用代码,负责人,有效期至,从业人数\r\n")
		for i := 1; i <= 300; i++ {
			fmt.Fprintf(&b, "JY%06d,\"昆明市第%d餐饮店, 分店\",%s,,2027-01-%02d,%d\r\n", i, i, demo.USCC("92", "530100", i), 1+i%28, i)
		}
		loaded := b.String()
		if code, l := s.upload(t, officer, id, "excel.csv", []byte(loaded), nil); code != http.StatusAccepted || l["status"] != "committed" {
			t.Fatalf("%d %v", code, l["message_en"])
		}
		if _, got := get(t, http.DefaultClient, s.srv.URL+"/api/v1/open/"+id+"/download.csv"); got != loaded {
			t.Errorf("download differs from the loaded file: %q… vs %q…", got[:min(80, len(got))], loaded[:80])
		}
		if _, got := get(t, http.DefaultClient, s.srv.URL+"/api/v1/open/"+id+"/download.csv?bom=0"); got != strings.TrimPrefix(loaded, "\ufeff") {
			t.Errorf("bom=0 keeps the mark")
		}
	})
}

// A file over the limit is refused before it is read, saying the limit.
func TestUploadOverTheLimitIsRefusedUpFront(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) { uploadOverTheLimit(t, d) })
}

func uploadOverTheLimit(t *testing.T, d *db.DB) {
	s := newSite(t, d, false)
	id := s.openResource(t)
	// Announce 2 GB and send nothing: the server answers from the headers.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/datasets/%s/loads?filename=big.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n",
		id, s.token("data.officer"), int64(2)<<30)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct{ Code, Message string }
	}
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Error.Code != "too_large" || !strings.Contains(e.Error.Message, "1024 MB") {
		t.Errorf("%d %+v", resp.StatusCode, e)
	}
}
