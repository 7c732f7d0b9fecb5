package dataset

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongshu/internal/catalog"
	"gongshu/internal/idcode"
)

// problem is why one value was rejected, in Chinese and English.
type problem struct{ zh, en string }

// convert checks one raw value against its data item (C4, D1) and returns
// the value to store: nil for empty, string, int64 or bool. Decimals, dates
// and datetimes are returned as canonical text.
func convert(it *catalog.Item, raw string) (any, *problem) {
	if raw == "" || strings.TrimSpace(raw) == "" {
		if it.Required || it.Key {
			return nil, &problem{"必填数据项为空", "required item is empty"}
		}
		return nil, nil
	}
	switch it.DataType {
	case "integer":
		v, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return nil, &problem{"应为整数", "must be an integer"}
		}
		if it.Length > 0 && len(strconv.FormatInt(abs(v), 10)) > it.Length {
			return nil, &problem{"整数位数超过 " + strconv.Itoa(it.Length) + " 位", "more than " + strconv.Itoa(it.Length) + " digits"}
		}
		return v, nil
	case "decimal":
		v := strings.TrimSpace(raw)
		if !isDecimal(v) {
			return nil, &problem{"应为数字（如 1234.56）", "must be a number such as 1234.56"}
		}
		if it.Length > 0 && digits(v) > it.Length {
			return nil, &problem{"数字位数超过 " + strconv.Itoa(it.Length) + " 位", "more than " + strconv.Itoa(it.Length) + " digits"}
		}
		return v, nil
	case "date":
		v := strings.TrimSpace(raw)
		t, ok := parseDate(v)
		if !ok {
			return nil, &problem{"日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"}
		}
		if len(v) == 10 && v[4] == '-' { // already canonical
			return v, nil
		}
		return t.Format("2006-01-02"), nil
	case "datetime":
		t, ok := parseDateTime(strings.TrimSpace(raw))
		if !ok {
			return nil, &problem{"时间格式应为 YYYY-MM-DD HH:MM:SS", "datetime must be YYYY-MM-DD HH:MM:SS"}
		}
		return t.Format("2006-01-02 15:04:05"), nil
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(raw)) {
		case "true", "1", "是", "y", "yes":
			return true, nil
		case "false", "0", "否", "n", "no":
			return false, nil
		}
		return nil, &problem{"应为 是/否（true/false）", "must be true or false (是/否)"}
	}
	if it.Length > 0 && utf8.RuneCountInString(raw) > it.Length {
		return nil, &problem{"长度超过 " + strconv.Itoa(it.Length) + " 个字符", "longer than " + strconv.Itoa(it.Length) + " characters"}
	}
	if len(it.Enum) > 0 && !contains(it.Enum, raw) {
		return nil, &problem{"不在取值范围内：" + strings.Join(it.Enum, "、"), "not one of: " + strings.Join(it.Enum, ", ")}
	}
	switch it.IDKind {
	case catalog.IDCitizen:
		if err := idcode.ValidateCitizenID(raw); err != nil {
			return nil, &problem{"公民身份号码无效：" + err.Error(), "invalid citizen ID number: " + err.Error()}
		}
	case catalog.IDUSCC:
		if err := idcode.ValidateUSCC(raw); err != nil {
			return nil, &problem{"统一社会信用代码无效：" + err.Error(), "invalid unified social credit code: " + err.Error()}
		}
	}
	return raw, nil
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	dot, n := false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n++
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return n > 0
}

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2", "20060102", "2006年1月2日"}

func parseDate(s string) (time.Time, bool) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' { // fast path for ISO dates, without time.Parse
		y, ok1 := atoi(s[0:4])
		m, ok2 := atoi(s[5:7])
		d, ok3 := atoi(s[8:10])
		if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
	}
	for _, l := range dateLayouts[1:] {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// parseDateTime reads a datetime; one with an offset is converted to
// Beijing time, the platform's wall clock for stored datetimes.
func parseDateTime(s string) (time.Time, bool) {
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.In(shanghai), true
		}
	}
	for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006/01/02 15:04:05", "2006/1/2 15:04:05", "2006/1/2 15:04"} {
		if t, err := time.ParseInLocation(l, s, shanghai); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
