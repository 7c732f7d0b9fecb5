package catalog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
)

func xlsx(t *testing.T, rows [][]any, formulaAt string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		axis, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", axis, &r); err != nil {
			t.Fatal(err)
		}
	}
	if formulaAt != "" {
		f.SetCellFormula("Sheet1", formulaAt, "=1+1")
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func header() []any {
	h := make([]any, len(catalog.Columns))
	for i, c := range catalog.Columns {
		h[i] = c
	}
	return h
}

// row builds a row from column → value.
func row(m map[string]string) []any {
	r := make([]any, len(catalog.Columns))
	for i, c := range catalog.Columns {
		r[i] = m[c]
	}
	return r
}

func resourceRow(name, share string) map[string]string {
	return map[string]string{"资源名称": name, "资源摘要": "本资源为导入测试用的公共数据资源摘要，说明其内容。", "所属库": "部门库", "数据形态": "表格",
		"更新频率": "每月", "分级": "一般", "共享属性": share, "开放属性": "无条件开放", "数据项名称": "单位名称", "数据类型": "字符", "长度": "200", "必填": "是"}
}

func TestImportReportsEveryBrokenRowWithItsNumber(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		bad := resourceRow("坏数据类型", "无条件共享")
		bad["数据类型"] = "文本串"
		cond := resourceRow("缺法律依据", "有条件共享")
		cond["共享条件"] = "仅限监管使用"
		rows := [][]any{header(),
			row(resourceRow("好资源一", "无条件共享")),                                 // 2
			row(map[string]string{"数据项名称": "联系电话", "数据类型": "字符", "长度": "20"}), // 3: second item of 好资源一
			row(bad), // 4
			row(map[string]string{"数据项名称": "长度坏", "数据类型": "整数", "长度": "abc"}), // 5: belongs to 坏数据类型
			row(cond), // 6
			row(resourceRow("好资源二", "接口")),                       // 7: share type invalid
			row(map[string]string{"数据项名称": "孤儿项", "数据类型": "字符"}), // 8: belongs to 好资源二
		}
		res, err := f.p.Catalog.Import(f.as(t, "data.officer"), f.orgs[market], "catalog.xlsx", xlsx(t, rows, ""))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created) != 1 || res.Created[0].Entry.Name != "好资源一" || len(res.Created[0].Entry.Items) != 2 {
			t.Fatalf("created %+v", res.Created)
		}
		if res.Created[0].Entry.Items[1].Suggested != "phone" {
			t.Error("imported items are not flagged for personal information")
		}
		got := map[int]string{}
		for _, e := range res.Rejected {
			got[e.Row] += e.Reason
			if e.Reason == "" || e.ReasonEN == "" {
				t.Errorf("row %d: no reason", e.Row)
			}
		}
		for rowNo, want := range map[int]string{4: "数据类型", 5: "长度", 6: "YN§27", 7: "共享属性"} {
			if !strings.Contains(got[rowNo], want) {
				t.Errorf("row %d: reason %q lacks %q", rowNo, got[rowNo], want)
			}
		}
	})
}

func TestImportReadsGB18030CSVAndRefusesBadFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		officer := f.as(t, "data.officer")
		var lines []string
		lines = append(lines, strings.Join(catalog.Columns, ","))
		r := resourceRow("国标编码资源", "无条件共享")
		var cells []string
		for _, c := range catalog.Columns {
			cells = append(cells, r[c])
		}
		lines = append(lines, strings.Join(cells, ","))
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(strings.Join(lines, "\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.p.Catalog.Import(officer, f.orgs[market], "catalog.csv", []byte(gb))
		if err != nil || len(res.Created) != 1 || res.Created[0].Entry.Name != "国标编码资源" {
			t.Fatalf("GB18030 CSV: %+v %v", res, err)
		}
		// UTF-8 with BOM, as Excel saves it.
		res, err = f.p.Catalog.Import(officer, f.orgs[market], "c.csv", append([]byte{0xEF, 0xBB, 0xBF}, []byte(strings.Replace(strings.Join(lines, "\n"), "国标编码资源", "带BOM资源", 1))...))
		if err != nil || len(res.Created) != 1 {
			t.Fatalf("UTF-8 BOM CSV: %+v %v", res, err)
		}
		for name, data := range map[string][]byte{
			"empty.csv":     {},
			"dup.csv":       []byte("资源名称,资源名称,数据项名称\n"),
			"nocolumns.csv": []byte("名称,说明\n甲,乙\n"),
			"broken.xlsx":   []byte("PK\x03\x04 not really a zip"),
			"formula.xlsx":  xlsx(t, [][]any{header(), row(resourceRow("公式资源", "无条件共享"))}, "B2"),
		} {
			res, err := f.p.Catalog.Import(officer, f.orgs[market], name, data)
			if name == "formula.xlsx" {
				if err != nil || len(res.Created) != 0 || len(res.Rejected) == 0 || !strings.Contains(res.Rejected[0].Reason, "公式") {
					t.Errorf("formula: %+v %v", res, err)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s accepted", name)
			}
		}
	})
}

func TestExportRoundTripsThroughImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		officer := f.as(t, "data.officer")
		entries, err := f.p.Catalog.Export(officer, f.orgs[market])
		if err != nil || len(entries) < 10 {
			t.Fatalf("export: %d %v", len(entries), err)
		}
		var b bytes.Buffer
		if err := catalog.WriteSheet(&b, entries); err != nil {
			t.Fatal(err)
		}
		parsed, rejected, err := catalog.ReadSheet("x.xlsx", b.Bytes())
		if err != nil || len(rejected) != 0 || len(parsed) != len(entries) {
			t.Fatalf("round trip: %d parsed, %+v rejected, %v", len(parsed), rejected, err)
		}
		for i := range entries {
			a, z := entries[i], parsed[i].Entry
			if a.Name != z.Name || a.ShareType != z.ShareType || a.OpenType != z.OpenType || len(a.Items) != len(z.Items) || a.UpdateFrequency != z.UpdateFrequency {
				t.Errorf("entry %d differs after the round trip: %s/%s", i, a.Name, z.Name)
			}
		}
		var tpl bytes.Buffer
		catalog.WriteSheet(&tpl, nil)
		if parsed, rej, err := catalog.ReadSheet("t.xlsx", tpl.Bytes()); err != nil || len(parsed) != 1 || len(rej) != 0 {
			t.Errorf("the template does not import: %v %v", rej, err)
		}
	})
}
