package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"gongshu/internal/access"
	"gongshu/internal/apperr"
	"gongshu/internal/dataset"
)

func (h *handler) datasetRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/datasets/freshness", h.datasetFreshness},
		{"GET", "/api/v1/datasets/{id}", h.datasetGet},
		{"GET", "/api/v1/datasets/{id}/loads", h.datasetLoads},
		{"POST", "/api/v1/datasets/{id}/loads", h.datasetUpload},
		{"POST", "/api/v1/datasets/{id}/push", h.datasetPush},
		{"PUT", "/api/v1/datasets/{id}/pull", h.datasetSetPull},
		{"POST", "/api/v1/datasets/{id}/pull", h.datasetPullNow},
		{"PUT", "/api/v1/datasets/{id}/suspension", h.datasetSuspend},
		{"DELETE", "/api/v1/datasets/{id}/suspension", h.datasetResume},
		{"PUT", "/api/v1/datasets/{id}/reject-limit", h.datasetRejectLimit},
		{"GET", "/api/v1/datasets/{id}/rows", h.datasetRows},
		{"GET", "/api/v1/datasets/{id}/provenance", h.datasetProvenance},
		{"GET", "/api/v1/loads/{id}", h.loadGet},
		{"POST", "/api/v1/loads/{id}/cancel", h.loadCancel},
		{"GET", "/api/v1/loads/{id}/errors", h.loadErrors},
		{"GET", "/api/v1/open/{id}/records", h.openRecords},
		{"GET", "/api/v1/open/{id}/download.csv", h.openDownload},
		{"GET", "/api/v1/open/{id}/download.xlsx", h.openDownload},
		{"GET", "/api/v1/open/{id}/download.json", h.openDownload},
		{"GET", "/api/v1/open/{id}/datapackage.json", h.openDataPackage},
	}
}

// MaxPushBytes limits a pushed batch's body.
const MaxPushBytes = 32 << 20

// IsUploadPath reports whether a request may carry a data file (the body
// limit and read deadline are then those of data loads).
func IsUploadPath(path string) bool {
	return (strings.HasPrefix(path, "/api/v1/datasets/") && strings.HasSuffix(path, "/loads")) ||
		(strings.HasPrefix(path, "/datasets/") && strings.HasSuffix(path, "/upload"))
}

func (h *handler) datasetGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.p.Datasets.Loads(r.Context(), id, 1); err != nil { // visibility: the provider, its authority, auditors
		WriteError(w, r, err)
		return
	}
	d, err := h.p.Datasets.Get(r.Context(), id)
	reply(w, r, http.StatusOK, d, err)
}

func (h *handler) datasetLoads(w http.ResponseWriter, r *http.Request) {
	limit, err := intParam(r.URL.Query(), "limit", 1, 500)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ls, err := h.p.Datasets.Loads(r.Context(), r.PathValue("id"), limit)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"loads": nonNil(ls)})
}

// ParseMapping reads a column mapping: lines or semicolons of "表头=数据项".
func ParseMapping(s string) (map[string]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(s, "{") {
		var m map[string]string
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, apperr.New(apperr.Invalid, "列对应应为 JSON 对象或“表头=数据项”的行", `the mapping must be a JSON object or lines of "header=item"`).WithField("mapping")
		}
		return m, nil
	}
	m := map[string]string{}
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ';' || r == '；' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, apperr.Newf(apperr.Invalid, "列对应“%s”应写成“表头=数据项”", "mapping %q must be \"header=item\"", line).WithField("mapping")
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// UploadLoad streams a data file from a request into a load: multipart
// (fields mode, format, mapping before the part "file") or a raw body with
// ?filename=&mode=&mapping=.
func UploadLoad(r *http.Request, ds *dataset.Service, id string) (*dataset.Load, error) {
	opt := dataset.Options{Mode: r.URL.Query().Get("mode"), Format: r.URL.Query().Get("format")}
	mapping := r.URL.Query().Get("mapping")
	name := r.URL.Query().Get("filename")
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body io.Reader = r.Body
	if ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "上传格式错误："+err.Error(), "malformed upload: "+err.Error())
		}
		body = nil
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return nil, err
				}
				return nil, apperr.New(apperr.Invalid, "上传格式错误："+err.Error(), "malformed upload: "+err.Error())
			}
			if part.FormName() == "file" {
				name, body = part.FileName(), part
				break
			}
			v, _ := io.ReadAll(io.LimitReader(part, 64<<10))
			switch part.FormName() {
			case "mode":
				opt.Mode = string(v)
			case "format":
				opt.Format = string(v)
			case "mapping":
				mapping = string(v)
			}
		}
		if body == nil {
			return nil, apperr.New(apperr.Invalid, "缺少上传文件（字段名 file，放在其他字段之后）", "no file uploaded (field file, after the other fields)").WithField("file")
		}
	}
	m, err := ParseMapping(mapping)
	if err != nil {
		return nil, err
	}
	opt.Mapping = m
	if name == "" {
		name = "upload"
	}
	return ds.Upload(r.Context(), id, name, body, opt)
}

func (h *handler) datasetUpload(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	l, err := UploadLoad(r, h.p.Datasets, r.PathValue("id"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/loads/"+l.ID)
	writeJSON(w, http.StatusAccepted, l)
}

func (h *handler) datasetPush(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var b dataset.PushBatch
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = apperr.New(apperr.Invalid, "请求体应为 {\"mode\": ..., \"records\": [{数据项: 值}]}："+err.Error(), `the body must be {"mode": ..., "records": [{item: value}]}: `+err.Error())
		}
		WriteError(w, r, err)
		return
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		b.IdempotencyKey = k
	}
	l, err := h.p.Datasets.Push(r.Context(), r.PathValue("id"), b)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	status := http.StatusOK
	if l.Status != dataset.StatusCommitted {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, l)
}

func (h *handler) datasetSetPull(w http.ResponseWriter, r *http.Request) {
	var c dataset.PullConfig
	if err := decode(r, &c); err != nil {
		WriteError(w, r, err)
		return
	}
	d, err := h.p.Datasets.SetPull(r.Context(), r.PathValue("id"), c)
	reply(w, r, http.StatusOK, d, err)
}

func (h *handler) datasetPullNow(w http.ResponseWriter, r *http.Request) {
	l, err := h.p.Datasets.PullNow(r.Context(), r.PathValue("id"))
	reply(w, r, http.StatusAccepted, l, err)
}

func (h *handler) datasetSuspend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	if strings.TrimSpace(in.Reason) == "" {
		WriteError(w, r, apperr.New(apperr.Invalid, "请写明暂停原因", "give the reason for the suspension").WithField("reason"))
		return
	}
	d, err := h.p.Datasets.Suspend(r.Context(), r.PathValue("id"), in.Reason)
	reply(w, r, http.StatusOK, d, err)
}

func (h *handler) datasetResume(w http.ResponseWriter, r *http.Request) {
	d, err := h.p.Datasets.Suspend(r.Context(), r.PathValue("id"), "")
	reply(w, r, http.StatusOK, d, err)
}

func (h *handler) datasetRejectLimit(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Permille int `json:"reject_limit_permille"`
	}
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	d, err := h.p.Datasets.SetRejectLimit(r.Context(), r.PathValue("id"), in.Permille)
	reply(w, r, http.StatusOK, d, err)
}

func (h *handler) datasetFreshness(w http.ResponseWriter, r *http.Request) {
	list, err := h.p.Datasets.Freshness(r.Context(), r.URL.Query().Get("late") == "true")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"resources": nonNil(list)})
}

// OpenRequest reads the paging, fields and filters of a records request.
func OpenRequest(r *http.Request, id string, purpose access.Purpose) (access.Request, error) {
	q := r.URL.Query()
	req := access.Request{ResourceID: id, Purpose: purpose, ClientIP: clientIP(r)}
	limit, err := intParam(q, "limit", 1, access.MaxAPIRows)
	if err != nil {
		return req, err
	}
	offset, err := intParam(q, "offset", 0, 1<<40)
	if err != nil {
		return req, err
	}
	req.Limit, req.Offset = limit, int64(offset)
	if req.Limit == 0 && purpose == access.OpenAPI {
		req.Limit = 100
	}
	if f := q.Get("fields"); f != "" {
		req.Items = strings.Split(f, ",")
	}
	for _, f := range q["filter"] {
		k, v, ok := strings.Cut(f, ":")
		if !ok {
			return req, apperr.New(apperr.Invalid, "筛选条件应写成 filter=数据项:值", "filters are filter=item:value").WithField("filter")
		}
		req.Filters = append(req.Filters, dataset.Filter{Item: k, Value: v})
	}
	return req, nil
}

func clientIP(r *http.Request) string {
	if a := r.RemoteAddr; a != "" {
		if i := strings.LastIndex(a, ":"); i > 0 {
			return a[:i]
		}
		return a
	}
	return ""
}

func (h *handler) openRecords(w http.ResponseWriter, r *http.Request) {
	req, err := OpenRequest(r, r.PathValue("id"), access.OpenAPI)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	dec, total, records, err := ReadRecords(r.Context(), h.p.Door, req)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	fields := make([]map[string]string, len(dec.Columns))
	for i, c := range dec.Columns {
		fields[i] = map[string]string{"name": c.Item, "type": c.DataType}
	}
	out := map[string]any{"resource_id": dec.Resource.ID, "revision": dec.Dataset.Seq, "fields": fields, "total": total,
		"offset": req.Offset, "limit": req.Limit, "records": nonNil(records)}
	if next := req.Offset + int64(len(records)); next < total {
		u := *r.URL
		q := u.Query()
		q.Set("offset", strconv.FormatInt(next, 10))
		u.RawQuery = q.Encode()
		out["next"] = u.RequestURI()
	}
	writeJSON(w, http.StatusOK, out)
}

// ReadRecords reads a request's rows through the door, each as item → value.
func ReadRecords(ctx context.Context, door *access.Door, req access.Request) (*access.Decision, int64, []map[string]string, error) {
	var rows [][]string
	dec, total, err := door.Read(ctx, req, func(v []string) error { rows = append(rows, append([]string(nil), v...)); return nil })
	if err != nil {
		return nil, 0, nil, err
	}
	records := make([]map[string]string, len(rows))
	for i, v := range rows {
		rec := make(map[string]string, len(v))
		for j, x := range v {
			rec[dec.Columns[j].Item] = x
		}
		records[i] = rec
	}
	return dec, total, records, nil
}

// ContentDisposition names a download, with an ASCII fallback.
func ContentDisposition(ascii, name string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// WriteDownload streams a whole open dataset in a format (csv, xlsx, json)
// through the door: the same content and format as held (QY§23).
//
// A CSV is written in the style of the file that made the dataset (line
// endings, byte order mark); bom forces the mark on ("1") or off ("0").
func WriteDownload(w http.ResponseWriter, r *http.Request, door *access.Door, id, format, bomParam string) error {
	if format != "csv" && format != "json" && format != "xlsx" {
		return apperr.ErrNotFound()
	}
	// One decision for the whole download (it counts once against the rate
	// limit): the headers and the file's first line are written when it is made.
	req := access.Request{ResourceID: id, Purpose: access.OpenDownload, ClientIP: clientIP(r)}
	var header []string
	var disposition string
	var started bool
	start := func(ctype string) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", disposition)
		w.Header().Set("Cache-Control", "no-store")
		started = true
	}
	begin := func(dec *access.Decision, ctype string) {
		header = make([]string, len(dec.Columns))
		for i, c := range dec.Columns {
			header[i] = c.Item
		}
		base := strings.ReplaceAll(dec.Resource.Code, "/", "-")
		disposition = ContentDisposition(base+"."+format, dec.Resource.Entry.Name+"."+format)
		if ctype != "" {
			start(ctype)
		}
	}
	var err error
	switch format {
	case "csv":
		bw := bufio.NewWriterSize(w, 64<<10)
		cw := csv.NewWriter(bw)
		_, _, err = door.Read(r.Context(), req, func(v []string) error { return cw.Write(v) }, access.OnDecision(func(dec *access.Decision) {
			style := dec.Dataset.CSVStyle
			bom := strings.Contains(style, "bom")
			switch bomParam {
			case "1":
				bom = true
			case "0":
				bom = false
			}
			cw.UseCRLF = strings.Contains(style, "crlf")
			begin(dec, "text/csv; charset=utf-8")
			if bom {
				bw.WriteString("\ufeff")
			}
			cw.Write(header)
		}))
		cw.Flush()
		bw.Flush()
	case "json":
		bw := bufio.NewWriterSize(w, 64<<10)
		n := 0
		_, _, err = door.Read(r.Context(), req, func(v []string) error {
			rec := make(map[string]string, len(v))
			for i, x := range v {
				rec[header[i]] = x
			}
			b, _ := json.Marshal(rec)
			if n > 0 {
				bw.WriteString(",\n")
			}
			n++
			_, err := bw.Write(b)
			return err
		}, access.OnDecision(func(dec *access.Decision) { begin(dec, "application/json; charset=utf-8"); bw.WriteString("[\n") }))
		if started {
			bw.WriteString("\n]\n")
		}
		bw.Flush()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sw, serr := f.NewStreamWriter("Sheet1")
		if serr != nil {
			return serr
		}
		row := 1
		var cells []any
		_, _, err = door.Read(r.Context(), req, func(v []string) error {
			row++
			if row > 1048576 {
				return apperr.New(apperr.TooLarge, "数据超过 Excel 的 1048576 行上限：请下载 CSV", "the data exceeds Excel's 1,048,576 rows: download CSV")
			}
			for i, x := range v {
				cells[i] = x // text as held: no guessing of numbers or dates
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			return sw.SetRow(cell, cells)
		}, access.OnDecision(func(dec *access.Decision) {
			begin(dec, "") // the headers go out once the workbook is complete
			hdr := make([]any, len(header))
			for i, x := range header {
				hdr[i] = x
			}
			sw.SetRow("A1", hdr)
			cells = make([]any, len(header))
		}))
		if err == nil {
			if err := sw.Flush(); err != nil {
				return err
			}
			start("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			err = f.Write(w)
		}
	}
	if err != nil && started {
		return nil // the response has begun: the client sees a cut download
	}
	return err
}

func (h *handler) openDownload(w http.ResponseWriter, r *http.Request) {
	format := strings.TrimPrefix(r.URL.Path[strings.LastIndex(r.URL.Path, "."):], ".")
	if err := WriteDownload(w, r, h.p.Door, r.PathValue("id"), format, r.URL.Query().Get("bom")); err != nil {
		WriteError(w, r, err)
	}
}

// frictionlessType maps catalog data types to Table Schema types.
var frictionlessType = map[string]string{"string": "string", "integer": "integer", "decimal": "number", "date": "date", "datetime": "datetime", "boolean": "boolean"}

// DataPackage is the Frictionless Data Package descriptor of an open resource.
func DataPackage(base string, dec *access.Decision) map[string]any {
	res, e := dec.Resource, dec.Resource.Entry
	fields := make([]map[string]any, 0, len(dec.Items))
	var key []string
	for _, it := range dec.Items {
		f := map[string]any{"name": it.Name, "type": frictionlessType[it.DataType]}
		if it.Description != "" {
			f["description"] = it.Description
		}
		switch it.DataType {
		case "datetime":
			f["format"] = "%Y-%m-%d %H:%M:%S"
		case "boolean":
			f["trueValues"], f["falseValues"] = []string{"true"}, []string{"false"}
		}
		cons := map[string]any{}
		if it.Required || it.Key {
			cons["required"] = true
		}
		if it.DataType == "string" && it.Length > 0 {
			cons["maxLength"] = it.Length
		}
		if len(it.Enum) > 0 {
			cons["enum"] = it.Enum
		}
		if len(cons) > 0 {
			f["constraints"] = cons
		}
		fields = append(fields, f)
		if it.Key {
			key = append(key, it.Name)
		}
	}
	schema := map[string]any{"fields": fields, "missingValues": []string{""}}
	if len(key) > 0 {
		schema["primaryKey"] = key
	}
	name := "gongshu-" + strings.ToLower(strings.ReplaceAll(res.Code, "/", "-"))
	pkg := map[string]any{
		"profile": "tabular-data-package", "name": name, "id": base + "/catalog/" + res.ID, "title": e.Name, "description": e.Summary,
		"version": fmt.Sprintf("1.0.%d", dec.Dataset.Seq), "homepage": base + "/catalog/" + res.ID,
		"sources":  []map[string]string{{"title": res.ProviderName, "path": base + "/catalog/" + res.ID}},
		"keywords": nonNil(e.Tags),
		"resources": []map[string]any{{"profile": "tabular-data-resource", "name": "data", "title": e.Name,
			"path": base + "/api/v1/open/" + res.ID + "/download.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
			"schema": schema}},
	}
	if dec.Dataset.LastCommitAt != nil {
		pkg["created"] = dec.Dataset.LastCommitAt.Format(time.RFC3339)
	}
	if e.Licence != "" {
		pkg["licenses"] = []map[string]string{{"name": licenceName(e.Licence), "title": e.Licence}}
	}
	return pkg
}

func licenceName(l string) string {
	if id, ok := map[string]string{"CC BY 4.0": "CC-BY-4.0", "CC0": "CC0-1.0"}[l]; ok {
		return id
	}
	return "other-open"
}

// BaseURL is the deployment's public address for absolute links.
func BaseURL(r *http.Request, public string) string {
	if public != "" {
		return strings.TrimSuffix(public, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *handler) openDataPackage(w http.ResponseWriter, r *http.Request) {
	dec, err := h.p.Door.Decide(r.Context(), access.Request{ResourceID: r.PathValue("id"), Purpose: access.OpenPreview})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DataPackage(BaseURL(r, h.o.PublicURL), dec))
}

func (h *handler) datasetRows(w http.ResponseWriter, r *http.Request) {
	req, err := OpenRequest(r, r.PathValue("id"), access.ProviderView)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var rows [][]string
	dec, total, err := h.p.Door.Read(r.Context(), req, func(v []string) error { rows = append(rows, append([]string(nil), v...)); return nil })
	if err != nil {
		WriteError(w, r, err)
		return
	}
	names := make([]string, len(dec.Columns))
	for i, c := range dec.Columns {
		names[i] = c.Item
	}
	writeJSON(w, http.StatusOK, map[string]any{"fields": names, "rows": nonNil(rows), "total": total, "revision": dec.Dataset.Seq})
}

func (h *handler) datasetProvenance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := access.Request{ResourceID: r.PathValue("id"), Key: strings.Join(q["key"], "\x1f")}
	if req.Key == "" {
		row, err := intParam(q, "row", 1, 1<<40)
		if err != nil || row == 0 {
			WriteError(w, r, apperr.New(apperr.Invalid, "请给出记录的主键值（key，可重复）或行号（row）", "give the record's key values (key, repeatable) or its row id (row)").WithField("key"))
			return
		}
		req.Row = int64(row)
	}
	dec, versions, err := h.p.Door.History(r.Context(), req)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	names := make([]string, len(dec.Columns))
	for i, c := range dec.Columns {
		names[i] = c.Item
	}
	writeJSON(w, http.StatusOK, map[string]any{"fields": names, "versions": versions})
}

func (h *handler) loadGet(w http.ResponseWriter, r *http.Request) {
	l, err := h.p.Datasets.GetLoad(r.Context(), r.PathValue("id"))
	reply(w, r, http.StatusOK, l, err)
}

func (h *handler) loadCancel(w http.ResponseWriter, r *http.Request) {
	l, err := h.p.Datasets.Cancel(r.Context(), r.PathValue("id"))
	reply(w, r, http.StatusOK, l, err)
}

// WriteLoadErrors sends a load's error report as CSV (UTF-8 with BOM, for
// Excel) or XLSX.
func WriteLoadErrors(w http.ResponseWriter, errs []dataset.LoadError, id, format string) {
	header := []string{"行号", "数据项", "值", "原因", "reason"}
	if format == "xlsx" {
		f := excelize.NewFile()
		defer f.Close()
		rows := [][]string{header}
		for _, e := range errs {
			rows = append(rows, []string{strconv.FormatInt(e.Line, 10), e.Item, e.Value, e.Reason, e.ReasonEN})
		}
		for i, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			vals := make([]any, len(row))
			for j, v := range row {
				vals[j] = v
			}
			f.SetSheetRow("Sheet1", cell, &vals)
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", ContentDisposition("errors-"+id+".xlsx", "错误报告-"+id+".xlsx"))
		f.Write(w)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", ContentDisposition("errors-"+id+".csv", "错误报告-"+id+".csv"))
	io.WriteString(w, "\ufeff")
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, e := range errs {
		cw.Write([]string{strconv.FormatInt(e.Line, 10), e.Item, e.Value, e.Reason, e.ReasonEN})
	}
	cw.Flush()
}

func (h *handler) loadErrors(w http.ResponseWriter, r *http.Request) {
	format, err := oneOf(r.URL.Query(), "format", "json", "csv", "xlsx")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	errs, err := h.p.Datasets.Errors(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if format == "csv" || format == "xlsx" {
		WriteLoadErrors(w, errs, r.PathValue("id"), format)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"errors": nonNil(errs)})
}

// reply writes v, or err when there is one.
func reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}
