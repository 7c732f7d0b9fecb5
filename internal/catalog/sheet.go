package catalog

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongshu/internal/apperr"
)

// Spreadsheet exchange of the catalog (B1: institutions compile in Excel
// today). One row per data item; the resource columns are filled on the
// first row of a resource and may be left empty on the rows of its further
// items. Enumerated values are written in Chinese and also accepted as API
// codes.

// Columns of the template, in order.
var Columns = []string{"资源名称", "资源摘要", "所属库", "基础库或主题", "数据形态", "格式", "更新频率", "分级", "共享属性", "共享条件",
	"共享方式", "开放属性", "开放条件", "法律依据", "来源系统", "联系方式", "标签", "数据项名称", "数据类型", "长度", "数据项说明", "标识类型", "个人信息", "必填"}

var labels = map[string]map[string]string{
	"所属库":  {"base": "基础库", "thematic": "主题库", "department": "部门库"},
	"数据形态": {"table": "表格", "file": "文件", "api": "接口", "geo": "空间地理", "image": "图像", "other": "其他"},
	"更新频率": {"realtime": "实时", "daily": "每日", "weekly": "每周", "monthly": "每月", "quarterly": "每季度", "yearly": "每年", "irregular": "不定期"},
	"分级":   {"core": "核心", "important": "重要", "general": "一般"},
	"共享属性": {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"},
	"共享方式": {"api": "接口", "bulk": "批量", "offline": "线下"},
	"开放属性": {"unconditional": "无条件开放", "conditional": "有条件开放", "none": "不予开放"},
	"数据类型": {"string": "字符", "integer": "整数", "decimal": "小数", "date": "日期", "datetime": "日期时间", "boolean": "布尔"},
	"标识类型": {"citizen_id": "公民身份号码", "uscc": "统一社会信用代码", "other": "其他编码"},
	"个人信息": {"personal": "个人信息", "sensitive": "敏感个人信息"},
}

// code maps a cell to its API value: the Chinese label or the code itself.
func code(col, cell string) (string, bool) {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return "", true
	}
	for c, l := range labels[col] {
		if cell == l || cell == c || (col == "分级" && cell == l+"数据") {
			return c, true
		}
	}
	return "", false
}

func choices(col string) string {
	var out []string
	for _, l := range labels[col] {
		out = append(out, l)
	}
	slices.Sort(out)
	return strings.Join(out, "、")
}

// RowError is a rejected row with its reason in Chinese and English.
type RowError struct {
	Row      int    `json:"row"`
	Resource string `json:"resource,omitempty"`
	Column   string `json:"column,omitempty"`
	Reason   string `json:"reason"`
	ReasonEN string `json:"reason_en"`
}

// ParsedEntry is an entry read from a sheet with the rows it came from.
type ParsedEntry struct {
	Entry    Entry
	FirstRow int
	LastRow  int
}

// MaxSheetBytes bounds an uploaded sheet; the unzipped XML is bounded too,
// so that a small file cannot unpack to gigabytes.
const MaxSheetBytes = 20 << 20

// ReadSheet reads entries from an .xlsx or a CSV (UTF-8 with or without BOM,
// or GB18030). Rows with errors are returned with their row numbers; an
// entry with any bad row is rejected whole.
func ReadSheet(name string, data []byte) ([]ParsedEntry, []RowError, error) {
	var rows [][]string
	switch {
	case strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04")):
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20})
		if err != nil {
			return nil, nil, apperr.New(apperr.Invalid, "无法读取 Excel 文件（仅支持 .xlsx，不支持旧版 .xls）："+err.Error(), "cannot read the Excel file (.xlsx only, not .xls): "+err.Error())
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		it, err := f.Rows(sheet)
		if err != nil {
			return nil, nil, err
		}
		for it.Next() {
			r, err := it.Columns(excelize.Options{RawCellValue: false})
			if err != nil {
				return nil, nil, err
			}
			rows = append(rows, r)
			if len(rows) > 100000 {
				return nil, nil, apperr.New(apperr.Invalid, "表格超过100000行，请分批导入", "the sheet has more than 100,000 rows; import it in parts")
			}
		}
		// Formulas are not evaluated: a cell holding a formula is refused below.
		for i := range rows {
			for j := range rows[i] {
				if axis, _ := excelize.CoordinatesToCellName(j+1, i+1); axis != "" {
					if fm, _ := f.GetCellFormula(sheet, axis); fm != "" {
						rows[i][j] = "\x00formula"
					}
				}
			}
		}
	default:
		text, err := decodeText(data)
		if err != nil {
			return nil, nil, err
		}
		cr := csv.NewReader(strings.NewReader(text))
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		rows, err = cr.ReadAll()
		if err != nil {
			return nil, nil, apperr.New(apperr.Invalid, "CSV 格式错误："+err.Error(), "malformed CSV: "+err.Error())
		}
	}
	return parseRows(rows)
}

// decodeText detects the encoding: a UTF-8 BOM, valid UTF-8, else GB18030.
func decodeText(data []byte) (string, error) {
	if b, ok := bytes.CutPrefix(data, []byte{0xEF, 0xBB, 0xBF}); ok {
		return string(b), nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return "", apperr.New(apperr.Invalid, "文件编码无法识别：请使用 UTF-8 或 GB18030（GBK）", "unknown encoding: use UTF-8 or GB18030 (GBK)")
	}
	return string(out), nil
}

func parseRows(rows [][]string) ([]ParsedEntry, []RowError, error) {
	if len(rows) == 0 {
		return nil, nil, apperr.New(apperr.Invalid, "文件为空：请使用平台提供的模板填写", "the file is empty: fill in the template the platform provides")
	}
	header := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := header[h]; dup && h != "" {
			return nil, nil, apperr.Newf(apperr.Invalid, "表头“%s”重复", "the header %q appears twice", h)
		}
		header[h] = i
	}
	for _, c := range []string{"资源名称", "数据项名称"} {
		if _, ok := header[c]; !ok {
			return nil, nil, apperr.Newf(apperr.Invalid, "缺少“%s”列：请使用平台提供的模板", "the column %q is missing: use the platform's template", c)
		}
	}
	var entries []ParsedEntry
	var errs []RowError
	var cur *ParsedEntry
	bad := map[int]bool{} // entries (index) with a bad row
	for i, r := range rows[1:] {
		rowNo := i + 2
		cell := func(c string) string {
			if j, ok := header[c]; ok && j < len(r) {
				return strings.TrimSpace(r[j])
			}
			return ""
		}
		empty := true
		for _, v := range r {
			empty = empty && strings.TrimSpace(v) == ""
		}
		if empty {
			continue
		}
		fail := func(col, zh, en string) {
			name := ""
			if cur != nil {
				name = cur.Entry.Name
			}
			errs = append(errs, RowError{Row: rowNo, Resource: name, Column: col, Reason: zh, ReasonEN: en})
			if cur != nil {
				bad[len(entries)-1] = true
			}
		}
		for _, c := range Columns {
			if strings.HasPrefix(cell(c), "\x00formula") {
				fail(c, "单元格含公式，请粘贴为数值后再导入", "the cell holds a formula: paste it as a value")
			}
		}
		if name := cell("资源名称"); name != "" {
			entries = append(entries, ParsedEntry{FirstRow: rowNo})
			cur = &entries[len(entries)-1]
			e := &cur.Entry
			e.Name, e.Summary, e.LegalBasis, e.SourceSystem, e.Contact = name, cell("资源摘要"), cell("法律依据"), cell("来源系统"), cell("联系方式")
			e.ShareConditions, e.OpenConditions = cell("共享条件"), cell("开放条件")
			split := func(s string) []string {
				return slices.DeleteFunc(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；", r) }),
					func(x string) bool { return strings.TrimSpace(x) == "" })
			}
			e.Formats, e.Tags = split(cell("格式")), split(cell("标签"))
			enum := func(col string, dst *string) {
				v, ok := code(col, cell(col))
				if !ok {
					fail(col, fmt.Sprintf("“%s”的值“%s”无效，可选：%s", col, cell(col), choices(col)), fmt.Sprintf("%s: %q is not one of the allowed values", col, cell(col)))
				}
				*dst = v
			}
			var lib, form, freq, level, share, open string
			enum("所属库", &lib)
			enum("数据形态", &form)
			enum("更新频率", &freq)
			enum("分级", &level)
			enum("共享属性", &share)
			enum("开放属性", &open)
			e.Library, e.DataForm, e.UpdateFrequency, e.Level, e.ShareType, e.OpenType = Library(lib), form, Frequency(freq), Level(level), ShareType(share), OpenType(open)
			if e.DataForm == "" {
				e.DataForm = "table"
			}
			for _, m := range split(cell("共享方式")) {
				if v, ok := code("共享方式", m); ok && v != "" {
					e.ShareMethods = append(e.ShareMethods, Method(v))
				} else {
					fail("共享方式", fmt.Sprintf("共享方式“%s”无效，可选：%s", m, choices("共享方式")), fmt.Sprintf("share method %q is not allowed", m))
				}
			}
			if g := cell("基础库或主题"); g != "" {
				if e.Library == LibraryBase {
					e.BaseDatabase = g
				} else {
					e.Themes = split(g)
				}
			}
		} else if cur == nil {
			errs = append(errs, RowError{Row: rowNo, Column: "资源名称", Reason: "第一条数据项之前须填写资源名称", ReasonEN: "the first row of a resource needs its name"})
			continue
		}
		cur.LastRow = rowNo
		if item := cell("数据项名称"); item != "" {
			it := Item{Name: item, Description: cell("数据项说明")}
			if v, ok := code("数据类型", cell("数据类型")); ok && v != "" {
				it.DataType = v
			} else {
				fail("数据类型", fmt.Sprintf("数据项“%s”的数据类型“%s”无效，可选：%s", item, cell("数据类型"), choices("数据类型")), fmt.Sprintf("item %q: data type %q is not allowed", item, cell("数据类型")))
			}
			if l := cell("长度"); l != "" {
				n, err := strconv.Atoi(l)
				if err != nil || n < 0 {
					fail("长度", fmt.Sprintf("数据项“%s”的长度“%s”应为非负整数", item, l), fmt.Sprintf("item %q: length %q must be a whole number", item, l))
				}
				it.Length = n
			}
			var idk, pi string
			ok1, ok2 := true, true
			idk, ok1 = code("标识类型", cell("标识类型"))
			pi, ok2 = code("个人信息", cell("个人信息"))
			if !ok1 {
				fail("标识类型", fmt.Sprintf("标识类型“%s”无效，可选：%s", cell("标识类型"), choices("标识类型")), "invalid identifier kind")
			}
			if !ok2 {
				fail("个人信息", fmt.Sprintf("个人信息“%s”无效，可选：%s", cell("个人信息"), choices("个人信息")), "invalid personal-information flag")
			}
			it.IDKind, it.PI = IDKind(idk), PI(pi)
			switch cell("必填") {
			case "", "否", "no", "false", "0":
			case "是", "yes", "true", "1":
				it.Required = true
			default:
				fail("必填", "必填列应为“是”或“否”", "required must be 是 or 否")
			}
			cur.Entry.Items = append(cur.Entry.Items, it)
		}
	}
	var good []ParsedEntry
	for i, pe := range entries {
		if bad[i] {
			continue
		}
		e := pe.Entry
		if err := Check(&e, nil); err != nil {
			ae := apperr.As(err)
			if ae == nil {
				return nil, nil, err
			}
			reason := ae.Message
			if ae.Article != "" {
				reason += "（" + ae.Article + "）"
			}
			errs = append(errs, RowError{Row: pe.FirstRow, Resource: e.Name, Column: ae.Field, Reason: reason, ReasonEN: ae.MessageEN})
			continue
		}
		pe.Entry = e
		good = append(good, pe)
	}
	slices.SortFunc(errs, func(a, b RowError) int { return a.Row - b.Row })
	return good, errs, nil
}

// ImportResult tells what an import created and what it refused.
type ImportResult struct {
	Created  []*Resource `json:"created"`
	Rejected []RowError  `json:"rejected"`
}

// Import creates drafts of the provider's catalog from a sheet. Each entry
// is created on its own; refused rows come back with their row numbers.
func (s *Service) Import(ctx context.Context, providerOrgID, name string, data []byte) (*ImportResult, error) {
	if len(data) > MaxSheetBytes {
		return nil, apperr.Newf(apperr.Invalid, "文件超过 %d MB 上限", "the file exceeds the %d MB limit", MaxSheetBytes>>20)
	}
	entries, rejected, err := ReadSheet(name, data)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Rejected: rejected, Created: []*Resource{}}
	for _, pe := range entries {
		r, err := s.Create(ctx, providerOrgID, pe.Entry)
		if err != nil {
			ae := apperr.As(err)
			if ae == nil || ae.Code == apperr.Forbidden {
				return nil, err
			}
			res.Rejected = append(res.Rejected, RowError{Row: pe.FirstRow, Resource: pe.Entry.Name, Column: ae.Field, Reason: ae.Message, ReasonEN: ae.MessageEN})
			continue
		}
		res.Created = append(res.Created, r)
	}
	if res.Rejected == nil {
		res.Rejected = []RowError{}
	}
	return res, nil
}

// WriteSheet writes entries in the template's layout as .xlsx (an empty
// list gives the template itself, with one example row).
func WriteSheet(w io.Writer, entries []Entry) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	label := func(col, v string) string {
		if l, ok := labels[col][v]; ok {
			return l
		}
		return v
	}
	if len(entries) == 0 {
		entries = []Entry{{Name: "（示例）企业登记基本信息", Summary: "本市企业的登记基本信息，包括名称、统一社会信用代码和登记状态。", Library: LibraryBase, BaseDatabase: "法人",
			DataForm: "table", Formats: []string{"csv", "xlsx"}, UpdateFrequency: "daily", Level: LevelGeneral, ShareType: ShareUnconditional,
			ShareMethods: []Method{MethodAPI}, OpenType: OpenUnconditional, Items: []Item{{Name: "企业名称", DataType: "string", Length: 200, Required: true},
				{Name: "统一社会信用代码", DataType: "string", Length: 18, IDKind: IDUSCC, Required: true}}}}
	}
	row := 2
	for _, e := range entries {
		items := e.Items
		if len(items) == 0 {
			items = []Item{{}}
		}
		for k, it := range items {
			cells := make([]any, len(Columns))
			if k == 0 {
				group := e.BaseDatabase
				if e.Library != LibraryBase {
					group = strings.Join(e.Themes, "、")
				}
				var methods []string
				for _, m := range e.ShareMethods {
					methods = append(methods, label("共享方式", string(m)))
				}
				vals := []string{e.Name, e.Summary, label("所属库", string(e.Library)), group, label("数据形态", e.DataForm), strings.Join(e.Formats, "、"),
					label("更新频率", string(e.UpdateFrequency)), label("分级", string(e.Level)), label("共享属性", string(e.ShareType)), e.ShareConditions,
					strings.Join(methods, "、"), label("开放属性", string(e.OpenType)), e.OpenConditions, e.LegalBasis, e.SourceSystem, e.Contact, strings.Join(e.Tags, "、")}
				for i, v := range vals {
					cells[i] = v
				}
			}
			if it.Name != "" {
				req := "否"
				if it.Required {
					req = "是"
				}
				length := ""
				if it.Length > 0 {
					length = strconv.Itoa(it.Length)
				}
				for i, v := range []string{it.Name, label("数据类型", it.DataType), length, it.Description, label("标识类型", string(it.IDKind)), label("个人信息", string(it.PI)), req} {
					cells[17+i] = v
				}
			}
			axis, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(axis, cells); err != nil {
				return err
			}
			row++
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// Export returns the latest version of every entry of the provider that the
// actor may see unpublished (its own staff, the authority).
func (s *Service) Export(ctx context.Context, providerOrgID string) ([]Entry, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT id FROM resources WHERE provider_org_id = $1 ORDER BY code`, providerOrgID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []Entry
	for _, id := range ids {
		r, err := s.Get(ctx, id, 0)
		if errors.Is(err, nil) && r != nil {
			out = append(out, r.Entry)
		} else if apperr.CodeOf(err) != apperr.NotFound {
			return nil, err
		}
	}
	return out, nil
}
