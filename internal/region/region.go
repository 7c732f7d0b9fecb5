// Package region is the tree of administrative divisions (行政区划) keyed by
// GB/T 2260 codes down to county level (A1: one platform per province or
// city, lower levels inside it, YN§8-9). The tree is embedded as a data file
// and copied into the database on first start.
package region

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Level is the depth of a division.
type Level int

const (
	Province   Level = 1
	Prefecture Level = 2
	County     Level = 3
)

// Region is one administrative division.
type Region struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Level  Level  `json:"level"`
}

// Tree is an immutable set of regions; safe for concurrent use.
type Tree struct {
	byCode   map[string]Region
	children map[string][]Region
	all      []Region
}

//go:embed data/gbt2260.csv
var builtinCSV []byte

var builtin = sync.OnceValues(func() (*Tree, error) { return Parse(bytes.NewReader(builtinCSV)) })

// Builtin returns the embedded national tree.
func Builtin() (*Tree, error) { return builtin() }

// ValidCode reports whether code is syntactically a GB/T 2260 code.
func ValidCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func levelOf(code string) Level {
	switch {
	case strings.HasSuffix(code, "0000"):
		return Province
	case strings.HasSuffix(code, "00"):
		return Prefecture
	}
	return County
}

// Parse reads "code,name,parent" rows and checks that codes are unique,
// parents exist and levels follow the code pattern.
func Parse(r io.Reader) (*Tree, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("region data: %w", err)
	}
	if strings.Join(header, ",") != "code,name,parent" {
		return nil, fmt.Errorf("region data: header must be code,name,parent, got %v", header)
	}
	t := &Tree{byCode: map[string]Region{}, children: map[string][]Region{}}
	line := 1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("region data line %d: %w", line, err)
		}
		reg := Region{Code: rec[0], Name: strings.TrimSpace(rec[1]), Parent: rec[2], Level: levelOf(rec[0])}
		switch {
		case !ValidCode(reg.Code):
			return nil, fmt.Errorf("region data line %d: code %q is not 6 digits", line, reg.Code)
		case reg.Name == "":
			return nil, fmt.Errorf("region data line %d: empty name", line)
		case t.byCode[reg.Code].Code != "":
			return nil, fmt.Errorf("region data line %d: duplicate code %s", line, reg.Code)
		case (reg.Level == Province) != (reg.Parent == ""):
			return nil, fmt.Errorf("region data line %d: %s: only provinces (xx0000) have no parent", line, reg.Code)
		}
		t.byCode[reg.Code] = reg
		t.all = append(t.all, reg)
	}
	sort.Slice(t.all, func(i, j int) bool { return t.all[i].Code < t.all[j].Code })
	for _, reg := range t.all {
		if reg.Parent == "" {
			t.children[""] = append(t.children[""], reg)
			continue
		}
		parent, ok := t.byCode[reg.Parent]
		if !ok {
			return nil, fmt.Errorf("region data: parent %s of %s does not exist", reg.Parent, reg.Code)
		}
		if parent.Level >= reg.Level || !strings.HasPrefix(reg.Code, prefix(parent.Code)) {
			return nil, fmt.Errorf("region data: %s cannot be under %s", reg.Code, parent.Code)
		}
		t.children[reg.Parent] = append(t.children[reg.Parent], reg)
	}
	return t, nil
}

func prefix(code string) string {
	switch levelOf(code) {
	case Province:
		return code[:2]
	case Prefecture:
		return code[:4]
	}
	return code
}

// Get returns a region by code.
func (t *Tree) Get(code string) (Region, bool) { r, ok := t.byCode[code]; return r, ok }

// Children lists the direct subdivisions (provinces for ""), by code.
func (t *Tree) Children(code string) []Region { return append([]Region(nil), t.children[code]...) }

// Ancestors lists the regions above code, root first.
func (t *Tree) Ancestors(code string) []Region {
	var out []Region
	r, ok := t.byCode[code]
	for ok && r.Parent != "" {
		r, ok = t.byCode[r.Parent]
		if ok {
			out = append([]Region{r}, out...)
		}
	}
	return out
}

// IsWithin reports whether code is ancestor or lies below it.
func (t *Tree) IsWithin(code, ancestor string) bool {
	if code == ancestor {
		return code != ""
	}
	for _, a := range t.Ancestors(code) {
		if a.Code == ancestor {
			return true
		}
	}
	return false
}

// Path is the readable path of a region, e.g. "云南省 / 昆明市 / 五华区".
func (t *Tree) Path(code string) string {
	var names []string
	for _, a := range t.Ancestors(code) {
		if a.Name != "市辖区" && a.Name != "县" {
			names = append(names, a.Name)
		}
	}
	if r, ok := t.byCode[code]; ok {
		names = append(names, r.Name)
	}
	return strings.Join(names, " / ")
}

// Len is the number of regions.
func (t *Tree) Len() int { return len(t.all) }

// All lists every region by code.
func (t *Tree) All() []Region { return append([]Region(nil), t.all...) }
