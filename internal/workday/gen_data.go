//go:build ignore

// gen_data builds data/cn-2019-2026.json from the npm package chinese-days
// 1.5.7 (MIT). See docs/data-sources-workday.md.
//
//	cd /tmp && npm pack chinese-days@1.5.7 && mkdir -p chinese-days && tar xzf chinese-days-1.5.7.tgz -C chinese-days
//	cd /work/main/internal/workday && go run gen_data.go /tmp/chinese-days/package/dist/chinese-days.json > data/cn-2019-2026.json
//
// The output is checked by ParseFile (via the package tests) before use.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

const firstYear, lastYear = 2019, 2026

// Names as the notices write them; chinese-days abbreviates some.
var names = map[string]string{
	"元旦": "元旦", "春节": "春节", "清明": "清明节", "劳动节": "劳动节",
	"端午": "端午节", "中秋": "中秋节", "国庆节": "国庆节",
}

// Notice numbers (国办发明电) per year; "" where not known for certain.
var notices = map[string]string{
	"2019": "国办发明电〔2018〕15号",
	"2020": "国办发明电〔2019〕16号；春节假期延长至2月2日：国办发明电〔2020〕1号",
	"2021": "国办发明电〔2020〕27号",
	"2022": "国办发明电〔2021〕11号",
	"2023": "国办发明电〔2022〕16号",
	"2024": "国办发明电〔2023〕7号",
	"2025": "国办发明电〔2024〕12号",
	"2026": "国务院办公厅关于2026年部分节假日安排的通知（文号未核实）",
}

type year struct {
	Notice   string            `json:"notice"`
	Holidays map[string]string `json:"holidays"`
	Workdays map[string]string `json:"workdays"`
}

type file struct {
	Source  string          `json:"source"`
	Licence string          `json:"licence"`
	Years   map[string]year `json:"years"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gen_data.go path/to/chinese-days.json")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	check(err)
	var in struct {
		Holidays map[string]string `json:"holidays"`
		Workdays map[string]string `json:"workdays"`
	}
	check(json.Unmarshal(b, &in))
	out := file{
		Source: "State Council General Office notices 国务院办公厅关于20XX年部分节假日安排的通知 (2019–2026), " +
			"as carried by npm chinese-days 1.5.7 (dist/chinese-days.json), converted by internal/workday/gen_data.go",
		Licence: "Dates are facts from government notices; chinese-days is MIT licensed (Copyright (c) 2024 Yawei sun)",
		Years:   map[string]year{},
	}
	for y := firstYear; y <= lastYear; y++ {
		key := strconv.Itoa(y)
		out.Years[key] = year{Notice: notices[key], Holidays: map[string]string{}, Workdays: map[string]string{}}
	}
	add := func(src map[string]string, workday bool) {
		for date, v := range src {
			t, err := time.Parse("2006-01-02", date)
			check(err)
			y, ok := out.Years[strconv.Itoa(t.Year())]
			if !ok {
				continue
			}
			parts := strings.Split(v, ",") // "Spring Festival,春节,4"
			if len(parts) != 3 {
				check(fmt.Errorf("%s: unexpected value %q", date, v))
			}
			name, ok := names[parts[1]]
			if !ok {
				check(fmt.Errorf("%s: unknown holiday name %q", date, parts[1]))
			}
			if workday {
				y.Workdays[date] = name + "调休上班"
			} else {
				y.Holidays[date] = name
			}
		}
	}
	add(in.Holidays, false)
	add(in.Workdays, true)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	check(enc.Encode(out))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
