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
	Tag       string    `json:"tag"`
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
		if e, ver, err := s.version(ctx, s.DB, r.ID, r.LatestVersion); err == nil {
			r.Entry, r.Version, r.CaseID = *e, r.LatestVersion, ver.CaseID
			r.LatestStatus = s.effectiveStatus(ctx, r.LatestStatus, ver.CaseID)
		}
	}
	return list, nil
}

// InstitutionScore is the metadata completeness of one institution's catalog.
type InstitutionScore struct {
	OrgID   string         `json:"org_id"`
	OrgName string         `json:"org_name"`
	Entries int            `json:"entries"`
	Average int            `json:"average"`
	Missing map[string]int `json:"missing"` // field → entries lacking it
}

// Quality scores the latest versions of each institution's entries that the
// actor may see (its own institution; an authority sees its region).
func (s *Service) Quality(ctx context.Context) ([]InstitutionScore, error) {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return nil, nil
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+resourceColumns+` FROM resources r LEFT JOIN organizations o ON o.id = r.provider_org_id ORDER BY o.name, r.code`)
	if err != nil {
		return nil, err
	}
	list, err := db.Collect(rows, scanResource)
	if err != nil {
		return nil, err
	}
	by := map[string]*InstitutionScore{}
	var order []string
	for _, r := range list {
		if !s.canSeeDrafts(a, r) {
			continue
		}
		e, _, err := s.version(ctx, s.DB, r.ID, r.LatestVersion)
		if err != nil {
			return nil, err
		}
		sc, ok := by[r.ProviderOrgID]
		if !ok {
			sc = &InstitutionScore{OrgID: r.ProviderOrgID, OrgName: r.ProviderName, Missing: map[string]int{}}
			by[r.ProviderOrgID] = sc
			order = append(order, r.ProviderOrgID)
		}
		score, missing := Completeness(e)
		sc.Average += score
		sc.Entries++
		for _, m := range missing {
			sc.Missing[m]++
		}
	}
	out := make([]InstitutionScore, 0, len(order))
	for _, id := range order {
		sc := by[id]
		sc.Average /= sc.Entries
		out = append(out, *sc)
	}
	return out, nil
}
