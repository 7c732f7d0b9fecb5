package region

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Level is the depth of a division in the tree.
type Level int

const (
	Province   Level = 1 // 省级: xx0000
	Prefecture Level = 2 // 地级: xxyy00 (including 市辖区 / 县 of the municipalities and 省直辖县级行政区划)
	County     Level = 3 // 县级: anything else
)

// Region is one administrative division (行政区划) keyed by its GB/T 2260 code (A1).
type Region struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Level  Level  `json:"level"`
}

// Tree is an immutable set of regions; it is safe for concurrent use.
// Methods return copies, so callers may modify what they get.
type Tree struct {
	byCode   map[string]Region
	children map[string][]Region // "" holds the provinces
	all      []Region            // sorted by code
}

//go:embed data/gbt2260.csv
var builtinCSV []byte

var builtin = sync.OnceValues(func() (*Tree, error) { return Parse(bytes.NewReader(builtinCSV)) })

// Builtin returns the embedded national tree, parsed on first use and
// shared afterwards.
func Builtin() (*Tree, error) {
	t, err := builtin()
	if err != nil {
		return nil, fmt.Errorf("region: embedded data/gbt2260.csv: %w", err)
	}
	return t, nil
}

// ValidCode reports whether code is syntactically a GB/T 2260 code: six
// ASCII digits. It does not say whether the code exists; use Tree.Get.
func ValidCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// levelOf derives the level from a valid code's pattern.
func levelOf(code string) Level {
	switch {
	case code[2:] == "0000":
		return Province
	case code[4:] == "00":
		return Prefecture
	}
	return County
}

// parentOf derives the parent code a valid code must have: "" for a
// province, xx0000 for a prefecture, xxyy00 for a county.
func parentOf(code string) string {
	switch levelOf(code) {
	case Province:
		return ""
	case Prefecture:
		return code[:2] + "0000"
	}
	return code[:4] + "00"
}

// Parse reads CSV with the header "code,name,parent" and one row per
// region. It rejects codes that are not six digits (or have an all-zero
// province or prefecture part where one is needed), empty names, duplicate
// codes, parents that do not follow from the code pattern (a province has
// none, xxyy00 is under xx0000, any other code under xxyy00) and parents
// missing from the data. Rows may come in any order.
func Parse(r io.Reader) (*Tree, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("region: empty data, want the header code,name,parent")
	}
	if err != nil {
		return nil, fmt.Errorf("region: %w", err)
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	if !slices.Equal(header, []string{"code", "name", "parent"}) {
		return nil, fmt.Errorf("region: line 1: header must be code,name,parent, got %s", strings.Join(header, ","))
	}

	t := &Tree{byCode: map[string]Region{}, children: map[string][]Region{}}
	lineOf := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("region: %w", err) // csv.ParseError carries the line
		}
		line, _ := cr.FieldPos(0)
		code, name, parent := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), strings.TrimSpace(rec[2])
		if err := checkCode(code); err != nil {
			return nil, fmt.Errorf("region: line %d: %w", line, err)
		}
		if name == "" {
			return nil, fmt.Errorf("region: line %d: code %s has an empty name", line, code)
		}
		if first, dup := lineOf[code]; dup {
			return nil, fmt.Errorf("region: line %d: duplicate code %s (first on line %d)", line, code, first)
		}
		reg := Region{Code: code, Name: name, Parent: parent, Level: levelOf(code)}
		if want := parentOf(code); parent != want {
			if want == "" {
				return nil, fmt.Errorf("region: line %d: %s is a province (xx0000) and must have no parent, got %q", line, code, parent)
			}
			return nil, fmt.Errorf("region: line %d: parent of %s (level %d) must be %s, got %q", line, code, reg.Level, want, parent)
		}
		lineOf[code] = line
		t.byCode[code] = reg
		t.all = append(t.all, reg)
	}
	if len(t.all) == 0 {
		return nil, errors.New("region: no regions after the header")
	}

	slices.SortFunc(t.all, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	for _, reg := range t.all {
		if reg.Parent != "" {
			if _, ok := t.byCode[reg.Parent]; !ok {
				return nil, fmt.Errorf("region: line %d: parent %s of %s %s does not exist", lineOf[reg.Code], reg.Parent, reg.Code, reg.Name)
			}
		}
		t.children[reg.Parent] = append(t.children[reg.Parent], reg)
	}
	return t, nil
}

func checkCode(code string) error {
	switch {
	case !ValidCode(code):
		return fmt.Errorf("code %q is not 6 digits", code)
	case code[:2] == "00":
		return fmt.Errorf("code %s has no province part (first two digits 00)", code)
	case code[2:4] == "00" && code[4:] != "00":
		return fmt.Errorf("code %s has no prefecture part (digits 3-4 are 00)", code)
	}
	return nil
}

// Get returns the region with the given code.
func (t *Tree) Get(code string) (Region, bool) {
	r, ok := t.byCode[code]
	return r, ok
}

// Children lists the direct subdivisions of code, sorted by code;
// Children("") lists the provinces. It is nil for unknown codes and counties.
func (t *Tree) Children(code string) []Region { return slices.Clone(t.children[code]) }

// Ancestors lists the regions above code, root (province) first, excluding
// the region itself. It is nil for provinces and unknown codes.
func (t *Tree) Ancestors(code string) []Region {
	var out []Region
	for r, ok := t.byCode[code]; ok && r.Parent != ""; {
		r, ok = t.byCode[r.Parent]
		if ok {
			out = append(out, r)
		}
	}
	slices.Reverse(out)
	return out
}

// IsWithin reports whether code is ancestor itself or lies below it. An
// empty code or ancestor is never within anything (the caller decides what
// "no region" means).
func (t *Tree) IsWithin(code, ancestor string) bool {
	if code == "" || ancestor == "" {
		return false
	}
	if code == ancestor {
		return true
	}
	for r, ok := t.byCode[code]; ok && r.Parent != ""; r, ok = t.byCode[r.Parent] {
		if r.Parent == ancestor {
			return true
		}
	}
	return false
}

// Path is the readable path of a region, e.g. "云南省 / 昆明市 / 五华区".
// Grouping levels that are not places of their own (市辖区 and 县 of the
// municipalities, 省直辖县级行政区划) are left out when they are ancestors,
// so 110101 reads "北京市 / 东城区" and 429004 "湖北省 / 仙桃市". It is ""
// for unknown codes.
func (t *Tree) Path(code string) string {
	r, ok := t.byCode[code]
	if !ok {
		return ""
	}
	var names []string
	for _, a := range t.Ancestors(code) {
		if !isGrouping(a) {
			names = append(names, a.Name)
		}
	}
	return strings.Join(append(names, r.Name), " / ")
}

func isGrouping(r Region) bool {
	return r.Level == Prefecture && (r.Name == "市辖区" || r.Name == "县" || strings.HasSuffix(r.Name, "直辖县级行政区划"))
}

// Len is the number of regions.
func (t *Tree) Len() int { return len(t.all) }

// All lists every region, sorted by code.
func (t *Tree) All() []Region { return slices.Clone(t.all) }

// Prefix is the code prefix shared by a region and everything below it:
// 530000 → 53, 530100 → 5301, 530102 → 530102. Anything that is not a
// six-character code is returned as it is.
func Prefix(code string) string {
	switch {
	case len(code) == 6 && strings.HasSuffix(code, "0000"):
		return code[:2]
	case len(code) == 6 && strings.HasSuffix(code, "00"):
		return code[:4]
	}
	return code
}
