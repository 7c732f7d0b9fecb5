package region

import (
	"strings"
	"testing"
)

func TestBuiltinTreeHasTheKnownDivisions(t *testing.T) {
	tr, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Level]int{}
	for _, r := range tr.All() {
		counts[r.Level]++
		if r.Level == County && r.Code[4] == '7' {
			t.Errorf("statistical-only zone %s %s kept", r.Code, r.Name)
		}
	}
	if counts[Province] != 31 || counts[Prefecture] < 330 || counts[County] < 2800 {
		t.Errorf("counts per level: %v", counts)
	}
	for code, name := range map[string]string{"530000": "云南省", "530100": "昆明市", "530102": "五华区", "530300": "曲靖市",
		"530302": "麒麟区", "110101": "东城区", "429004": "仙桃市", "371000": "威海市", "230800": "佳木斯市", "621000": "庆阳市", "130700": "张家口市"} {
		if r, ok := tr.Get(code); !ok || r.Name != name {
			t.Errorf("%s = %+v, want %s", code, r, name)
		}
	}
	if got := tr.Path("530102"); got != "云南省 / 昆明市 / 五华区" {
		t.Errorf("path %q", got)
	}
	if a := tr.Ancestors("110101"); len(a) != 2 || a[0].Code != "110000" || a[1].Code != "110100" {
		t.Errorf("ancestors of 110101: %v", a)
	}
	if !tr.IsWithin("530102", "530000") || !tr.IsWithin("530100", "530100") || tr.IsWithin("530302", "530100") || tr.IsWithin("530000", "530100") {
		t.Error("IsWithin is wrong")
	}
	if len(tr.Children("")) != 31 {
		t.Error("provinces are not the root's children")
	}
}

func TestParseRejectsBrokenData(t *testing.T) {
	for name, body := range map[string]string{
		"duplicate":      "code,name,parent\n530000,云南省,\n530000,云南省,\n",
		"missing parent": "code,name,parent\n530100,昆明市,530000\n",
		"bad code":       "code,name,parent\n53000,云南省,\n",
		"wrong level":    "code,name,parent\n530000,云南省,\n530102,五华区,\n",
		"bad header":     "a,b,c\n",
		"foreign child":  "code,name,parent\n530000,云南省,\n110000,北京市,\n110100,市辖区,530000\n",
	} {
		if _, err := Parse(strings.NewReader(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
