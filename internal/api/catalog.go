package api

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"gongshu/internal/apperr"
	"gongshu/internal/catalog"
)

func (h *handler) catalogRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/catalog", h.catalogSearch},
		{"POST", "/api/v1/catalog", h.catalogCreate},
		{"GET", "/api/v1/catalog/drafts", h.catalogDrafts},
		{"POST", "/api/v1/catalog/import", h.catalogImport},
		{"POST", "/api/v1/catalog/update-cases", h.catalogRequireUpdate},
		{"POST", "/api/v1/catalog/recheck", h.catalogRecheck},
		{"GET", "/api/v1/catalog/quality", h.catalogQuality},
		{"GET", "/api/v1/catalog/export.xlsx", h.catalogExport},
		{"GET", "/api/v1/catalog/template.xlsx", h.catalogTemplate},
		{"GET", "/api/v1/catalog/{id}", h.catalogGet},
		{"PUT", "/api/v1/catalog/{id}", h.catalogUpdate},
		{"POST", "/api/v1/catalog/{id}/submit", h.catalogSubmit},
		{"GET", "/api/v1/catalog/{id}/versions", h.catalogVersions},
	}
}

// CatalogQuery reads a catalog search from URL parameters, refusing bad values.
func CatalogQuery(q url.Values) (catalog.Query, error) {
	limit, err := intParam(q, "limit", 1, 100)
	if err != nil {
		return catalog.Query{}, err
	}
	offset, err := intParam(q, "offset", 0, 1<<30)
	if err != nil {
		return catalog.Query{}, err
	}
	checks := map[string][]string{
		"library": {"base", "thematic", "department"}, "share_type": {"unconditional", "conditional", "none"},
		"open_type": {"unconditional", "conditional", "none"}, "level": {"core", "important", "general"},
		"sort": {"relevance", "updated", "name"},
	}
	for _, f := range catalog.Frequencies {
		checks["update_frequency"] = append(checks["update_frequency"], string(f))
	}
	for name, allowed := range checks {
		if _, err := oneOf(q, name, allowed...); err != nil {
			return catalog.Query{}, err
		}
	}
	return catalog.Query{Q: q.Get("q"), Provider: q.Get("provider"), Region: q.Get("region"), Library: catalog.Library(q.Get("library")),
		Theme: q.Get("theme"), ShareType: catalog.ShareType(q.Get("share_type")), OpenType: catalog.OpenType(q.Get("open_type")),
		Format: q.Get("format"), Frequency: catalog.Frequency(q.Get("update_frequency")), Level: catalog.Level(q.Get("level")),
		Sort: q.Get("sort"), Limit: limit, Offset: offset}, nil
}

func (h *handler) catalogSearch(w http.ResponseWriter, r *http.Request) {
	q, err := CatalogQuery(r.URL.Query())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	res, err := h.p.Catalog.Search(r.Context(), q)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if res.Hits == nil {
		res.Hits = []catalog.Hit{}
	}
	writeJSON(w, http.StatusOK, res)
}

// ResourceView is a resource with its metadata completeness.
type ResourceView struct {
	*catalog.Resource
	Completeness int      `json:"completeness"`
	Missing      []string `json:"missing"`
}

func view(r *catalog.Resource) ResourceView {
	score, missing := catalog.Completeness(&r.Entry)
	return ResourceView{Resource: r, Completeness: score, Missing: missing}
}

func (h *handler) catalogCreate(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var in struct {
		ProviderOrgID string        `json:"provider_org_id"`
		Entry         catalog.Entry `json:"entry"`
	}
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	if in.ProviderOrgID == "" {
		in.ProviderOrgID = a.PrimaryOrg()
	}
	res, err := h.p.Catalog.Create(r.Context(), in.ProviderOrgID, in.Entry)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, view(res))
}

func (h *handler) catalogDrafts(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	list, err := h.p.Catalog.Drafts(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	items := make([]ResourceView, 0, len(list))
	for _, x := range list {
		items = append(items, view(x))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (h *handler) catalogGet(w http.ResponseWriter, r *http.Request) {
	v := 0
	if s := r.URL.Query().Get("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			WriteError(w, r, apperr.New(apperr.Invalid, "version 应为正整数", "version must be a positive whole number").WithField("version"))
			return
		}
		v = n
	}
	res, err := h.p.Catalog.Get(r.Context(), r.PathValue("id"), v)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(res))
}

func (h *handler) catalogUpdate(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var e catalog.Entry
	if err := decode(r, &e); err != nil {
		WriteError(w, r, err)
		return
	}
	res, err := h.p.Catalog.Update(r.Context(), r.PathValue("id"), e)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(res))
}

func (h *handler) catalogSubmit(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := h.p.Catalog.Submit(r.Context(), r.PathValue("id"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.view(r, c))
}

func (h *handler) catalogVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := h.p.Catalog.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(vs)})
}

// MaxUploadBytes bounds uploads (catalog sheets); other requests keep the
// server's default limit.
const MaxUploadBytes = catalog.MaxSheetBytes + 1<<20

// ReadUpload reads the "file" part of a multipart form within the upload limit.
func ReadUpload(r *http.Request) (string, []byte, error) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return "", nil, apperr.New(apperr.Invalid, "请以 multipart/form-data 上传文件（字段名 file），大小不超过 20 MB", "upload the file as multipart/form-data (field file), at most 20 MB")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", nil, apperr.New(apperr.Invalid, "缺少上传文件（字段名 file）", "no file uploaded (field file)").WithField("file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxSheetBytes+1))
	if err != nil {
		return "", nil, err
	}
	if len(data) > catalog.MaxSheetBytes {
		return "", nil, apperr.Newf(apperr.Invalid, "文件超过 %d MB 上限", "the file exceeds the %d MB limit", catalog.MaxSheetBytes>>20).WithField("file")
	}
	return hdr.Filename, data, nil
}

func (h *handler) catalogImport(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	name, data, err := ReadUpload(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	org := r.FormValue("provider_org_id")
	if org == "" {
		org = a.PrimaryOrg()
	}
	res, err := h.p.Catalog.Import(r.Context(), org, name, data)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// WriteCatalogSheet sends entries as an .xlsx download.
func WriteCatalogSheet(w http.ResponseWriter, filename string, entries []catalog.Entry) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	catalog.WriteSheet(w, entries)
}

func (h *handler) catalogExport(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	org := r.URL.Query().Get("provider")
	if org == "" {
		org = a.PrimaryOrg()
	}
	entries, err := h.p.Catalog.Export(r.Context(), org)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	WriteCatalogSheet(w, "catalog.xlsx", entries)
}

func (h *handler) catalogTemplate(w http.ResponseWriter, r *http.Request) {
	WriteCatalogSheet(w, "catalog-template.xlsx", nil)
}

func (h *handler) catalogRequireUpdate(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var in struct {
		OrgID   string `json:"org_id"`
		Trigger string `json:"trigger"`
		Note    string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	c, err := h.p.Catalog.RequireUpdate(r.Context(), in.OrgID, in.Trigger, in.Note)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, h.view(r, c))
}

func (h *handler) catalogRecheck(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	var in struct {
		Year int `json:"year"`
	}
	if err := decode(r, &in); err != nil {
		WriteError(w, r, err)
		return
	}
	n, err := h.p.Catalog.OpenYearlyRecheck(r.Context(), in.Year)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"opened": n})
}

func (h *handler) catalogQuality(w http.ResponseWriter, r *http.Request) {
	if _, err := actor(r); err != nil {
		WriteError(w, r, err)
		return
	}
	list, err := h.p.Catalog.Quality(r.Context())
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
}
