package catalog

import (
	"container/heap"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"gongshu/internal/db"
	"gongshu/internal/identity"
	"gongshu/internal/region"
)

// searchIndex is an in-memory inverted index of the published catalog (idea
// 7: the database is the truth, the index a cache). Each search first asks
// the database whether anything was published since the index's watermark
// and folds those entries in, so several nodes stay current without talking
// to each other.
type searchIndex struct {
	mu       sync.RWMutex
	docs     []doc
	byID     map[string]int32
	postings map[string][]posting
	// Facet values are interned so that counting is array indexing.
	valueID      map[string]int32
	values       []string
	providerName map[string]string
	watermark    int64 // the highest change sequence folded in
	loaded       bool
}

// scalarFacets are the single-valued facets, in the order of doc.fac.
var scalarFacets = []string{"provider", "region", "library", "share_type", "open_type", "update_frequency", "level", "data_form"}

type doc struct {
	hit     Hit
	fac     [8]int32 // interned values of scalarFacets
	themeID []int32
	formID  []int32
	tagID   []int32
	tags    []string
	themes  []string
	formats []string
	updated time.Time
	version int
	deleted bool
}

type posting struct {
	doc int32
	w   float32 // name occurrences weigh ten times body ones
}

func newIndex() *searchIndex {
	return &searchIndex{byID: map[string]int32{}, postings: map[string][]posting{}, valueID: map[string]int32{}, providerName: map[string]string{}}
}

// refresh loads entries published or changed since the watermark.
func (s *Service) refresh(ctx context.Context) (*searchIndex, error) {
	s.idxOnce.Do(func() { s.idx = newIndex() })
	ix := s.idx
	ix.mu.RLock()
	mark, loaded := ix.watermark, ix.loaded
	ix.mu.RUnlock()
	rows, err := s.DB.QueryContext(ctx, `SELECT r.id, r.code, r.provider_org_id, COALESCE(o.name, ''), r.region_code, r.published_version, r.updated_at,
		r.change_seq, COALESCE(v.entry, '') FROM resources r LEFT JOIN organizations o ON o.id = r.provider_org_id
		LEFT JOIN resource_versions v ON v.resource_id = r.id AND v.version = r.published_version
		WHERE r.change_seq > $1 ORDER BY r.change_seq`, mark)
	if err != nil {
		return nil, err
	}
	type row struct {
		res     Resource
		pub     int
		updated time.Time
		seq     int64
		entry   string
	}
	list, err := db.Collect(rows, func(sc db.Scanner) (row, error) {
		var x row
		err := sc.Scan(&x.res.ID, &x.res.Code, &x.res.ProviderOrgID, &x.res.ProviderName, &x.res.RegionCode, &x.pub, &x.updated, &x.seq, &x.entry)
		x.updated = x.updated.UTC()
		return x, err
	})
	if err != nil {
		return nil, err
	}
	if loaded && len(list) == 0 {
		return ix, nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, x := range list {
		if x.seq <= ix.watermark {
			continue // folded in by a concurrent refresh
		}
		ix.watermark = x.seq
		if old, ok := ix.byID[x.res.ID]; ok {
			ix.docs[old].deleted = true
			delete(ix.byID, x.res.ID)
		}
		if x.pub == 0 || x.entry == "" {
			continue
		}
		var e Entry
		if err := json.Unmarshal([]byte(x.entry), &e); err != nil {
			return nil, err
		}
		ix.add(&x.res, &e, x.pub, x.updated)
	}
	ix.loaded = true
	return ix, nil
}

func (ix *searchIndex) add(r *Resource, e *Entry, version int, updated time.Time) {
	n := int32(len(ix.docs))
	themes := append([]string{}, e.Themes...)
	if e.BaseDatabase != "" {
		themes = append([]string{e.BaseDatabase}, themes...)
	}
	ix.docs = append(ix.docs, doc{hit: Hit{ID: r.ID, Code: r.Code, Name: e.Name, ProviderOrgID: r.ProviderOrgID, ProviderName: r.ProviderName,
		RegionCode: r.RegionCode, Library: e.Library, ShareType: e.ShareType, OpenType: e.OpenType, UpdateFrequency: e.UpdateFrequency,
		Level: e.Level, DataForm: e.DataForm}, themes: themes, formats: e.Formats, updated: updated, version: version})
	ix.byID[r.ID] = n
	d := &ix.docs[n]
	h := &d.hit
	ix.providerName[h.ProviderOrgID] = h.ProviderName
	for i, v := range []string{h.ProviderOrgID, h.RegionCode, string(h.Library), string(h.ShareType), string(h.OpenType),
		string(h.UpdateFrequency), string(h.Level), h.DataForm} {
		d.fac[i] = ix.intern(v)
	}
	for _, t := range themes {
		d.themeID = append(d.themeID, ix.intern(t))
	}
	for _, f := range e.Formats {
		d.formID = append(d.formID, ix.intern(f))
	}
	for _, t := range e.Tags {
		d.tagID = append(d.tagID, ix.intern(t))
	}
	d.tags = e.Tags
	weights := map[string]float32{}
	for _, t := range indexTokens(e.Name) {
		weights[t] += 10
	}
	for _, t := range indexTokens(searchBody(r, e)) {
		weights[t]++
	}
	for t, w := range weights {
		ix.postings[t] = append(ix.postings[t], posting{doc: n, w: w})
	}
}

func (ix *searchIndex) intern(v string) int32 {
	if id, ok := ix.valueID[v]; ok {
		return id
	}
	id := int32(len(ix.values))
	ix.values = append(ix.values, v)
	ix.valueID[v] = id
	return id
}

// indexTokens are the search tokens plus every Chinese character alone, so
// that a one-character query finds words that contain it.
func indexTokens(s string) []string {
	out := Tokens(s)
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			out = append(out, string(r))
		}
	}
	return out
}

type scored struct {
	doc   int32
	score float32
}

// search evaluates q over the index: the intersection of the tokens'
// postings, filters, facet counts over all matches, and the top page.
func (ix *searchIndex) search(q Query, public bool) *Result {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	toks := Tokens(q.Q)
	var lists [][]posting
	for _, t := range slices.Compact(slices.Sorted(slices.Values(toks))) {
		lists = append(lists, ix.postings[t])
	}
	sort.Slice(lists, func(i, j int) bool { return len(lists[i]) < len(lists[j]) })
	keep := func(d *doc) bool {
		h := &d.hit
		switch {
		case d.deleted, public && h.OpenType == OpenNone,
			q.Provider != "" && h.ProviderOrgID != q.Provider,
			q.Library != "" && h.Library != q.Library,
			q.ShareType != "" && h.ShareType != q.ShareType,
			q.OpenType != "" && h.OpenType != q.OpenType,
			q.Frequency != "" && h.UpdateFrequency != q.Frequency,
			q.Level != "" && h.Level != q.Level,
			q.Theme != "" && !slices.Contains(d.themes, q.Theme),
			q.Format != "" && !slices.Contains(d.formats, q.Format),
			q.Tag != "" && !slices.Contains(d.tags, q.Tag),
			q.Region != "" && !strings.HasPrefix(h.RegionCode, region.Prefix(q.Region)):
			return false
		}
		return true
	}
	var matches []scored
	if len(lists) == 0 {
		for i := range ix.docs {
			if keep(&ix.docs[i]) {
				matches = append(matches, scored{doc: int32(i)})
			}
		}
	} else {
		total := float32(len(ix.byID) + 1)
		for _, p := range lists[0] {
			d := &ix.docs[p.doc]
			if !keep(d) {
				continue
			}
			score, ok := p.w/float32(len(lists[0])+1)*total, true
			for _, other := range lists[1:] {
				i, found := slices.BinarySearchFunc(other, p.doc, func(x posting, t int32) int { return int(x.doc - t) })
				if !found {
					ok = false
					break
				}
				score += other[i].w / float32(len(other)+1) * total
			}
			if ok {
				matches = append(matches, scored{doc: p.doc, score: score})
			}
		}
	}
	res := &Result{Total: len(matches), Facets: map[string][]FacetValue{}}
	nv := len(ix.values)
	counts := make([][]int32, len(scalarFacets)+3) // + theme, format, tag
	for f := range counts {
		counts[f] = make([]int32, nv)
	}
	for _, m := range matches {
		d := &ix.docs[m.doc]
		for f, v := range d.fac {
			counts[f][v]++
		}
		for _, v := range d.themeID {
			counts[len(scalarFacets)][v]++
		}
		for _, v := range d.formID {
			counts[len(scalarFacets)+1][v]++
		}
		for _, v := range d.tagID {
			counts[len(scalarFacets)+2][v]++
		}
	}
	names := append(append([]string{}, scalarFacets...), "theme", "format", "tag")
	for f, c := range counts {
		var vals []FacetValue
		for v, n := range c {
			if n > 0 {
				vals = append(vals, FacetValue{Value: ix.values[v], Count: int(n)})
			}
		}
		sort.Slice(vals, func(i, j int) bool {
			return vals[i].Count > vals[j].Count || vals[i].Count == vals[j].Count && vals[i].Value < vals[j].Value
		})
		if len(vals) > 50 {
			vals = vals[:50]
		}
		if names[f] == "provider" {
			for i := range vals {
				vals[i].Label = ix.providerName[vals[i].Value]
			}
		}
		if len(vals) > 0 {
			res.Facets[names[f]] = vals
		}
	}
	less := func(a, b scored) bool { // a ranks before b
		da, db := &ix.docs[a.doc], &ix.docs[b.doc]
		switch {
		case q.Sort == "name":
			if da.hit.Name != db.hit.Name {
				return da.hit.Name < db.hit.Name
			}
		case q.Sort != "updated" && len(lists) > 0 && a.score != b.score:
			return a.score > b.score
		}
		if !da.updated.Equal(db.updated) {
			return da.updated.After(db.updated)
		}
		return da.hit.ID < db.hit.ID
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	q.Limit = min(q.Limit, 1000)
	k := min(max(q.Offset, 0)+q.Limit, len(matches))
	top := &topK{less: less}
	for _, m := range matches {
		if top.Len() < k {
			heap.Push(top, m)
		} else if k > 0 && less(m, top.items[0]) {
			top.items[0] = m
			heap.Fix(top, 0)
		}
	}
	sorted := top.items
	sort.Slice(sorted, func(i, j int) bool { return less(sorted[i], sorted[j]) })
	for _, m := range sorted[min(max(q.Offset, 0), len(sorted)):] {
		res.Hits = append(res.Hits, ix.docs[m.doc].hit)
	}
	return res
}

// topK is a heap whose root is the worst of the kept items.
type topK struct {
	items []scored
	less  func(a, b scored) bool
}

func (t *topK) Len() int           { return len(t.items) }
func (t *topK) Less(i, j int) bool { return t.less(t.items[j], t.items[i]) }
func (t *topK) Swap(i, j int)      { t.items[i], t.items[j] = t.items[j], t.items[i] }
func (t *topK) Push(x any)         { t.items = append(t.items, x.(scored)) }
func (t *topK) Pop() any {
	x := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return x
}

// Search finds published entries. Chinese text is matched by bigrams (人口
// finds 人口基本信息; one character finds words containing it), Latin words
// and codes by words; name matches rank above summary and item matches. The
// public searches the open catalog only (open type other than none, G1).
func (s *Service) Search(ctx context.Context, q Query) (*Result, error) {
	ix, err := s.refresh(ctx)
	if err != nil {
		return nil, err
	}
	a := identity.ActorFrom(ctx)
	res := ix.search(q, a == nil || a.IsPublic())
	for i, f := range res.Facets["region"] {
		if reg, ok := s.Identity.Regions.Get(f.Value); ok {
			res.Facets["region"][i].Label = reg.Name
		}
	}
	if res.Hits == nil {
		res.Hits = []Hit{}
	}
	return res, nil
}
