package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gongshu/internal/apperr"
)

func invalid(field, zh, en string) *apperr.Error {
	return apperr.New(apperr.Invalid, zh, en).WithField(field)
}

// Normalize trims the entry and fills what the platform derives: item
// grades default to the resource's, suggested personal-information kinds,
// and the resource's personal-information flag from its items.
func Normalize(e *Entry) {
	e.Name, e.Summary = strings.TrimSpace(e.Name), strings.TrimSpace(e.Summary)
	for i := range e.Items {
		it := &e.Items[i]
		it.Name = strings.TrimSpace(it.Name)
		if it.Level == "" {
			it.Level = e.Level
		}
		if it.Suggested == "" {
			it.Suggested = Suggest(it.Name, nil)
		}
		if it.PI == PISensitive {
			e.PI = PISensitive
		} else if it.PI == PIPersonal && e.PI == PINone {
			e.PI = PIPersonal
		}
	}
}

// Check validates an entry for submission. prev is the published version
// (nil for a new entry); the rules that compare attributes with it cite
// their articles.
func Check(e *Entry, prev *Entry) error {
	Normalize(e)
	switch {
	case e.Name == "" || utf8.RuneCountInString(e.Name) > 100:
		return invalid("name", "请填写资源名称（不超过100字）", "enter the resource name (at most 100 characters)")
	case utf8.RuneCountInString(e.Summary) < 10 || utf8.RuneCountInString(e.Summary) > 2000:
		return invalid("summary", "请填写资源摘要（10至2000字），说明数据内容和用途", "write a summary of 10 to 2000 characters saying what the data is")
	case e.Library != LibraryBase && e.Library != LibraryThematic && e.Library != LibraryDepartment:
		return invalid("library", "请选择所属库：基础库、主题库或部门库", "choose the library: base, thematic or department")
	case e.Library == LibraryBase && !slices.Contains(BaseDatabases, e.BaseDatabase):
		return invalid("base_database", "基础库资源须选择基础库：人口、法人、自然资源和空间地理、社会信用、电子证照（YN§10）", "a base-library resource names its base database (YN§10)").WithArticle("YN§10")
	case e.Library == LibraryThematic && len(e.Themes) == 0:
		return invalid("themes", "主题库资源须至少选择一个主题（YN§10）", "a thematic resource names at least one theme (YN§10)").WithArticle("YN§10")
	case !slices.Contains(Frequencies, e.UpdateFrequency):
		return invalid("update_frequency", "请选择更新频率", "choose the update frequency")
	case e.Level != LevelCore && e.Level != LevelImportant && e.Level != LevelGeneral:
		return invalid("level", "请选择分级：核心、重要或一般（GB/T 43697-2024）", "choose the grade: core, important or general (GB/T 43697-2024)")
	case e.DataForm == "":
		return invalid("data_form", "请选择数据形态", "choose the data form")
	case len(e.Items) == 0 && e.DataForm == "table":
		return invalid("items", "表格类资源至少需要一个数据项", "a table resource needs at least one data item")
	}
	names := map[string]bool{}
	for i := range e.Items {
		it := &e.Items[i]
		where := fmt.Sprintf("items[%d]", i)
		switch {
		case it.Name == "":
			return invalid(where+".name", fmt.Sprintf("第%d个数据项缺少名称", i+1), fmt.Sprintf("data item %d has no name", i+1))
		case names[it.Name]:
			return invalid(where+".name", fmt.Sprintf("数据项“%s”重复", it.Name), fmt.Sprintf("data item %q appears twice", it.Name))
		case !slices.Contains(DataTypes, it.DataType):
			return invalid(where+".data_type", fmt.Sprintf("数据项“%s”的数据类型无效，可选：%s", it.Name, strings.Join(DataTypes, "、")),
				fmt.Sprintf("data item %q: data type must be one of %s", it.Name, strings.Join(DataTypes, ", ")))
		case it.Length < 0 || it.Length > 100000:
			return invalid(where+".length", fmt.Sprintf("数据项“%s”的长度无效", it.Name), fmt.Sprintf("data item %q: invalid length", it.Name))
		}
		names[it.Name] = true
	}
	// B4: conditional or non-share needs reasons and a legal basis; without a
	// legal basis the entry is unconditional (JMS§14, YN§27).
	switch e.ShareType {
	case ShareUnconditional:
	case ShareConditional, ShareNone:
		if strings.TrimSpace(e.ShareConditions) == "" {
			return invalid("share_conditions", "有条件共享或不予共享须写明理由和条件（JMS§14、YN§27）",
				"conditional or non-share needs its reasons and conditions (JMS§14, YN§27)").WithArticle("YN§27")
		}
		if strings.TrimSpace(e.LegalBasis) == "" {
			return invalid("legal_basis", "有条件共享或不予共享须提供法律、法规依据；没有依据的应列为无条件共享（JMS§14、YN§27）",
				"conditional or non-share needs a legal basis; without one the resource is unconditional share (JMS§14, YN§27)").WithArticle("YN§27")
		}
	default:
		return invalid("share_type", "请选择共享属性", "choose the share type")
	}
	if _, ok := openRank[e.OpenType]; !ok {
		return invalid("open_type", "请选择开放属性", "choose the open type")
	}
	if e.OpenType == OpenConditional && strings.TrimSpace(e.OpenConditions) == "" {
		return invalid("open_conditions", "有条件开放须写明开放条件", "conditional open needs its conditions")
	}
	// B5: non-open may become open only after de-identification or with the
	// rights holder's consent (WH§22, YN§32).
	if prev != nil && prev.OpenType == OpenNone && e.OpenType != OpenNone {
		if e.OpenChangeBasis != "deidentified" && e.OpenChangeBasis != "consent" {
			return invalid("open_change_basis", "不予开放的数据转为开放，须记录已作去标识化处理或已取得权利人同意（WH§22、YN§32）",
				"non-open data may open only after de-identification or with the rights holder's consent: record which (WH§22, YN§32)").WithArticle("WH§22")
		}
		if strings.TrimSpace(e.OpenChangeNote) == "" {
			return invalid("open_change_note", "请说明去标识化方法或同意的取得方式（WH§22、YN§32）",
				"describe the de-identification or how consent was obtained (WH§22, YN§32)").WithArticle("WH§22")
		}
	}
	return nil
}

// Downgrade reports whether the open type becomes less open than the
// published one: only the authority's explicit approval allows it (WH§22).
func Downgrade(prev, next *Entry) bool {
	return prev != nil && openRank[next.OpenType] < openRank[prev.OpenType]
}

var suggestions = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"citizen_id", regexp.MustCompile(`身份证|公民身份号码|证件号|id_?card|idno`)},
	{"uscc", regexp.MustCompile(`统一社会信用代码|信用代码|uscc|credit_?code`)},
	{"phone", regexp.MustCompile(`电话|手机|联系方式|phone|mobile|tel`)},
	{"bank_card", regexp.MustCompile(`银行卡|银行账号|账户号|bank|card_?no`)},
	{"name", regexp.MustCompile(`^姓名$|^名字$|联系人|法定代表人|负责人姓名|^name$|person_?name`)},
	{"address", regexp.MustCompile(`住址|地址|居住地|户籍地|address`)},
}

var sampleRes = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"citizen_id", regexp.MustCompile(`^\d{17}[\dXx]$`)},
	{"uscc", regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$`)},
	{"phone", regexp.MustCompile(`^1[3-9]\d{9}$`)},
	{"bank_card", regexp.MustCompile(`^\d{16,19}$`)},
}

// Suggest guesses whether an item holds personal information or an
// identifier from its name and sample values, for the compiler to confirm.
func Suggest(name string, samples []string) string {
	n := strings.ToLower(name)
	for _, s := range suggestions {
		if s.re.MatchString(n) {
			return s.kind
		}
	}
	for _, s := range sampleRes {
		hits := 0
		for _, v := range samples {
			if s.re.MatchString(strings.TrimSpace(v)) {
				hits++
			}
		}
		if len(samples) > 0 && hits*2 > len(samples) {
			return s.kind
		}
	}
	return ""
}

// Diff lists the fields that differ between two versions, old → new, in
// readable form (items by name).
func Diff(old, new *Entry) []Change {
	var out []Change
	flat := func(e *Entry) map[string]string {
		m := map[string]string{}
		if e == nil {
			return m
		}
		b, _ := json.Marshal(e)
		var raw map[string]json.RawMessage
		json.Unmarshal(b, &raw)
		for k, v := range raw {
			if k == "items" {
				continue
			}
			m[k] = strings.Trim(string(v), `"`)
		}
		for _, it := range e.Items {
			b, _ := json.Marshal(it)
			m["items."+it.Name] = string(b)
		}
		return m
	}
	a, b := flat(old), flat(new)
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	for _, k := range sorted {
		if a[k] != b[k] {
			out = append(out, Change{Field: k, Old: a[k], New: b[k]})
		}
	}
	return out
}

// Completeness scores how fully an entry is described, 0–100, with the
// fields still worth filling (in the spirit of uData's quality criteria and
// the EU Metadata Quality Assessment).
func Completeness(e *Entry) (int, []string) {
	checks := []struct {
		field string
		ok    bool
		w     int
	}{
		{"summary", utf8.RuneCountInString(e.Summary) >= 30, 10},
		{"items", len(e.Items) > 0, 10},
		{"items.description", func() bool {
			for _, it := range e.Items {
				if it.Description == "" {
					return false
				}
			}
			return len(e.Items) > 0
		}(), 10},
		{"formats", len(e.Formats) > 0, 5},
		{"source_system", e.SourceSystem != "", 5},
		{"legal_basis", e.LegalBasis != "", 10},
		{"contact", e.Contact != "", 10},
		{"spatial_coverage", e.SpatialCoverage != "", 5},
		{"temporal_coverage", e.TemporalCoverage != "", 5},
		{"licence", e.Licence != "" || e.OpenType == OpenNone, 10},
		{"tags", len(e.Tags) > 0, 5},
		{"usage_requirements", e.UsageRequirements != "", 5},
		{"share_methods", len(e.ShareMethods) > 0, 5},
		{"collecting_dept", e.CollectingDept != "", 5},
	}
	score, missing := 0, []string{}
	for _, c := range checks {
		if c.ok {
			score += c.w
		} else {
			missing = append(missing, c.field)
		}
	}
	return score, missing
}
