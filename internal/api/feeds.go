package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/catalog"
	"gongshu/internal/dcat"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
)

// FeedPageSize is the number of datasets per page of the catalog feed.
const FeedPageSize = 100

// RegisterFeeds mounts the DCAT-AP 3 feeds of the open catalog: the whole
// catalog (paged) and each resource, as Turtle and JSON-LD.
// publicURL, when set, is the deployment's public address used in feed IRIs
// (behind a proxy the request's Host is not the public one).
func RegisterFeeds(mux *http.ServeMux, p *platform.Platform, publicURL string) {
	f := &feeds{p: p, publicURL: strings.TrimRight(publicURL, "/")}
	mux.HandleFunc("GET /catalog.ttl", func(w http.ResponseWriter, r *http.Request) { f.catalog(w, r, "ttl") })
	mux.HandleFunc("GET /catalog.jsonld", func(w http.ResponseWriter, r *http.Request) { f.catalog(w, r, "jsonld") })
	mux.HandleFunc("GET /catalog/{id}/dcat.ttl", func(w http.ResponseWriter, r *http.Request) { f.dataset(w, r, "ttl") })
	mux.HandleFunc("GET /catalog/{id}/dcat.jsonld", func(w http.ResponseWriter, r *http.Request) { f.dataset(w, r, "jsonld") })
}

type feeds struct {
	p         *platform.Platform
	publicURL string
}

func (f *feeds) baseURL(r *http.Request) string {
	if f.publicURL != "" {
		return f.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// site describes the deployment: its publisher is the data authority of the
// highest level.
func (f *feeds) site(r *http.Request) dcat.Site {
	s := dcat.Site{Base: f.baseURL(r), Title: "公数 · 公共数据开放目录", TitleEN: "Gongshu open public data catalog",
		Publisher: dcat.Agent{ID: "platform", Name: "公共数据平台", NameEN: "Public data platform"}}
	orgs, _ := f.p.Identity.ListOrgs(r.Context(), identity.OrgFilter{Type: identity.OrgAuthority})
	best := 7
	for _, o := range orgs {
		if reg, ok := f.p.Identity.Regions.Get(o.RegionCode); ok && int(reg.Level) < best {
			best, s.Publisher = int(reg.Level), dcat.Agent{ID: o.ID, Name: o.Name, NameEN: o.NameEN}
		}
	}
	return s
}

func (f *feeds) agents(r *http.Request, list []*catalog.Resource) map[string]dcat.Agent {
	out := map[string]dcat.Agent{}
	for _, res := range list {
		if _, ok := out[res.ProviderOrgID]; ok {
			continue
		}
		if o, err := f.p.Identity.GetOrg(r.Context(), res.ProviderOrgID); err == nil {
			out[o.ID] = dcat.Agent{ID: o.ID, Name: o.Name, NameEN: o.NameEN}
		}
	}
	return out
}

func write(w http.ResponseWriter, g *dcat.Graph, format string) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if format == "ttl" {
		w.Header().Set("Content-Type", "text/turtle; charset=utf-8")
		g.WriteTurtle(w)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json; charset=utf-8")
	g.WriteJSONLD(w)
}

func (f *feeds) catalog(w http.ResponseWriter, r *http.Request, format string) {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			WriteError(w, r, apperr.New(apperr.Invalid, "page 应为正整数", "page must be a positive whole number").WithField("page"))
			return
		}
		page = n
	}
	public := identity.WithActor(r.Context(), nil) // the feed is the open catalog
	res, err := f.p.Catalog.Search(public, catalog.Query{Sort: "name", Limit: FeedPageSize, Offset: (page - 1) * FeedPageSize})
	if err != nil {
		WriteError(w, r, err)
		return
	}
	last := max(1, (res.Total+FeedPageSize-1)/FeedPageSize)
	if page > last {
		WriteError(w, r, apperr.ErrNotFound())
		return
	}
	var list []*catalog.Resource
	var modified time.Time
	for _, h := range res.Hits {
		full, err := f.p.Catalog.Get(public, h.ID, 0)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		list = append(list, full)
		if full.UpdatedAt.After(modified) {
			modified = full.UpdatedAt
		}
	}
	site := f.site(r)
	site.Modified = modified
	self := func(n int) string { return fmt.Sprintf("%s%s?page=%d", site.Base, r.URL.Path, n) }
	pg := dcat.Page{Self: self(page), First: self(1), Last: self(last), Total: res.Total}
	if page < last {
		pg.Next = self(page + 1)
	}
	var g dcat.Graph
	site.Catalog(&g, list, f.agents(r, list), pg)
	write(w, &g, format)
}

func (f *feeds) dataset(w http.ResponseWriter, r *http.Request, format string) {
	public := identity.WithActor(r.Context(), nil)
	res, err := f.p.Catalog.Get(public, strings.TrimSpace(r.PathValue("id")), 0)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var g dcat.Graph
	site := f.site(r)
	site.Dataset(&g, res, f.agents(r, []*catalog.Resource{res})[res.ProviderOrgID])
	write(w, &g, format)
}
