package region

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
)

func builtinTree(t *testing.T) *Tree {
	t.Helper()
	tr, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func codes(rs []Region) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func TestBuiltinCountsPerLevelArePlausible(t *testing.T) {
	tr := builtinTree(t)
	counts := map[Level]int{}
	for _, r := range tr.All() {
		counts[r.Level]++
	}
	// The source covers the 31 mainland provincial units; Hong Kong (81),
	// Macau (82) and Taiwan (71) are not in it.
	for _, c := range []struct {
		level    Level
		min, max int
	}{
		{Province, 31, 31},
		{Prefecture, 330, 360},
		{County, 2800, 2900},
	} {
		if n := counts[c.level]; n < c.min || n > c.max {
			t.Errorf("level %d: %d regions, want %d..%d", c.level, n, c.min, c.max)
		}
	}
	if sum := counts[Province] + counts[Prefecture] + counts[County]; sum != tr.Len() || len(tr.All()) != tr.Len() {
		t.Errorf("Len %d, All %d, sum of levels %d", tr.Len(), len(tr.All()), sum)
	}
	for _, c := range []string{"710000", "810000", "820000"} {
		if _, ok := tr.Get(c); ok {
			t.Errorf("%s is in the tree; the docs say the source does not have it", c)
		}
	}
}

func TestBuiltinHasKnownEntries(t *testing.T) {
	tr := builtinTree(t)
	for _, c := range []struct {
		code, name, parent string
		level              Level
	}{
		{"530000", "云南省", "", Province},
		{"530100", "昆明市", "530000", Prefecture},
		{"530102", "五华区", "530100", County},
		{"530300", "曲靖市", "530000", Prefecture},
		{"530302", "麒麟区", "530300", County},
		{"110000", "北京市", "", Province},
		{"110100", "市辖区", "110000", Prefecture},
		{"110101", "东城区", "110100", County},
		{"500200", "县", "500000", Prefecture},
		{"429000", "省直辖县级行政区划", "420000", Prefecture},
		{"429004", "仙桃市", "429000", County},
		{"441900", "东莞市", "440000", Prefecture},
		// Regions the policy profiles refer to.
		{"371000", "威海市", "370000", Prefecture},
		{"230800", "佳木斯市", "230000", Prefecture},
		{"621000", "庆阳市", "620000", Prefecture},
		{"130700", "张家口市", "130000", Prefecture},
	} {
		t.Run(c.code, func(t *testing.T) {
			want := Region{Code: c.code, Name: c.name, Parent: c.parent, Level: c.level}
			if got, ok := tr.Get(c.code); !ok || got != want {
				t.Errorf("Get(%s) = %+v, %v; want %+v", c.code, got, ok, want)
			}
		})
	}
}

func TestBuiltinExcludesStatisticalOnlyZones(t *testing.T) {
	tr := builtinTree(t)
	for _, r := range tr.All() {
		if r.Level == County && r.Code[4] == '7' && r.Code[5] >= '1' && r.Code[5] <= '9' {
			t.Errorf("statistical-only zone %s %s is in the tree", r.Code, r.Name)
		}
	}
	if _, ok := tr.Get("130171"); ok { // 石家庄高新技术产业开发区 in the source
		t.Error("130171 is in the tree")
	}
}

func TestBuiltinIsConsistent(t *testing.T) {
	tr := builtinTree(t)
	all := tr.All()
	if !slices.IsSortedFunc(all, func(a, b Region) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("All is not sorted by code")
	}
	n := 0
	var walk func(code string, depth Level)
	walk = func(code string, depth Level) {
		kids := tr.Children(code)
		if !slices.IsSorted(codes(kids)) {
			t.Errorf("Children(%q) not sorted", code)
		}
		for _, k := range kids {
			n++
			if k.Parent != code || k.Level != depth {
				t.Errorf("%+v listed under %q at depth %d", k, code, depth)
			}
			walk(k.Code, depth+1)
		}
	}
	walk("", Province)
	if n != tr.Len() {
		t.Errorf("walking Children reaches %d regions, Len is %d", n, tr.Len())
	}
}

func TestBuiltinIsSharedAndSafeForConcurrentUse(t *testing.T) {
	a, b := builtinTree(t), builtinTree(t)
	if a != b {
		t.Error("Builtin parsed twice")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tr, err := Builtin()
			if err != nil || !tr.IsWithin("530102", "530000") || tr.Path("530102") == "" {
				t.Error("concurrent lookup failed")
			}
		})
	}
	wg.Wait()
}

func TestReturnedSlicesDoNotAliasTheTree(t *testing.T) {
	tr := builtinTree(t)
	tr.Children("")[0].Name = "x"
	tr.All()[0].Name = "x"
	if tr.Children("")[0].Name == "x" || tr.All()[0].Name == "x" {
		t.Error("modifying a returned slice changed the tree")
	}
}

func TestAncestorsListRootFirstWithoutTheRegion(t *testing.T) {
	tr := builtinTree(t)
	for _, c := range []struct {
		code string
		want []string
	}{
		{"530102", []string{"530000", "530100"}},
		{"110101", []string{"110000", "110100"}},
		{"429004", []string{"420000", "429000"}},
		{"530100", []string{"530000"}},
		{"530000", nil},
		{"999999", nil},
		{"", nil},
	} {
		if got := codes(tr.Ancestors(c.code)); !slices.Equal(got, c.want) {
			t.Errorf("Ancestors(%q) = %v, want %v", c.code, got, c.want)
		}
	}
}

func TestIsWithinFollowsTheTree(t *testing.T) {
	tr := builtinTree(t)
	for _, c := range []struct {
		code, ancestor string
		want           bool
	}{
		{"530102", "530000", true},  // county in province
		{"530102", "530100", true},  // county in prefecture
		{"530102", "530102", true},  // itself
		{"530100", "530100", true},  // itself
		{"110101", "110000", true},  // through the municipality's 市辖区
		{"429004", "420000", true},  // through 省直辖县级行政区划
		{"530302", "530100", false}, // sibling prefecture
		{"530000", "530100", false}, // ancestor is below
		{"530102", "110000", false}, // other province
		{"530102", "", false},       // empty ancestor
		{"", "", false},
		{"999999", "530000", false}, // unknown code
	} {
		if got := tr.IsWithin(c.code, c.ancestor); got != c.want {
			t.Errorf("IsWithin(%q, %q) = %v, want %v", c.code, c.ancestor, got, c.want)
		}
	}
}

func TestPathJoinsNamesAndSkipsGroupingLevels(t *testing.T) {
	tr := builtinTree(t)
	for code, want := range map[string]string{
		"530102": "云南省 / 昆明市 / 五华区",
		"530000": "云南省",
		"110101": "北京市 / 东城区",
		"110100": "北京市 / 市辖区",
		"429004": "湖北省 / 仙桃市",
		"999999": "",
	} {
		if got := tr.Path(code); got != want {
			t.Errorf("Path(%s) = %q, want %q", code, got, want)
		}
	}
}

func TestChildrenOfRootAreProvinces(t *testing.T) {
	tr := builtinTree(t)
	kids := tr.Children("")
	for _, k := range kids {
		if k.Level != Province {
			t.Errorf("%+v among the root's children", k)
		}
	}
	if len(kids) != 31 {
		t.Errorf("%d provinces", len(kids))
	}
	if got := codes(tr.Children("110000")); !slices.Equal(got, []string{"110100"}) {
		t.Errorf("Children(110000) = %v", got)
	}
	if tr.Children("530102") != nil || tr.Children("nope") != nil {
		t.Error("a county or an unknown code has children")
	}
}

func TestValidCodeIsSixDigits(t *testing.T) {
	for code, want := range map[string]bool{
		"530102": true, "000000": true, "53010": false, "5301020": false,
		"53010a": false, "": false, "５３０１０２": false, " 53010": false,
	} {
		if got := ValidCode(code); got != want {
			t.Errorf("ValidCode(%q) = %v", code, got)
		}
	}
}

func TestParseAcceptsUnsortedRowsAndBOM(t *testing.T) {
	tr, err := Parse(strings.NewReader("\uFEFFcode,name,parent\n530102,五华区,530100\n530000,云南省,\n530100,昆明市,530000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(tr.All()); !slices.Equal(got, []string{"530000", "530100", "530102"}) {
		t.Errorf("All = %v", got)
	}
	if got := tr.Path("530102"); got != "云南省 / 昆明市 / 五华区" {
		t.Errorf("Path = %q", got)
	}
}

func TestParseRejectsBrokenData(t *testing.T) {
	const head = "code,name,parent\n"
	for _, c := range []struct{ name, body, wantErr string }{
		{"empty input", "", "empty data"},
		{"header only", head, "no regions"},
		{"bad header", "a,b,c\n", "header must be code,name,parent"},
		{"wrong field count", head + "530000,云南省\n", "wrong number of fields"},
		{"duplicate code", head + "530000,云南省,\n530000,云南,\n", "line 3: duplicate code 530000 (first on line 2)"},
		{"missing parent", head + "530000,云南省,\n530102,五华区,530100\n", "line 3: parent 530100 of 530102 五华区 does not exist"},
		{"short code", head + "53000,云南省,\n", `line 2: code "53000" is not 6 digits`},
		{"letters in code", head + "53000x,云南省,\n", "not 6 digits"},
		{"no province part", head + "000000,全国,\n", "no province part"},
		{"no prefecture part", head + "530000,云南省,\n530001,某县,530000\n", "no prefecture part"},
		{"empty name", head + "530000,,\n", "empty name"},
		{"province with parent", head + "110000,北京市,\n530000,云南省,110000\n", "530000 is a province (xx0000) and must have no parent"},
		{"county without parent", head + "530000,云南省,\n530102,五华区,\n", `parent of 530102 (level 3) must be 530100, got ""`},
		{"county under province", head + "530000,云南省,\n530102,五华区,530000\n", "must be 530100"},
		{"prefecture in other province", head + "530000,云南省,\n110000,北京市,\n110100,市辖区,530000\n", "parent of 110100 (level 2) must be 110000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Parse(strings.NewReader(c.body))
			if err == nil {
				t.Fatalf("accepted (%d regions)", tr.Len())
			}
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("error %q does not mention %q", err, c.wantErr)
			}
		})
	}
}

func TestRegionJSONShape(t *testing.T) {
	for _, c := range []struct {
		r    Region
		want string
	}{
		{Region{Code: "530102", Name: "五华区", Parent: "530100", Level: County}, `{"code":"530102","name":"五华区","parent":"530100","level":3}`},
		{Region{Code: "530000", Name: "云南省", Level: Province}, `{"code":"530000","name":"云南省","level":1}`},
	} {
		b, err := json.Marshal(c.r)
		if err != nil || string(b) != c.want {
			t.Errorf("json %s, %v; want %s", b, err, c.want)
		}
	}
}

func TestPrefixCoversARegionAndEverythingBelowIt(t *testing.T) {
	for code, want := range map[string]string{"530000": "53", "530100": "5301", "530102": "530102", "00": "00", "": "", "5300": "5300"} {
		if got := Prefix(code); got != want {
			t.Errorf("Prefix(%q) = %q, want %q", code, got, want)
		}
	}
}
