// Package dcat describes the open catalog in DCAT-AP 3 (W3C DCAT with the
// EU application profile), as Turtle and JSON-LD, so that European and
// international data portals and harvesters can read it (G1). The graph is
// checked in CI against the official DCAT-AP 3.0.1 SHACL shapes.
package dcat

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Namespaces used by the feed.
var prefixes = [][2]string{
	{"dcat", "http://www.w3.org/ns/dcat#"}, {"dct", "http://purl.org/dc/terms/"}, {"foaf", "http://xmlns.com/foaf/0.1/"},
	{"skos", "http://www.w3.org/2004/02/skos/core#"}, {"vcard", "http://www.w3.org/2006/vcard/ns#"}, {"xsd", "http://www.w3.org/2001/XMLSchema#"},
	{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}, {"hydra", "http://www.w3.org/ns/hydra/core#"}, {"adms", "http://www.w3.org/ns/adms#"},
}

// expand turns "dct:title" into its full IRI.
func expand(curie string) string {
	for _, p := range prefixes {
		if strings.HasPrefix(curie, p[0]+":") {
			return p[1] + curie[len(p[0])+1:]
		}
	}
	return curie
}

// Term is an RDF term: an IRI, a blank node or a literal.
type Term struct {
	IRI      string
	Blank    string
	Value    string
	Lang     string
	Datatype string // curie or IRI
}

// I is an IRI term; L a plain literal; Z a Chinese literal; T a typed literal.
func I(iri string) Term                    { return Term{IRI: expand(iri)} }
func B(id string) Term                     { return Term{Blank: id} }
func L(v string) Term                      { return Term{Value: v} }
func Lang(v, lang string) Term             { return Term{Value: v, Lang: lang} }
func T(v, datatype string) Term            { return Term{Value: v, Datatype: expand(datatype)} }
func (t Term) literal() bool               { return t.IRI == "" && t.Blank == "" }
func (t Term) key() string                 { return t.IRI + "|" + t.Blank }
func (g *Graph) Type(s Term, class string) { g.Add(s, "rdf:type", I(class)) }

type triple struct {
	s Term
	p string
	o Term
}

// Graph is a set of triples in insertion order.
type Graph struct {
	triples []triple
	seen    map[string]bool
}

// Add adds a triple (duplicates are ignored); empty literals are skipped.
func (g *Graph) Add(s Term, p string, o Term) {
	if o.literal() && o.Value == "" {
		return
	}
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	k := s.key() + " " + p + " " + o.key() + "|" + o.Value + "|" + o.Lang + "|" + o.Datatype
	if g.seen[k] {
		return
	}
	g.seen[k] = true
	g.triples = append(g.triples, triple{s, expand(p), o})
}

func turtleIRI(iri string) string {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(iri, p[1]); ok && rest != "" && !strings.ContainsAny(rest, "/#?:.") {
			return p[0] + ":" + rest
		}
	}
	r := strings.NewReplacer(">", "%3E", "<", "%3C", " ", "%20", `"`, "%22", "{", "%7B", "}", "%7D", "|", "%7C", "\\", "%5C", "^", "%5E", "`", "%60")
	return "<" + r.Replace(iri) + ">"
}

func turtleTerm(t Term) string {
	switch {
	case t.IRI != "":
		if t.IRI == expand("rdf:type") {
			return "a"
		}
		return turtleIRI(t.IRI)
	case t.Blank != "":
		return "_:" + t.Blank
	}
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(t.Value)
	switch {
	case t.Lang != "":
		return `"` + esc + `"@` + t.Lang
	case t.Datatype != "":
		return `"` + esc + `"^^` + turtleIRI(t.Datatype)
	}
	return `"` + esc + `"`
}

// subjects groups triples by subject in first-seen order.
func (g *Graph) subjects() ([]Term, map[string][]triple) {
	var order []Term
	by := map[string][]triple{}
	for _, t := range g.triples {
		k := t.s.key()
		if _, ok := by[k]; !ok {
			order = append(order, t.s)
		}
		by[k] = append(by[k], t)
	}
	return order, by
}

// WriteTurtle serializes the graph as Turtle.
func (g *Graph) WriteTurtle(w io.Writer) error {
	var b strings.Builder
	for _, p := range prefixes {
		fmt.Fprintf(&b, "@prefix %s: <%s> .\n", p[0], p[1])
	}
	order, by := g.subjects()
	for _, s := range order {
		b.WriteString("\n" + turtleTerm(s))
		ts := by[s.key()]
		for i, t := range ts {
			pred := turtleTerm(Term{IRI: t.p})
			sep := " ;\n    "
			if i == 0 {
				sep = " "
			}
			b.WriteString(sep + pred + " " + turtleTerm(t.o))
		}
		b.WriteString(" .\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSONLD serializes the graph as expanded, flattened JSON-LD (no remote
// context is needed to read it).
func (g *Graph) WriteJSONLD(w io.Writer) error {
	order, by := g.subjects()
	var nodes []map[string]any
	for _, s := range order {
		n := map[string]any{}
		if s.IRI != "" {
			n["@id"] = s.IRI
		} else {
			n["@id"] = "_:" + s.Blank
		}
		props := map[string][]any{}
		var types []string
		for _, t := range by[s.key()] {
			if t.p == expand("rdf:type") {
				types = append(types, t.o.IRI)
				continue
			}
			var v map[string]any
			switch {
			case t.o.IRI != "":
				v = map[string]any{"@id": t.o.IRI}
			case t.o.Blank != "":
				v = map[string]any{"@id": "_:" + t.o.Blank}
			case t.o.Lang != "":
				v = map[string]any{"@value": t.o.Value, "@language": t.o.Lang}
			case t.o.Datatype != "":
				v = map[string]any{"@value": t.o.Value, "@type": t.o.Datatype}
			default:
				v = map[string]any{"@value": t.o.Value}
			}
			props[t.p] = append(props[t.p], v)
		}
		if len(types) > 0 {
			sort.Strings(types)
			n["@type"] = types
		}
		for p, vs := range props {
			n[p] = vs
		}
		nodes = append(nodes, n)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(map[string]any{"@graph": nodes})
}
