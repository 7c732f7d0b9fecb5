package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongshu/internal/api"
	"gongshu/internal/apperr"
	"gongshu/internal/catalog"
	"gongshu/internal/identity"
	"gongshu/internal/workday"
)

func (s *site) registerCatalog(mux *http.ServeMux) {
	mux.HandleFunc("GET /catalog", s.catalogSearch)
	mux.HandleFunc("GET /catalog/drafts", s.catalogDrafts)
	mux.HandleFunc("GET /catalog/new", s.catalogNew)
	mux.HandleFunc("GET /catalog/import", s.catalogImportForm)
	mux.HandleFunc("POST /catalog/import", s.catalogImport)
	mux.HandleFunc("GET /catalog/export.xlsx", s.catalogExport)
	mux.HandleFunc("POST /catalog/update-cases", s.catalogRequireUpdate)
	mux.HandleFunc("POST /catalog/recheck", s.catalogRecheck)
	mux.HandleFunc("POST /catalog/new", s.catalogCreate)
	mux.HandleFunc("GET /catalog/{id}", s.catalogPage)
	mux.HandleFunc("GET /catalog/{id}/edit", s.catalogEdit)
	mux.HandleFunc("POST /catalog/{id}/edit", s.catalogSave)
	mux.HandleFunc("POST /catalog/{id}/submit", s.catalogSubmit)
}

// facetOrder is the order of facets in the sidebar.
var facetOrder = []string{"provider", "region", "library", "theme", "share_type", "open_type", "format", "update_frequency", "level"}

func (s *site) catalogSearch(w http.ResponseWriter, r *http.Request) {
	q, err := api.CatalogQuery(r.URL.Query())
	pg := s.newPage(r, "catalog.title", nil)
	var res *catalog.Result
	if err == nil {
		res, err = s.p.Catalog.Search(r.Context(), q)
	}
	if err != nil {
		if pg.Error = apperr.As(err); pg.Error == nil {
			s.fail(w, r, err)
			return
		}
		res = &catalog.Result{}
	}
	type facetLink struct {
		Label, Href string
		Count       int
		Active      bool
	}
	type facetGroup struct {
		Name  string
		Links []facetLink
	}
	params := map[string]string{"provider": "provider", "region": "region", "library": "library", "theme": "theme", "share_type": "share_type",
		"open_type": "open_type", "format": "format", "update_frequency": "update_frequency", "level": "level"}
	var groups []facetGroup
	for _, name := range facetOrder {
		g := facetGroup{Name: name}
		for _, f := range res.Facets[name] {
			if f.Value == "" {
				continue
			}
			v := r.URL.Query()
			active := v.Get(params[name]) == f.Value
			if active {
				v.Del(params[name])
			} else {
				v.Set(params[name], f.Value)
			}
			v.Del("offset")
			label := f.Label
			if label == "" {
				label = pg.T("cat." + name + "." + f.Value)
				if strings.HasPrefix(label, "cat.") {
					label = f.Value
				}
			}
			g.Links = append(g.Links, facetLink{Label: label, Href: "/catalog?" + v.Encode(), Count: f.Count, Active: active})
		}
		if len(g.Links) > 0 {
			groups = append(groups, g)
		}
	}
	next := ""
	if q.Offset+len(res.Hits) < res.Total {
		v := r.URL.Query()
		v.Set("offset", strconv.Itoa(q.Offset+max(len(res.Hits), 1)))
		next = "/catalog?" + v.Encode()
	}
	a := identity.ActorFrom(r.Context())
	pg.Data = map[string]any{"Result": res, "Query": q, "Facets": groups, "Next": next,
		"CanCompile": a.HasAny("", identity.RoleDataOfficer, identity.RoleInstitutionAdmin),
		"Authority":  a.HasAny("", identity.RoleAuthorityAdmin, identity.RoleAuthorityReviewer), "Year": time.Now().In(workday.Location).Year()}
	s.render(w, r, http.StatusOK, "catalog", pg)
}

func (s *site) catalogDrafts(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	list, err := s.p.Catalog.Drafts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scores, err := s.p.Catalog.Quality(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "catalog_drafts", s.newPage(r, "catalog.drafts", map[string]any{"Items": list, "Scores": scores}))
}

func (s *site) catalogPage(w http.ResponseWriter, r *http.Request) {
	v, _ := strconv.Atoi(r.URL.Query().Get("version"))
	res, err := s.p.Catalog.Get(r.Context(), r.PathValue("id"), v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := identity.ActorFrom(r.Context())
	d := map[string]any{"R": res, "Staff": a != nil && !a.IsPublic(), "Org": s.p.Identity.Regions.Path(res.RegionCode)}
	if vs, err := s.p.Catalog.Versions(r.Context(), res.ID); err == nil {
		d["Versions"] = vs
		score, missing := catalog.Completeness(&res.Entry)
		d["Score"], d["Missing"] = score, missing
		d["CanEdit"] = a.HasAny(res.ProviderOrgID, identity.RoleDataOfficer, identity.RoleInstitutionAdmin)
		d["CanSubmit"] = (res.LatestStatus == catalog.StatusDraft || res.LatestStatus == catalog.StatusReturned) && d["CanEdit"] == true
	}
	if res.PublishedVersion > 0 {
		if res.Entry.OpenType == catalog.OpenUnconditional {
			s.openData(r, d, res.ID)
		}
		if _, err := s.p.Datasets.Loads(r.Context(), res.ID, 1); err == nil {
			d["DatasetLink"] = true // the provider, its authority and auditors manage or inspect the data
		}
	}
	pg := s.newPage(r, "catalog.resource", d)
	pg.Title = res.Entry.Name
	s.render(w, r, http.StatusOK, "catalog_resource", pg)
}

func (s *site) catalogNew(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	e := catalog.Entry{Library: catalog.LibraryDepartment, DataForm: "table", UpdateFrequency: "monthly", Level: catalog.LevelGeneral,
		ShareType: catalog.ShareUnconditional, OpenType: catalog.OpenUnconditional}
	s.renderEntryForm(w, r, http.StatusOK, "", a.PrimaryOrg(), &e, nil)
}

func (s *site) renderEntryForm(w http.ResponseWriter, r *http.Request, status int, id, org string, e *catalog.Entry, err *apperr.Error) {
	items := append([]catalog.Item{}, e.Items...)
	for i := 0; i < 5; i++ {
		items = append(items, catalog.Item{})
	}
	pg := s.newPage(r, "catalog.edit", map[string]any{"ID": id, "Org": org, "Orgs": s.compilerOrgs(r), "E": e, "Items": items,
		"Themes": catalog.Themes, "Bases": catalog.BaseDatabases, "Frequencies": catalog.Frequencies, "DataTypes": catalog.DataTypes,
		"Formats": strings.Join(e.Formats, ", "), "Tags": strings.Join(e.Tags, ", ")})
	pg.Error = err
	s.render(w, r, status, "catalog_edit", pg)
}

// entryFromForm reads the edit form; items are rows item_name_N … and empty rows are skipped.
func entryFromForm(f url.Values) catalog.Entry {
	list := func(k string) []string {
		var out []string
		for _, p := range strings.FieldsFunc(f.Get(k), func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	e := catalog.Entry{Name: f.Get("name"), Summary: f.Get("summary"), Library: catalog.Library(f.Get("library")), BaseDatabase: f.Get("base_database"),
		Themes: f["themes"], DataForm: f.Get("data_form"), Formats: list("formats"), SourceSystem: f.Get("source_system"),
		UpdateFrequency: catalog.Frequency(f.Get("update_frequency")), Level: catalog.Level(f.Get("level")), SubLevel: f.Get("sub_level"),
		ShareType: catalog.ShareType(f.Get("share_type")), ShareConditions: f.Get("share_conditions"), ShareScope: f.Get("share_scope"),
		OpenType: catalog.OpenType(f.Get("open_type")), OpenConditions: f.Get("open_conditions"), OpenMethod: f.Get("open_method"),
		OpenChangeBasis: f.Get("open_change_basis"), OpenChangeNote: f.Get("open_change_note"), UsageRequirements: f.Get("usage_requirements"),
		LegalBasis: f.Get("legal_basis"), CollectingDept: f.Get("collecting_dept"), ApprovingDept: f.Get("approving_dept"),
		ProvidingDept: f.Get("providing_dept"), Contact: f.Get("contact"), SpatialCoverage: f.Get("spatial_coverage"),
		TemporalCoverage: f.Get("temporal_coverage"), Licence: f.Get("licence"), Tags: list("tags")}
	for _, m := range f["share_methods"] {
		e.ShareMethods = append(e.ShareMethods, catalog.Method(m))
	}
	for i := 0; i < 500; i++ {
		n := fmt.Sprint(i)
		if _, ok := f["item_name_"+n]; !ok {
			break
		}
		name := strings.TrimSpace(f.Get("item_name_" + n))
		if name == "" {
			continue
		}
		length, _ := strconv.Atoi(f.Get("item_length_" + n))
		e.Items = append(e.Items, catalog.Item{Name: name, DataType: f.Get("item_type_" + n), Length: length, Description: f.Get("item_desc_" + n),
			IDKind: catalog.IDKind(f.Get("item_idkind_" + n)), Required: f.Get("item_required_"+n) != "", PI: catalog.PI(f.Get("item_pi_" + n)),
			Confirmed: f.Get("item_confirmed_"+n) != ""})
	}
	return e
}

func (s *site) catalogCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	e := entryFromForm(r.PostForm)
	res, err := s.p.Catalog.Create(r.Context(), r.PostForm.Get("org"), e)
	if err != nil {
		s.formError(w, r, "", r.PostForm.Get("org"), &e, err)
		return
	}
	http.Redirect(w, r, "/catalog/"+res.ID, http.StatusSeeOther)
}

func (s *site) formError(w http.ResponseWriter, r *http.Request, id, org string, e *catalog.Entry, err error) {
	ae := apperr.As(err)
	if ae == nil || ae.Code == apperr.NotFound {
		s.fail(w, r, err)
		return
	}
	s.renderEntryForm(w, r, apperr.HTTPStatus(err), id, org, e, ae)
}

func (s *site) catalogEdit(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	res, err := s.p.Catalog.Get(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEntryForm(w, r, http.StatusOK, res.ID, res.ProviderOrgID, &res.Entry, nil)
}

func (s *site) catalogSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	e := entryFromForm(r.PostForm)
	id := r.PathValue("id")
	if _, err := s.p.Catalog.Update(r.Context(), id, e); err != nil {
		s.formError(w, r, id, r.PostForm.Get("org"), &e, err)
		return
	}
	if r.PostForm.Get("submit") != "" {
		if _, err := s.p.Catalog.Submit(r.Context(), id); err != nil {
			s.formError(w, r, id, r.PostForm.Get("org"), &e, err)
			return
		}
	}
	http.Redirect(w, r, "/catalog/"+url.PathEscape(id), http.StatusSeeOther)
}

func (s *site) catalogSubmit(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	c, err := s.p.Catalog.Submit(r.Context(), id)
	if err != nil {
		res, gerr := s.p.Catalog.Get(r.Context(), id, 0)
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		s.formError(w, r, id, res.ProviderOrgID, &res.Entry, err)
		return
	}
	http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
}

func (s *site) compilerOrgs(r *http.Request) []*identity.Org {
	a := identity.ActorFrom(r.Context())
	var orgs []*identity.Org
	for _, g := range a.Grants {
		if g.Role == identity.RoleDataOfficer || g.Role == identity.RoleInstitutionAdmin {
			if o, err := s.p.Identity.GetOrg(r.Context(), g.OrgID); err == nil {
				orgs = append(orgs, o)
			}
		}
	}
	return orgs
}

func (s *site) catalogImportForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	s.render(w, r, http.StatusOK, "catalog_import", s.newPage(r, "catalog.import", map[string]any{"Orgs": s.compilerOrgs(r)}))
}

func (s *site) catalogImport(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	pg := s.newPage(r, "catalog.import", map[string]any{"Orgs": s.compilerOrgs(r)})
	name, data, err := api.ReadUpload(r)
	var res *catalog.ImportResult
	if err == nil {
		res, err = s.p.Catalog.Import(r.Context(), r.FormValue("org"), name, data)
	}
	if err != nil {
		if pg.Error = apperr.As(err); pg.Error == nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, apperr.HTTPStatus(err), "catalog_import", pg)
		return
	}
	pg.Data.(map[string]any)["Result"] = res
	s.render(w, r, http.StatusOK, "catalog_import", pg)
}

func (s *site) catalogExport(w http.ResponseWriter, r *http.Request) {
	a := s.requireLogin(w, r)
	if a == nil {
		return
	}
	org := r.URL.Query().Get("org")
	if org == "" {
		org = a.PrimaryOrg()
	}
	entries, err := s.p.Catalog.Export(r.Context(), org)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	api.WriteCatalogSheet(w, "catalog.xlsx", entries)
}

func (s *site) catalogRequireUpdate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	c, err := s.p.Catalog.RequireUpdate(r.Context(), r.PostFormValue("org"), r.PostFormValue("trigger"), r.PostFormValue("note"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+c.ID, http.StatusSeeOther)
}

func (s *site) catalogRecheck(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	n, err := s.p.Catalog.OpenYearlyRecheck(r.Context(), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases?box=all&opened="+strconv.Itoa(n), http.StatusSeeOther)
}
