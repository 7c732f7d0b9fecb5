package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongshu/internal/access"
	"gongshu/internal/api"
	"gongshu/internal/apperr"
	"gongshu/internal/dataset"
	"gongshu/internal/identity"
)

func (s *site) registerDatasets(mux *http.ServeMux) {
	mux.HandleFunc("GET /datasets/freshness", s.freshnessPage)
	mux.HandleFunc("GET /datasets/{id}", s.datasetPage)
	mux.HandleFunc("POST /datasets/{id}/upload", s.datasetUpload)
	mux.HandleFunc("POST /datasets/{id}/pull", s.datasetPull)
	mux.HandleFunc("POST /datasets/{id}/settings", s.datasetSettings)
	mux.HandleFunc("POST /datasets/{id}/suspension", s.datasetSuspension)
	mux.HandleFunc("GET /datasets/{id}/provenance", s.provenancePage)
	mux.HandleFunc("GET /loads/{id}", s.loadPage)
	mux.HandleFunc("POST /loads/{id}/cancel", s.loadCancel)
	mux.HandleFunc("GET /loads/{id}/errors.csv", s.loadErrors)
	mux.HandleFunc("GET /loads/{id}/errors.xlsx", s.loadErrors)
	mux.HandleFunc("GET /open/{id}/download.csv", s.openDownload)
	mux.HandleFunc("GET /open/{id}/download.xlsx", s.openDownload)
	mux.HandleFunc("GET /open/{id}/download.json", s.openDownload)
}

// openData adds the preview and download links of an unconditionally open
// resource to its page's data (through the door, audited, masked).
func (s *site) openData(r *http.Request, d map[string]any, id string) {
	var rows [][]string
	dec, total, err := s.p.Door.Read(r.Context(), access.Request{ResourceID: id, Purpose: access.OpenPreview, ClientIP: clientIP(r)},
		func(v []string) error { rows = append(rows, append([]string(nil), v...)); return nil })
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.Unavailable {
			d["Suspended"] = e
		}
		return
	}
	d["Preview"], d["PreviewCols"], d["PreviewTotal"], d["DS"] = rows, dec.Columns, total, dec.Dataset
}

func clientIP(r *http.Request) string {
	if i := strings.LastIndex(r.RemoteAddr, ":"); i > 0 {
		return r.RemoteAddr[:i]
	}
	return r.RemoteAddr
}

func (s *site) datasetPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	loads, err := s.p.Datasets.Loads(r.Context(), id, 30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderDataset(w, r, http.StatusOK, id, loads, nil)
}

func (s *site) renderDataset(w http.ResponseWriter, r *http.Request, status int, id string, loads []*dataset.Load, perr *apperr.Error) {
	res, err := s.p.Catalog.Published(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ds, err := s.p.Datasets.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if loads == nil {
		loads, _ = s.p.Datasets.Loads(r.Context(), id, 30)
	}
	a := identity.ActorFrom(r.Context())
	d := map[string]any{"R": res, "DS": ds, "Loads": loads, "CanLoad": a.HasAny(res.ProviderOrgID, identity.RoleDataOfficer, identity.RoleInstitutionAdmin),
		"CanSuspend": a.Has(identity.RoleInstitutionAdmin, res.ProviderOrgID) || s.p.Identity.AuthorityOver(a, res.RegionCode),
		"Modes":      []string{dataset.ModeReplace, dataset.ModeAppend, dataset.ModeUpsert}, "Due": dataset.Interval(res.Entry.UpdateFrequency) > 0}
	var mapping []string
	for k, v := range ds.Mapping {
		mapping = append(mapping, k+"="+v)
	}
	d["Mapping"] = strings.Join(mapping, "\n")
	type row struct {
		Values []string
		Trace  string // the row's provenance page
	}
	var rows []row
	keyAt := map[string]int{}
	if dec, total, err := s.p.Door.ReadRows(r.Context(), access.Request{ResourceID: id, Purpose: access.ProviderView, Limit: 10}, func(rid int64, v []string) error {
		q := url.Values{}
		if len(ds.KeyItems) == len(keyAt) && len(keyAt) > 0 {
			for _, k := range ds.KeyItems {
				q.Add("key", v[keyAt[k]])
			}
		} else {
			q.Set("row", strconv.FormatInt(rid, 10))
		}
		rows = append(rows, row{Values: append([]string(nil), v...), Trace: "/datasets/" + id + "/provenance?" + q.Encode()})
		return nil
	}, access.OnDecision(func(dec *access.Decision) {
		for i, c := range dec.Columns {
			keyAt[c.Item] = i
		}
		for k := range keyAt {
			if !slices.Contains(ds.KeyItems, k) {
				delete(keyAt, k)
			}
		}
	})); err == nil {
		d["Rows"], d["Cols"], d["Total"] = rows, dec.Columns, total
	}
	var trend []int
	for i := len(loads) - 1; i >= 0; i-- {
		if loads[i].Status == dataset.StatusCommitted {
			trend = append(trend, loads[i].Score)
		}
	}
	d["Trend"] = trend
	pg := s.newPage(r, "ds.title", d)
	pg.Title = res.Entry.Name + " · " + pg.T("ds.title")
	pg.Error = perr
	s.render(w, r, status, "dataset", pg)
}

func (s *site) datasetUpload(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	l, err := api.UploadLoad(r, s.p.Datasets, id)
	if err != nil {
		if e := apperr.As(err); e != nil {
			s.renderDataset(w, r, apperr.HTTPStatus(e), id, nil, e)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/loads/"+l.ID, http.StatusSeeOther)
}

func (s *site) datasetPull(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	var err error
	if r.FormValue("now") != "" {
		var l *dataset.Load
		if l, err = s.p.Datasets.PullNow(r.Context(), id); err == nil {
			http.Redirect(w, r, "/loads/"+l.ID, http.StatusSeeOther)
			return
		}
	} else {
		_, err = s.p.Datasets.SetPull(r.Context(), id, dataset.PullConfig{URL: strings.TrimSpace(r.FormValue("url")), Format: r.FormValue("format"), Mode: r.FormValue("mode")})
	}
	s.afterForm(w, r, id, err)
}

func (s *site) afterForm(w http.ResponseWriter, r *http.Request, id string, err error) {
	if err != nil {
		if e := apperr.As(err); e != nil {
			s.renderDataset(w, r, apperr.HTTPStatus(e), id, nil, e)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/datasets/"+id, http.StatusSeeOther)
}

func (s *site) datasetSettings(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	v, err := strconv.ParseFloat(strings.TrimSpace(r.FormValue("reject_limit")), 64)
	if err != nil {
		s.afterForm(w, r, id, apperr.New(apperr.Invalid, "拒绝比例应为 0 到 100 之间的百分数", "the reject limit must be a percentage from 0 to 100").WithField("reject_limit"))
		return
	}
	_, err = s.p.Datasets.SetRejectLimit(r.Context(), id, int(v*10+0.5))
	s.afterForm(w, r, id, err)
}

func (s *site) datasetSuspension(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	reason := strings.TrimSpace(r.FormValue("reason"))
	if r.FormValue("resume") == "" && reason == "" {
		s.afterForm(w, r, id, apperr.New(apperr.Invalid, "请写明暂停原因", "give the reason for the suspension").WithField("reason"))
		return
	}
	if r.FormValue("resume") != "" {
		reason = ""
	}
	_, err := s.p.Datasets.Suspend(r.Context(), id, reason)
	s.afterForm(w, r, id, err)
}

func (s *site) loadPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	l, err := s.p.Datasets.GetLoad(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.p.Catalog.Published(r.Context(), l.ResourceID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	errs, _ := s.p.Datasets.Errors(r.Context(), l.ID, 200)
	a := identity.ActorFrom(r.Context())
	d := map[string]any{"L": l, "R": res, "Errors": errs, "CanCancel": !l.Done() && a.HasAny(l.OrgID, identity.RoleDataOfficer, identity.RoleInstitutionAdmin)}
	pg := s.newPage(r, "ds.load", d)
	if !l.Done() {
		w.Header().Set("Refresh", "2") // progress without JavaScript
	}
	s.render(w, r, http.StatusOK, "load", pg)
}

func (s *site) loadCancel(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if _, err := s.p.Datasets.Cancel(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/loads/"+r.PathValue("id"), http.StatusSeeOther)
}

func (s *site) loadErrors(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	errs, err := s.p.Datasets.Errors(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	format := "csv"
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		format = "xlsx"
	}
	api.WriteLoadErrors(w, errs, r.PathValue("id"), format)
}

func (s *site) openDownload(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Path[strings.LastIndex(r.URL.Path, ".")+1:]
	if err := api.WriteDownload(w, r, s.p.Door, r.PathValue("id"), format, r.URL.Query().Get("bom")); err != nil {
		s.fail(w, r, err)
	}
}

func (s *site) provenancePage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id := r.PathValue("id")
	if _, err := s.p.Datasets.Loads(r.Context(), id, 1); err != nil { // the provider, its authority and auditors only
		s.fail(w, r, err)
		return
	}
	res, err := s.p.Catalog.Published(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var keyItems []string
	for _, it := range res.Entry.Items {
		if it.Key {
			keyItems = append(keyItems, it.Name)
		}
	}
	q := r.URL.Query()
	d := map[string]any{"R": res, "KeyItems": keyItems, "Key": q["key"], "Row": q.Get("row")}
	pg := s.newPage(r, "ds.provenance", d)
	if len(q["key"]) > 0 || q.Get("row") != "" {
		req := access.Request{ResourceID: id, Key: strings.Join(q["key"], "\x1f")}
		req.Row, _ = strconv.ParseInt(q.Get("row"), 10, 64)
		dec, versions, err := s.p.Door.History(r.Context(), req)
		if err != nil {
			if pg.Error = apperr.As(err); pg.Error == nil {
				s.fail(w, r, err)
				return
			}
		} else {
			d["Cols"], d["Versions"] = dec.Columns, versions
			// Mark the values that changed from the version before.
			changed := make([][]bool, len(versions))
			for i, v := range versions {
				changed[i] = make([]bool, len(v.Values))
				if i > 0 {
					for j := range v.Values {
						changed[i][j] = v.Values[j] != versions[i-1].Values[j]
					}
				}
			}
			d["Changed"] = changed
		}
	}
	s.render(w, r, http.StatusOK, "provenance", pg)
}

func (s *site) freshnessPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	late := r.URL.Query().Get("late") != "0"
	list, err := s.p.Datasets.Freshness(r.Context(), late)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type group struct {
		Org   string
		Items []dataset.Freshness
		Late  int
	}
	var groups []*group
	byOrg := map[string]*group{}
	for _, f := range list {
		g := byOrg[f.ProviderOrgID]
		if g == nil {
			g = &group{Org: f.ProviderName}
			byOrg[f.ProviderOrgID] = g
			groups = append(groups, g)
		}
		g.Items = append(g.Items, f)
		if f.Late {
			g.Late++
		}
	}
	s.render(w, r, http.StatusOK, "freshness", s.newPage(r, "ds.freshness", map[string]any{"Groups": groups, "LateOnly": late, "Count": len(list)}))
}
