package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"time"

	"gongshu/internal/catalog"
	"gongshu/internal/dataset"
	"gongshu/internal/platform"
)

// The data of the demo catalog: synthetic rows for every published
// resource, loaded as each institution's data officer would (one CSV
// upload each), with three resources left late against their update
// frequency and one cross-source conflict (an enterprise name in the
// administrative penalties that differs from the authoritative register).

// elementOf names the data element of items that hold an enterprise's name
// under another label, so that they are compared with the register (C5).
var elementOf = map[string]string{"当事人名称": "企业名称", "检查对象名称": "企业名称", "经营者名称": "企业名称", "生产企业名称": "企业名称"}

// register is the authoritative source of enterprise names (一数一源).
const register = "企业登记基本信息"

// late lists resources whose last load is backdated past their update
// frequency by this many days, so that they show as late.
var late = map[string]int{"双随机抽查结果": 12, "人力资源服务机构名录": 30, "市场主体登记统计": 5}

// conflictIn is where one enterprise name is made to differ from the register.
const conflictIn = "行政处罚信息"

// DemoRows is the number of rows per resource (the register has more).
const DemoRows = 120

// prepareItems marks keys, elements and the authoritative source on a demo entry.
func prepareItems(name string, e *catalog.Entry) {
	for i := range e.Items {
		it := &e.Items[i]
		if el, ok := elementOf[it.Name]; ok {
			it.Element = el
		}
		if name == register {
			switch it.Name {
			case "企业名称":
				it.Authoritative = true
			case "统一社会信用代码":
				it.Key = true
			}
		}
	}
	if name == "就业登记信息" || name == "社会保险参保信息" {
		e.CollectionRecorded = true // WH§10: collection time and place on every record
	}
}

// SeedData loads the demo rows unless some data was loaded already.
func SeedData(ctx context.Context, p *platform.Platform) (int, error) {
	var loaded int
	if err := p.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM datasets WHERE seq > 0`).Scan(&loaded); err != nil {
		return 0, err
	}
	if loaded > 0 {
		return 0, nil
	}
	officers := map[string]string{}
	for _, r := range resources {
		officers[r.name] = r.officer
	}
	ids, err := p.DB.Strings(ctx, `SELECT d.resource_id FROM datasets d JOIN resources r ON r.id = d.resource_id ORDER BY r.code`)
	if err != nil {
		return 0, err
	}
	n := 0
	for i, id := range ids {
		res, err := p.Catalog.Published(ctx, id)
		if err != nil {
			return n, err
		}
		officer, ok := officers[res.Entry.Name]
		if !ok {
			continue
		}
		u, err := p.Identity.UserByUsername(ctx, officer)
		if err != nil {
			return n, err
		}
		body := demoCSV(&res.Entry, int64(i))
		l, err := p.Datasets.Upload(as(ctx, p, u.ID), id, res.Entry.Name+".csv", bytes.NewReader(body), dataset.Options{Mode: dataset.ModeReplace})
		if err != nil {
			return n, fmt.Errorf("demo data %s: %w", res.Entry.Name, err)
		}
		if l, err = p.Datasets.WaitLoad(ctx, l.ID); err != nil {
			return n, err
		}
		if l.Status != dataset.StatusCommitted {
			return n, fmt.Errorf("demo data %s: %s %s", res.Entry.Name, l.Status, l.MessageEN)
		}
		if days, ok := late[res.Entry.Name]; ok && dataset.Interval(res.Entry.UpdateFrequency) > 0 {
			f := res.Entry.UpdateFrequency
			back := p.Now().UTC().Add(-dataset.Interval(f) - dataset.Grace(f) - time.Duration(days)*24*time.Hour)
			if _, err := p.DB.ExecContext(ctx, `UPDATE datasets SET last_commit_at = $1, created_at = $1 WHERE resource_id = $2`, back, id); err != nil {
				return n, err
			}
			if _, err := p.DB.ExecContext(ctx, `UPDATE dataset_loads SET created_at = $1, started_at = $1, finished_at = $1 WHERE id = $2`, back, l.ID); err != nil {
				return n, err
			}
		}
		n++
	}
	// The register was loaded first or last depending on codes: compare again now that everything is in.
	p.Datasets.Wait()
	for _, id := range ids {
		if err := p.Datasets.Recheck(ctx, id); err != nil {
			return n, err
		}
	}
	return n, nil
}

// demoCSV writes a resource's synthetic rows; enterprise names and credit
// codes come in consistent pairs, except for the one planted conflict.
func demoCSV(e *catalog.Entry, seed int64) []byte {
	count := DemoRows
	if e.Name == register {
		count = 300
	}
	data := Rows(e.Items, count, seed)
	nameAt, codeAt, atAt := -1, -1, -1
	for i, it := range e.Items {
		switch {
		case it.ElementName() == "企业名称":
			nameAt = i
		case it.IDKind == catalog.IDUSCC && codeAt < 0:
			codeAt = i
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := make([]string, 0, len(e.Items)+2)
	for _, it := range e.Items {
		header = append(header, it.Name)
	}
	if e.CollectionRecorded {
		atAt = len(header)
		header = append(header, "采集时间", "采集地点")
	}
	w.Write(header)
	for r, row := range data {
		if nameAt >= 0 && codeAt >= 0 {
			k := r
			if e.Name != register {
				k = int((seed*7919 + int64(r)*104729) % 300)
			}
			row[nameAt], row[codeAt] = Enterprise(k)
			if e.Name == conflictIn && r == 3 {
				row[nameAt] += "（原名）" // differs from the register: a conflict for the authority
			}
		}
		if atAt >= 0 {
			row = append(row, fmt.Sprintf("2026-%02d-%02d 10:%02d:00", 1+r%10, 1+r%28, r%60), []string{"五华区政务服务中心", "盘龙区人社局窗口", "官渡区社保经办大厅"}[r%3])
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}
