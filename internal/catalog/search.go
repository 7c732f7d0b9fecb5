package catalog

import (
	"context"
	"fmt"
	"strings"

	"gongshu/internal/db"
	"gongshu/internal/identity"
)

// Query is a catalog search; empty fields do not filter.
type Query struct {
	Q         string    `json:"q"`
	Provider  string    `json:"provider"`
	Region    string    `json:"region"` // this region and below
	Library   Library   `json:"library"`
	Theme     string    `json:"theme"`
	ShareType ShareType `json:"share_type"`
	OpenType  OpenType  `json:"open_type"`
	Format    string    `json:"format"`
	Frequency Frequency `json:"update_frequency"`
	Level     Level     `json:"level"`
	Sort      string    `json:"sort"` // "relevance" (with q), "updated", "name"
	Limit     int       `json:"limit"`
	Offset    int       `json:"offset"`
}

// Hit is one search result: the published version's summary.
type Hit struct {
	ID              string    `json:"id"`
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	ProviderOrgID   string    `json:"provider_org_id"`
	ProviderName    string    `json:"provider_name"`
	RegionCode      string    `json:"region_code"`
	Library         Library   `json:"library"`
	ShareType       ShareType `json:"share_type"`
	OpenType        OpenType  `json:"open_type"`
	UpdateFrequency Frequency `json:"update_frequency"`
	Level           Level     `json:"level"`
	DataForm        string    `json:"data_form"`
}

// FacetValue is one value of a facet with its count in the result.
type FacetValue struct {
	Value string `json:"value"`
	Label string `json:"label,omitempty"`
	Count int    `json:"count"`
}

// Result is a page of hits with the total and facet counts over all hits.
type Result struct {
	Total  int                     `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Facets map[string][]FacetValue `json:"facets"`
}

// regionPrefix turns a GB/T 2260 code into the prefix shared by everything below it.
func regionPrefix(code string) string {
	switch {
	case strings.HasSuffix(code, "0000"):
		return code[:2]
	case strings.HasSuffix(code, "00"):
		return code[:4]
	}
	return code
}

// Search finds published entries. Chinese text is matched by bigrams (人口
// finds 人口基本信息), Latin words and codes by words; results rank name
// matches above summary and item matches. The public searches the open
// catalog only (entries whose open type is not none, G1).
func (s *Service) Search(ctx context.Context, q Query) (*Result, error) {
	a := identity.ActorFrom(ctx)
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	conds := []string{"r.published_version > 0"}
	if a == nil || a.IsPublic() {
		conds = append(conds, "r.open_type <> 'none'")
	}
	rank, rankJoin := "", ""
	if toks := Tokens(q.Q); len(toks) > 0 {
		if s.DB.Dialect == db.Postgres {
			var parts []string
			for _, t := range toks {
				if singleHan(t) {
					parts = append(parts, t+":*")
				} else {
					parts = append(parts, t)
				}
			}
			tsq := arg(strings.Join(parts, " & "))
			conds = append(conds, "r.search_tsv @@ to_tsquery('simple', "+tsq+")")
			rank = "ts_rank(r.search_tsv, to_tsquery('simple', " + tsq + ")) DESC"
		} else {
			var parts []string
			for _, t := range toks {
				if singleHan(t) {
					parts = append(parts, `"`+t+`"*`)
				} else {
					parts = append(parts, `"`+t+`"`)
				}
			}
			m := arg(strings.Join(parts, " AND "))
			conds = append(conds, "r.id IN (SELECT resource_id FROM resource_fts WHERE resource_fts MATCH "+m+")")
			// bm25: lower is better; the name column weighs ten times the body.
			rankJoin = " JOIN (SELECT resource_id, bm25(resource_fts, 0.0, 10.0, 1.0) AS score FROM resource_fts WHERE resource_fts MATCH " + m + ") fts ON fts.resource_id = r.id"
			rank = "fts.score"
		}
	}
	eq := func(col, v string) {
		if v != "" {
			conds = append(conds, col+" = "+arg(v))
		}
	}
	eq("r.provider_org_id", q.Provider)
	eq("r.library", string(q.Library))
	eq("r.share_type", string(q.ShareType))
	eq("r.open_type", string(q.OpenType))
	eq("r.update_frequency", string(q.Frequency))
	eq("r.level", string(q.Level))
	if q.Region != "" {
		conds = append(conds, "r.region_code LIKE "+arg(regionPrefix(q.Region)+"%"))
	}
	for kind, v := range map[string]string{"theme": q.Theme, "format": q.Format} {
		if v != "" {
			conds = append(conds, "r.id IN (SELECT resource_id FROM resource_facets WHERE kind = "+arg(kind)+" AND value = "+arg(v)+")")
		}
	}
	where := strings.Join(conds, " AND ")
	res := &Result{Facets: map[string][]FacetValue{}}
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM resources r WHERE `+where, args...).Scan(&res.Total); err != nil {
		return nil, err
	}
	order := "r.updated_at DESC, r.id"
	switch {
	case q.Sort == "name":
		order = "r.name, r.id"
	case q.Sort != "updated" && rank != "":
		order = rank + ", r.updated_at DESC, r.id"
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	rows, err := s.DB.QueryContext(ctx, fmt.Sprintf(`SELECT r.id, r.code, r.name, r.provider_org_id, COALESCE(o.name, ''), r.region_code, r.library,
		r.share_type, r.open_type, r.update_frequency, r.level, r.data_form FROM resources r LEFT JOIN organizations o ON o.id = r.provider_org_id%s
		WHERE %s ORDER BY %s LIMIT %d OFFSET %d`, rankJoin, where, order, q.Limit, max(q.Offset, 0)), args...)
	if err != nil {
		return nil, err
	}
	res.Hits, err = db.Collect(rows, func(sc db.Scanner) (Hit, error) {
		var h Hit
		var lib, share, open, freq, level string
		err := sc.Scan(&h.ID, &h.Code, &h.Name, &h.ProviderOrgID, &h.ProviderName, &h.RegionCode, &lib, &share, &open, &freq, &level, &h.DataForm)
		h.Library, h.ShareType, h.OpenType, h.UpdateFrequency, h.Level = Library(lib), ShareType(share), OpenType(open), Frequency(freq), Level(level)
		return h, err
	})
	if err != nil {
		return nil, err
	}
	facet := func(name, sqlText string) error {
		rows, err := s.DB.QueryContext(ctx, sqlText, args...)
		if err != nil {
			return err
		}
		vals, err := db.Collect(rows, func(sc db.Scanner) (FacetValue, error) {
			var f FacetValue
			return f, sc.Scan(&f.Value, &f.Label, &f.Count)
		})
		res.Facets[name] = vals
		return err
	}
	for _, col := range []string{"library", "share_type", "open_type", "update_frequency", "level", "data_form"} {
		if err := facet(col, `SELECT r.`+col+`, '', count(*) FROM resources r WHERE `+where+` GROUP BY r.`+col+` ORDER BY count(*) DESC, r.`+col); err != nil {
			return nil, err
		}
	}
	if err := facet("provider", `SELECT r.provider_org_id, COALESCE(o.name, ''), count(*) FROM resources r LEFT JOIN organizations o ON o.id = r.provider_org_id
		WHERE `+where+` GROUP BY r.provider_org_id, o.name ORDER BY count(*) DESC, o.name LIMIT 50`); err != nil {
		return nil, err
	}
	if err := facet("region", `SELECT r.region_code, '', count(*) FROM resources r WHERE `+where+` GROUP BY r.region_code ORDER BY count(*) DESC, r.region_code LIMIT 50`); err != nil {
		return nil, err
	}
	for _, kind := range []string{"theme", "format"} {
		if err := facet(kind, `SELECT f.value, '', count(*) FROM resource_facets f JOIN resources r ON r.id = f.resource_id
			WHERE f.kind = '`+kind+`' AND `+where+` GROUP BY f.value ORDER BY count(*) DESC, f.value LIMIT 50`); err != nil {
			return nil, err
		}
	}
	for i, f := range res.Facets["region"] {
		if reg, ok := s.Identity.Regions.Get(f.Value); ok {
			res.Facets["region"][i].Label = reg.Name
		}
	}
	return res, nil
}

// Drafts lists the entries of the actor's institutions that are not
// published in their latest version (the compiler's work list).
func (s *Service) Drafts(ctx context.Context) ([]*Resource, error) {
	a := identity.ActorFrom(ctx)
	if a == nil || len(a.OrgIDs()) == 0 {
		return nil, nil
	}
	var args []any
	var ph []string
	for _, id := range a.OrgIDs() {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+resourceColumns+` FROM resources r LEFT JOIN organizations o ON o.id = r.provider_org_id
		WHERE r.provider_org_id IN (`+strings.Join(ph, ",")+`) AND r.latest_status <> 'published' ORDER BY r.updated_at DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	list, err := db.Collect(rows, scanResource)
	if err != nil {
		return nil, err
	}
	for _, r := range list {
		if e, _, err := s.version(ctx, s.DB, r.ID, r.LatestVersion); err == nil {
			r.Entry, r.Version = *e, r.LatestVersion
		}
	}
	return list, nil
}
