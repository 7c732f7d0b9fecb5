package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gongshu/internal/access"
	"gongshu/internal/apperr"
	"gongshu/internal/catalog"
	"gongshu/internal/dataset"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
)

// CKAN Action API subset (/api/3/action/...) over the open catalog, so that
// tools written for CKAN (ckanapi, harvesters, portals) read our catalog.
// Packages are catalog resources (named by id), organizations are providers,
// groups are the base and thematic libraries.

type ckan struct{ p *platform.Platform }

// RegisterCKAN mounts the CKAN-compatible actions.
func RegisterCKAN(mux *http.ServeMux, p *platform.Platform) {
	c := &ckan{p: p}
	for name, fn := range map[string]func(*http.Request) (any, error){
		"status_show": c.statusShow, "package_list": c.packageList, "package_search": c.packageSearch, "package_show": c.packageShow,
		"organization_list": c.organizationList, "organization_show": c.organizationShow, "group_list": c.groupList, "tag_list": c.tagList,
		"datastore_search": c.datastoreSearch,
	} {
		name, fn := name, fn
		h := func(w http.ResponseWriter, r *http.Request) { c.serve(w, r, name, fn) }
		mux.HandleFunc("GET /api/3/action/"+name, h)
		mux.HandleFunc("POST /api/3/action/"+name, h)
	}
	mux.HandleFunc("/api/3/action/{name}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"help": helpURL(r, r.PathValue("name")), "success": false,
			"error": map[string]string{"__type": "Bad request", "message": "Bad request - Action name not known: " + r.PathValue("name")}})
	})
}

func helpURL(r *http.Request, name string) string {
	return "/api/3/action/help_show?name=" + name
}

// params merges the query string and a JSON body (CKAN accepts both).
func params(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, apperr.New(apperr.Invalid, "请求体不是 JSON 对象", "request body is not a JSON object")
		}
		for k, v := range body {
			switch x := v.(type) {
			case string:
				out[k] = x
			default:
				b, _ := json.Marshal(x)
				out[k] = string(b)
			}
		}
	}
	return out, nil
}

func (c *ckan) serve(w http.ResponseWriter, r *http.Request, name string, fn func(*http.Request) (any, error)) {
	res, err := fn(r)
	help := helpURL(r, name)
	if err != nil {
		status, typ := http.StatusInternalServerError, "Internal Error"
		msg := "Internal error"
		if e := apperr.As(err); e != nil {
			msg = e.MessageEN + " / " + e.Message
			switch e.Code {
			case apperr.NotFound:
				status, typ = http.StatusNotFound, "Not Found Error"
			case apperr.Invalid:
				status, typ = http.StatusConflict, "Validation Error"
			case apperr.Forbidden, apperr.Unauthorized:
				status, typ = http.StatusForbidden, "Authorization Error"
			case apperr.Unavailable:
				status, typ = http.StatusGone, "Not Found Error"
			case apperr.Throttled:
				status, typ = http.StatusTooManyRequests, "Rate Limit Error"
			}
		}
		writeJSON(w, status, map[string]any{"help": help, "success": false, "error": map[string]string{"__type": typ, "message": msg}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"help": help, "success": true, "result": res})
}

func (c *ckan) statusShow(r *http.Request) (any, error) {
	return map[string]any{"ckan_version": "2.10.0", "site_title": "公数 · 公共数据平台 / Gongshu", "site_description": "Public data catalog",
		"site_url": "", "locale_default": "zh_Hans_CN", "extensions": []string{"gongshu"}}, nil
}

// ckanQuery maps CKAN's q, fq, sort, rows and start onto a catalog query.
func ckanQuery(p map[string]string) (catalog.Query, error) {
	q := catalog.Query{Q: strings.TrimSpace(p["q"])}
	if q.Q == "*:*" {
		q.Q = ""
	}
	bad := func(field, msg string) error {
		return apperr.New(apperr.Invalid, msg, msg).WithField(field)
	}
	rows, start := 10, 0
	var err error
	if v := p["rows"]; v != "" {
		if rows, err = strconv.Atoi(v); err != nil || rows < 0 || rows > 1000 {
			return q, bad("rows", "rows must be an integer from 0 to 1000")
		}
	}
	if v := p["start"]; v != "" {
		if start, err = strconv.Atoi(v); err != nil || start < 0 {
			return q, bad("start", "start must be a non-negative integer")
		}
	}
	q.Limit, q.Offset = max(rows, 1), start
	switch s := strings.ToLower(strings.TrimSpace(p["sort"])); {
	case s == "", strings.HasPrefix(s, "score"):
	case strings.HasPrefix(s, "metadata_modified"):
		q.Sort = "updated"
	case strings.HasPrefix(s, "title_string"), strings.HasPrefix(s, "name"):
		q.Sort = "name"
	default:
		return q, bad("sort", "sort must be score desc, metadata_modified desc, title_string asc or name asc")
	}
	for _, clause := range splitFQ(p["fq"]) {
		field, value, ok := strings.Cut(clause, ":")
		if !ok {
			return q, bad("fq", "fq clauses must look like field:value")
		}
		value = strings.Trim(value, `"`)
		switch strings.TrimPrefix(field, "+") {
		case "organization", "owner_org":
			q.Provider = value
		case "groups":
			q.Theme = groupTitle(value)
		case "tags":
			q.Tag = value
		case "res_format":
			q.Format = strings.ToLower(value)
		case "library":
			q.Library = catalog.Library(value)
		case "share_type":
			q.ShareType = catalog.ShareType(value)
		case "open_type":
			q.OpenType = catalog.OpenType(value)
		case "update_frequency":
			q.Frequency = catalog.Frequency(value)
		case "level":
			q.Level = catalog.Level(value)
		default:
			return q, bad("fq", "fq field not supported: "+field)
		}
	}
	return q, nil
}

// splitFQ splits "a:1 +b:\"x y\"" into clauses, keeping quoted values whole.
func splitFQ(fq string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range fq {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case (r == ' ' || r == '\t') && !quoted:
			if s := strings.TrimSpace(cur.String()); s != "" && s != "AND" {
				out = append(out, s)
			}
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// groups are the base databases and themes, named theme-NN / base-NN.
func groupName(title string) string {
	if i := slices.Index(catalog.BaseDatabases, title); i >= 0 {
		return "base-" + strconv.Itoa(i+1)
	}
	if i := slices.Index(catalog.Themes, title); i >= 0 {
		return "theme-" + strconv.Itoa(i+1)
	}
	return title
}

func groupTitle(name string) string {
	for prefix, list := range map[string][]string{"base-": catalog.BaseDatabases, "theme-": catalog.Themes} {
		if n, err := strconv.Atoi(strings.TrimPrefix(name, prefix)); err == nil && strings.HasPrefix(name, prefix) && n >= 1 && n <= len(list) {
			return list[n-1]
		}
	}
	return name
}

var licenceIDs = map[string]string{"CC BY 4.0": "cc-by-4.0", "CC0": "cc-zero"}

func (c *ckan) pkg(r *http.Request, res *catalog.Resource) map[string]any {
	e := res.Entry
	tags := []map[string]string{}
	for _, t := range e.Tags {
		tags = append(tags, map[string]string{"name": t, "display_name": t})
	}
	groups := []map[string]string{}
	for _, g := range append(append([]string{}, e.BaseDatabase), e.Themes...) {
		if g != "" {
			groups = append(groups, map[string]string{"name": groupName(g), "title": g, "display_name": g})
		}
	}
	extras := []map[string]string{}
	for _, kv := range [][2]string{{"resource_code", res.Code}, {"library", string(e.Library)}, {"share_type", string(e.ShareType)},
		{"open_type", string(e.OpenType)}, {"update_frequency", string(e.UpdateFrequency)}, {"level", string(e.Level)},
		{"spatial_coverage", e.SpatialCoverage}, {"temporal_coverage", e.TemporalCoverage}} {
		if kv[1] != "" {
			extras = append(extras, map[string]string{"key": kv[0], "value": kv[1]})
		}
	}
	org, _ := c.p.Identity.GetOrg(r.Context(), res.ProviderOrgID)
	orgDict := map[string]any{"id": res.ProviderOrgID, "name": res.ProviderOrgID, "title": res.ProviderName, "type": "organization", "is_organization": true}
	if org != nil {
		orgDict["description"] = org.NameEN
	}
	return map[string]any{"id": res.ID, "name": res.ID, "title": e.Name, "notes": e.Summary, "type": "dataset", "state": "active", "private": false,
		"license_id": licenceIDs[e.Licence], "license_title": e.Licence, "maintainer": e.ProvidingDept, "maintainer_email": "", "author": res.ProviderName,
		"url": "/catalog/" + res.ID, "version": strconv.Itoa(res.Version), "metadata_modified": res.UpdatedAt.Format("2006-01-02T15:04:05.000000"),
		"metadata_created": res.UpdatedAt.Format("2006-01-02T15:04:05.000000"), "owner_org": res.ProviderOrgID, "organization": orgDict,
		"tags": tags, "num_tags": len(tags), "groups": groups, "extras": extras, "resources": c.resources(r, res), "num_resources": 0}
}

// resources lists the downloadable data of an unconditionally open package.
func (c *ckan) resources(r *http.Request, res *catalog.Resource) []any {
	if res.Entry.OpenType != catalog.OpenUnconditional {
		return []any{}
	}
	d, err := c.p.Datasets.Get(r.Context(), res.ID)
	if err != nil || d.Seq == 0 || d.SuspendedReason != "" {
		return []any{}
	}
	modified := res.UpdatedAt
	if d.LastCommitAt != nil {
		modified = *d.LastCommitAt
	}
	return []any{map[string]any{"id": res.ID, "package_id": res.ID, "name": res.Entry.Name, "format": "CSV", "mimetype": "text/csv",
		"url": "/api/v1/open/" + res.ID + "/download.csv", "datastore_active": true, "state": "active", "position": 0,
		"last_modified": modified.Format("2006-01-02T15:04:05.000000"), "description": res.Entry.Summary}}
}

var ckanTypes = map[string]string{"string": "text", "integer": "int", "decimal": "numeric", "date": "date", "datetime": "timestamp", "boolean": "bool"}

// datastoreSearch serves an open resource's records in CKAN's datastore shape.
func (c *ckan) datastoreSearch(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	id := p["resource_id"]
	if id == "" {
		id = p["id"]
	}
	if id == "" {
		return nil, apperr.New(apperr.Invalid, "Missing value: resource_id", "Missing value: resource_id").WithField("resource_id")
	}
	req := access.Request{ResourceID: id, Purpose: access.OpenAPI, ClientIP: clientIP(r), Limit: 100}
	for _, k := range []string{"limit", "offset"} {
		if p[k] == "" {
			continue
		}
		n, err := strconv.Atoi(p[k])
		if err != nil || n < 0 || (k == "limit" && n > access.MaxAPIRows) {
			return nil, apperr.Newf(apperr.Invalid, "%s 应为 0 到 %d 的整数", "%s must be an integer from 0 to %d", k, access.MaxAPIRows).WithField(k)
		}
		if k == "limit" {
			req.Limit = n
		} else {
			req.Offset = int64(n)
		}
	}
	if p["filters"] != "" {
		var f map[string]any
		if err := json.Unmarshal([]byte(p["filters"]), &f); err != nil {
			return nil, apperr.New(apperr.Invalid, "filters 应为 JSON 对象", "filters must be a JSON object").WithField("filters")
		}
		for k, v := range f {
			req.Filters = append(req.Filters, dataset.Filter{Item: k, Value: fmt.Sprint(v)})
		}
	}
	if p["fields"] != "" {
		req.Items = strings.Split(p["fields"], ",")
	}
	if p["q"] != "" || p["sort"] != "" {
		return nil, apperr.New(apperr.Invalid, "暂不支持 q 和 sort 参数：请用 filters 精确筛选", "q and sort are not supported: use filters").WithField("q")
	}
	dec, total, rows, err := ReadRecords(r.Context(), c.p.Door, req)
	if err != nil {
		return nil, err
	}
	records := make([]map[string]any, len(rows))
	for i, row := range rows {
		rec := map[string]any{"_id": req.Offset + int64(i) + 1}
		for k, v := range row {
			rec[k] = v
		}
		records[i] = rec
	}
	fields := []map[string]string{{"id": "_id", "type": "int"}}
	for _, col := range dec.Columns {
		fields = append(fields, map[string]string{"id": col.Item, "type": ckanTypes[col.DataType]})
	}
	base := "/api/3/action/datastore_search?resource_id=" + id
	links := map[string]string{"start": base}
	if next := req.Offset + int64(len(records)); next < total {
		links["next"] = fmt.Sprintf("%s&offset=%d&limit=%d", base, next, req.Limit)
	}
	return map[string]any{"resource_id": id, "fields": fields, "records": records, "total": total, "limit": req.Limit,
		"offset": req.Offset, "_links": links}, nil
}

func (c *ckan) packageList(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	q, err := ckanQuery(map[string]string{"rows": orDefault(p["limit"], "1000"), "start": p["offset"], "sort": "name asc"})
	if err != nil {
		return nil, err
	}
	res, err := c.p.Catalog.Search(anonymous(r).Context(), q)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, h := range res.Hits {
		names = append(names, h.ID)
	}
	return names, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// anonymous reads the open catalog whoever asks: CKAN clients see what the public sees.
func anonymous(r *http.Request) *http.Request {
	return r.WithContext(identity.WithActor(r.Context(), nil))
}

var ckanFacetFields = map[string]string{"organization": "provider", "groups": "theme", "tags": "tag", "res_format": "format",
	"library": "library", "share_type": "share_type", "open_type": "open_type", "update_frequency": "update_frequency", "level": "level"}

func (c *ckan) packageSearch(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	q, err := ckanQuery(p)
	if err != nil {
		return nil, err
	}
	ar := anonymous(r)
	res, err := c.p.Catalog.Search(ar.Context(), q)
	if err != nil {
		return nil, err
	}
	results := []any{}
	if p["rows"] != "0" {
		for _, h := range res.Hits {
			full, err := c.p.Catalog.Get(ar.Context(), h.ID, 0)
			if err != nil {
				return nil, err
			}
			results = append(results, c.pkg(r, full))
		}
	}
	var fields []string
	if v := p["facet.field"]; v != "" {
		if err := json.Unmarshal([]byte(v), &fields); err != nil {
			return nil, apperr.New(apperr.Invalid, "facet.field must be a JSON list such as [\"organization\",\"tags\"]", "facet.field must be a JSON list such as [\"organization\",\"tags\"]").WithField("facet.field")
		}
	}
	facets, searchFacets := map[string]map[string]int{}, map[string]any{}
	for _, f := range fields {
		ours, ok := ckanFacetFields[f]
		if !ok {
			return nil, apperr.New(apperr.Invalid, "facet.field not supported: "+f, "facet.field not supported: "+f).WithField("facet.field")
		}
		counts, items := map[string]int{}, []map[string]any{}
		for _, v := range res.Facets[ours] {
			name, display := v.Value, v.Value
			if v.Label != "" {
				display = v.Label
			}
			if f == "groups" {
				name = groupName(v.Value)
			}
			counts[name] = v.Count
			items = append(items, map[string]any{"name": name, "display_name": display, "count": v.Count})
		}
		facets[f] = counts
		searchFacets[f] = map[string]any{"title": f, "items": items}
	}
	return map[string]any{"count": res.Total, "results": results, "facets": facets, "search_facets": searchFacets, "sort": orDefault(p["sort"], "score desc, metadata_modified desc")}, nil
}

func (c *ckan) packageShow(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	if p["id"] == "" {
		return nil, apperr.New(apperr.Invalid, "Missing value: id", "Missing value: id").WithField("id")
	}
	ar := anonymous(r)
	res, err := c.p.Catalog.Get(ar.Context(), p["id"], 0)
	if err != nil {
		return nil, err
	}
	return c.pkg(r, res), nil
}

func (c *ckan) orgDicts(r *http.Request) ([]map[string]any, error) {
	res, err := c.p.Catalog.Search(anonymous(r).Context(), catalog.Query{Limit: 1})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, f := range res.Facets["provider"] {
		counts[f.Value] = f.Count
	}
	var out []map[string]any
	for _, t := range []identity.OrgType{identity.OrgInstitution, identity.OrgUtility} {
		orgs, err := c.p.Identity.ListOrgs(r.Context(), identity.OrgFilter{Type: t})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			out = append(out, map[string]any{"id": o.ID, "name": o.ID, "title": o.Name, "display_name": o.Name, "description": o.NameEN,
				"type": "organization", "is_organization": true, "state": "active", "package_count": counts[o.ID]})
		}
	}
	return out, nil
}

func (c *ckan) organizationList(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	orgs, err := c.orgDicts(r)
	if err != nil {
		return nil, err
	}
	if p["all_fields"] == "true" || p["all_fields"] == "True" {
		return orgs, nil
	}
	names := []string{}
	for _, o := range orgs {
		names = append(names, o["name"].(string))
	}
	return names, nil
}

func (c *ckan) organizationShow(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	orgs, err := c.orgDicts(r)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o["id"] == p["id"] || o["title"] == p["id"] {
			if p["include_datasets"] == "true" {
				list, err := c.packageSearch(withQuery(r, map[string]string{"fq": "organization:" + o["id"].(string), "rows": "1000"}))
				if err != nil {
					return nil, err
				}
				o["packages"] = list.(map[string]any)["results"]
			}
			return o, nil
		}
	}
	return nil, apperr.ErrNotFound()
}

func withQuery(r *http.Request, q map[string]string) *http.Request {
	r2 := r.Clone(r.Context())
	v := r2.URL.Query()
	for k, x := range q {
		v.Set(k, x)
	}
	r2.URL.RawQuery = v.Encode()
	r2.Method = http.MethodGet
	return r2
}

func (c *ckan) groupList(r *http.Request) (any, error) {
	p, err := params(r)
	if err != nil {
		return nil, err
	}
	res, err := c.p.Catalog.Search(anonymous(r).Context(), catalog.Query{Limit: 1})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, f := range res.Facets["theme"] {
		counts[f.Value] = f.Count
	}
	var names []string
	var dicts []map[string]any
	for _, t := range append(append([]string{}, catalog.BaseDatabases...), catalog.Themes...) {
		names = append(names, groupName(t))
		dicts = append(dicts, map[string]any{"id": groupName(t), "name": groupName(t), "title": t, "display_name": t,
			"type": "group", "is_organization": false, "package_count": counts[t]})
	}
	if p["all_fields"] == "true" || p["all_fields"] == "True" {
		return dicts, nil
	}
	return names, nil
}

func (c *ckan) tagList(r *http.Request) (any, error) {
	res, err := c.p.Catalog.Search(anonymous(r).Context(), catalog.Query{Limit: 1})
	if err != nil {
		return nil, err
	}
	tags := []string{}
	for _, f := range res.Facets["tag"] {
		tags = append(tags, f.Value)
	}
	slices.Sort(tags)
	return tags, nil
}
