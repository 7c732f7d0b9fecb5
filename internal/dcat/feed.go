package dcat

import (
	"strconv"
	"strings"
	"time"

	"gongshu/internal/catalog"
)

const eu = "http://publications.europa.eu/resource/authority/"

var frequencies = map[catalog.Frequency]string{"realtime": "UPDATE_CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY",
	"quarterly": "QUARTERLY", "yearly": "ANNUAL", "irregular": "IRREG"}

var accessRights = map[catalog.OpenType]string{catalog.OpenUnconditional: "PUBLIC", catalog.OpenConditional: "RESTRICTED", catalog.OpenNone: "NON_PUBLIC"}

var fileTypes = map[string]string{"csv": "CSV", "xlsx": "XLSX", "xls": "XLS", "json": "JSON", "xml": "XML", "pdf": "PDF", "shp": "SHP",
	"geojson": "GEOJSON", "zip": "ZIP", "api": "REST"}

var licences = map[string]string{"CC BY 4.0": "CC_BY_4_0", "CC0": "CC0", "CC BY-SA 4.0": "CC_BY_SA_4_0"}

// Site describes the deployment the feed belongs to.
type Site struct {
	Base      string // https://data.example.gov.cn (no trailing slash)
	Title     string
	TitleEN   string
	Publisher Agent
	Modified  time.Time
}

// Agent is a publisher.
type Agent struct {
	ID, Name, NameEN string
}

// Page describes paging of the catalog feed.
type Page struct {
	Self, First, Next, Last string
	Total                   int
}

func (s Site) agent(g *Graph, a Agent) Term {
	t := I(s.Base + "/orgs/" + a.ID)
	g.Type(t, "foaf:Agent")
	g.Add(t, "foaf:name", Lang(a.Name, "zh"))
	if a.NameEN != "" {
		g.Add(t, "foaf:name", Lang(a.NameEN, "en"))
	}
	return t
}

// Catalog adds the catalog node, linking the datasets of this page.
func (s Site) Catalog(g *Graph, datasets []*catalog.Resource, agents map[string]Agent, page Page) {
	c := I(s.Base + "/catalog")
	g.Type(c, "dcat:Catalog")
	g.Add(c, "dct:title", Lang(s.Title, "zh"))
	g.Add(c, "dct:title", Lang(s.TitleEN, "en"))
	g.Add(c, "dct:description", Lang("统一公共数据开放目录：可无条件或有条件开放的公共数据资源。", "zh"))
	g.Add(c, "dct:description", Lang("The unified open public data catalog: resources open unconditionally or on conditions.", "en"))
	g.Add(c, "dct:publisher", s.agent(g, s.Publisher))
	home := I(s.Base + "/")
	g.Type(home, "foaf:Document")
	g.Add(c, "foaf:homepage", home)
	zho := I(eu + "language/ZHO")
	g.Type(zho, "dct:LinguisticSystem")
	g.Add(c, "dct:language", zho)
	g.Add(c, "dcat:themeTaxonomy", s.themeScheme(g))
	if !s.Modified.IsZero() {
		g.Add(c, "dct:modified", T(s.Modified.UTC().Format(time.RFC3339), "xsd:dateTime"))
	}
	for _, r := range datasets {
		g.Add(c, "dcat:dataset", s.Dataset(g, r, agents[r.ProviderOrgID]))
	}
	if page.Self != "" {
		v := I(page.Self)
		g.Type(v, "hydra:PartialCollectionView")
		g.Add(c, "hydra:view", v)
		g.Add(v, "hydra:first", I(page.First))
		g.Add(v, "hydra:last", I(page.Last))
		if page.Next != "" {
			g.Add(v, "hydra:next", I(page.Next))
		}
		g.Add(c, "hydra:totalItems", T(itoa(page.Total), "xsd:nonNegativeInteger"))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s Site) themeScheme(g *Graph) Term {
	t := I(s.Base + "/themes")
	g.Type(t, "skos:ConceptScheme")
	g.Add(t, "dct:title", Lang("公共数据基础库与主题库", "zh"))
	g.Add(t, "dct:title", Lang("Base and thematic libraries of public data", "en"))
	return t
}

func (s Site) theme(g *Graph, name string) Term {
	slug := themeSlug(name)
	t := I(s.Base + "/themes/" + slug)
	g.Type(t, "skos:Concept")
	g.Add(t, "skos:prefLabel", Lang(name, "zh"))
	g.Add(t, "skos:inScheme", s.themeScheme(g))
	return t
}

func themeSlug(name string) string {
	for i, b := range catalog.BaseDatabases {
		if b == name {
			return "base-" + itoa(i+1)
		}
	}
	for i, th := range catalog.Themes {
		if th == name {
			return "theme-" + itoa(i+1)
		}
	}
	return "other"
}

// Dataset adds one resource as a dcat:Dataset with its distributions.
func (s Site) Dataset(g *Graph, r *catalog.Resource, provider Agent) Term {
	e := r.Entry
	page := s.Base + "/catalog/" + r.ID
	d := I(page)
	g.Type(d, "dcat:Dataset")
	g.Add(d, "dct:identifier", L(r.Code))
	g.Add(d, "dct:title", Lang(e.Name, "zh"))
	g.Add(d, "dct:description", Lang(e.Summary, "zh"))
	if provider.ID == "" {
		provider = Agent{ID: r.ProviderOrgID, Name: r.ProviderName}
	}
	g.Add(d, "dct:publisher", s.agent(g, provider))
	for _, th := range append([]string{e.BaseDatabase}, e.Themes...) {
		if th != "" {
			g.Add(d, "dcat:theme", s.theme(g, th))
		}
	}
	for _, k := range e.Tags {
		g.Add(d, "dcat:keyword", Lang(k, "zh"))
	}
	if f, ok := frequencies[e.UpdateFrequency]; ok {
		ft := I(eu + "frequency/" + f)
		g.Type(ft, "dct:Frequency")
		g.Add(d, "dct:accrualPeriodicity", ft)
	}
	if ar, ok := accessRights[e.OpenType]; ok {
		at := I(eu + "access-right/" + ar)
		g.Type(at, "dct:RightsStatement")
		g.Add(d, "dct:accessRights", at)
	}
	if e.SpatialCoverage != "" {
		loc := I(s.Base + "/regions/" + e.SpatialCoverage)
		g.Type(loc, "dct:Location")
		g.Add(d, "dct:spatial", loc)
	}
	if e.Contact != "" || e.ProvidingDept != "" {
		cp := B("contact-" + r.ID)
		g.Type(cp, "vcard:Kind")
		name := e.ProvidingDept
		if name == "" {
			name = provider.Name
		}
		g.Add(cp, "vcard:fn", Lang(name, "zh"))
		if e.Contact != "" {
			g.Add(cp, "vcard:hasTelephone", L(e.Contact))
		}
		g.Add(d, "dcat:contactPoint", cp)
	}
	landing := I(page)
	g.Add(d, "dcat:landingPage", landing)
	g.Type(landing, "foaf:Document")
	zho := I(eu + "language/ZHO")
	g.Type(zho, "dct:LinguisticSystem")
	g.Add(d, "dct:language", zho)
	g.Add(d, "dct:modified", T(r.UpdatedAt.UTC().Format(time.RFC3339), "xsd:dateTime"))
	g.Add(d, "dcat:version", L(itoa(r.Version)))
	formats := e.Formats
	if len(formats) == 0 {
		formats = []string{""}
	}
	for _, f := range formats {
		dist := I(page + "#distribution-" + strings.ToLower(f))
		g.Type(dist, "dcat:Distribution")
		g.Add(dist, "dcat:accessURL", I(page))
		g.Add(dist, "dct:title", Lang(e.Name+" "+strings.ToUpper(f), "zh"))
		if ft, ok := fileTypes[strings.ToLower(f)]; ok {
			fmtTerm := I(eu + "file-type/" + ft)
			g.Type(fmtTerm, "dct:MediaTypeOrExtent")
			g.Add(dist, "dct:format", fmtTerm)
		}
		if l, ok := licences[e.Licence]; ok {
			lt := I(eu + "licence/" + l)
			g.Type(lt, "dct:LicenseDocument")
			g.Add(dist, "dct:license", lt)
		}
		g.Add(d, "dcat:distribution", dist)
	}
	return d
}
