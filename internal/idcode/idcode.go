// Package idcode validates the identifiers that records of public data carry
// (C4: citizen ID number or unified social credit code, YN§20, WH§10):
//
//   - GB 11643-1999 citizen ID numbers (公民身份号码): 18 characters, a
//     6-digit address code, an 8-digit birth date that must exist, a 3-digit
//     sequence and an ISO 7064 MOD 11-2 check character (0–9 or X; a
//     lower-case x is accepted and normalized).
//   - GB 32100-2015 unified social credit codes (统一社会信用代码): 18
//     characters from the 31-character set without I, O, Z, S and V, with the
//     embedded GB 11714-1997 organization code and its own check character, and
//     a mod-31 check character at the end. Lower case is normalized.
package idcode

import (
	"fmt"
	"strings"
	"time"
)

// Error explains why a value is not a valid identifier.
type Error struct {
	Code      string // stable: empty, whitespace, length, charset, region, birth_date, check_digit, org_code_check
	Message   string // zh-CN
	MessageEN string
}

func (e *Error) Error() string { return e.Message + " / " + e.MessageEN }

// fail formats both messages with the same arguments, in the same order.
func fail(code, zh, en string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(zh, args...), MessageEN: fmt.Sprintf(en, args...)}
}

var provinces = map[string]bool{}

func init() {
	for _, p := range []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"} {
		provinces[p] = true
	}
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CitizenIDCheckChar computes the ISO 7064 MOD 11-2 check character of the
// first 17 digits.
func CitizenIDCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fail("length", "前17位应为17个数字", "the first part must be 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, fail("charset", "第%d位应为数字", "character %d must be a digit", i+1)
		}
		sum += int(c-'0') * idWeights[i]
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return 'X', nil
	}
	return byte('0' + v), nil
}

func checkSpace(s string) *Error {
	if s == "" {
		return fail("empty", "号码为空", "the number is empty")
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n\u3000") {
		return fail("whitespace", "号码中含有空格，请删除空格后重试", "the number contains spaces; remove them")
	}
	return nil
}

// ValidateCitizenID checks a citizen ID number against today's date.
func ValidateCitizenID(s string) error { return ValidateCitizenIDAt(s, time.Now()) }

// ValidateCitizenIDAt checks a citizen ID number; the birth date may not be after today.
func ValidateCitizenIDAt(s string, today time.Time) error {
	_, err := normalizeCitizenID(s, today)
	return err
}

// NormalizeCitizenID validates and returns the number with an upper-case X.
func NormalizeCitizenID(s string) (string, error) { return normalizeCitizenID(s, time.Now()) }

func normalizeCitizenID(s string, today time.Time) (string, error) {
	if e := checkSpace(s); e != nil {
		return "", e
	}
	if n := len([]rune(s)); n != 18 || len(s) != 18 {
		return "", fail("length", "公民身份号码应为18位，实际为%d位", "a citizen ID number has 18 characters, got %d", n)
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", fail("charset", "第%d位应为数字，实际为“%c”", "character %d must be a digit, got %q", i+1, s[i])
		}
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if !(last >= '0' && last <= '9' || last == 'X') {
		return "", fail("charset", "第18位应为数字或X，实际为“%c”", "character 18 must be a digit or X, got %q", s[17])
	}
	if !provinces[s[:2]] {
		return "", fail("region", "前两位“%s”不是有效的省级行政区划代码", "the first two digits %q are not a province code", s[:2])
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Format("20060102") != s[6:14] {
		return "", fail("birth_date", "出生日期“%s”不存在", "birth date %s does not exist", s[6:14])
	}
	y, m, d := today.Date()
	if birth.Year() < 1800 || birth.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return "", fail("birth_date", "出生日期“%s”不在合理范围内", "birth date %s is out of range", s[6:14])
	}
	want, _ := CitizenIDCheckChar(s[:17])
	if want != last {
		return "", fail("check_digit", "第18位校验码应为 %c，实际为 %c，请核对号码", "check character should be %c, got %c; please check the number", want, s[17])
	}
	return s[:17] + string(last), nil
}

// BirthDate returns the birth date encoded in a valid citizen ID number.
func BirthDate(id string) (time.Time, error) {
	norm, err := NormalizeCitizenID(id)
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse("20060102", norm[6:14])
}

// usccAlphabet is the GB 32100 character set; a character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgAlphabet gives GB 11714 character values (digits, then A=10 … Z=35).
const orgAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// OrgCodeCheckChar computes the GB 11714 check character of an 8-character organization code body.
func OrgCodeCheckChar(first8 string) (byte, error) {
	if len(first8) != 8 {
		return 0, fail("length", "组织机构代码本体应为8位", "an organization code body has 8 characters")
	}
	sum := 0
	for i := 0; i < 8; i++ {
		v := strings.IndexByte(orgAlphabet, first8[i])
		if v < 0 {
			return 0, fail("charset", "组织机构代码第%d位“%c”无效", "organization code character %d (%q) is invalid", i+1, first8[i])
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// USCCCheckChar computes the mod-31 check character of the first 17 characters.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fail("length", "前17位应为17个字符", "the first part must be 17 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0, fail("charset", "第%d位“%c”不是统一社会信用代码允许的字符（不使用 I、O、Z、S、V）",
				"character %d (%q) is not allowed (the code never uses I, O, Z, S, V)", i+1, first17[i])
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// ValidateUSCC checks a unified social credit code.
func ValidateUSCC(s string) error { _, err := NormalizeUSCC(s); return err }

// NormalizeUSCC validates a credit code and returns it in upper case.
func NormalizeUSCC(s string) (string, error) {
	if e := checkSpace(s); e != nil {
		return "", e
	}
	if n := len([]rune(s)); n != 18 || len(s) != 18 {
		return "", fail("length", "统一社会信用代码应为18位，实际为%d位", "a unified social credit code has 18 characters, got %d", n)
	}
	s = strings.ToUpper(s)
	for i := 0; i < 18; i++ {
		if strings.IndexByte(usccAlphabet, s[i]) < 0 {
			return "", fail("charset", "第%d位“%c”不是统一社会信用代码允许的字符（不使用 I、O、Z、S、V）",
				"character %d (%q) is not allowed (the code never uses I, O, Z, S, V)", i+1, s[i])
		}
	}
	// Position 1 is the registration authority (1 机构编制, 2 外交, 3 司法行政,
	// 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管, A 中央军委改革和编制办公室,
	// N 农业, Y 其他); position 2 the organization category, a digit.
	if !strings.ContainsRune("123456789ANY", rune(s[0])) {
		return "", fail("authority", "第1位登记管理部门代码“%c”无效（应为1–9、A、N或Y）", "character 1 (%q) is not a registration authority code (1-9, A, N or Y)", s[0])
	}
	if s[1] < '1' || s[1] > '9' {
		return "", fail("category", "第2位机构类别代码“%c”无效（应为数字1–9）", "character 2 (%q) is not an organization category (a digit 1-9)", s[1])
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", fail("region", "第3至8位应为行政区划代码（数字），第%d位为“%c”", "characters 3-8 are the region code (digits); character %d is %q", i+1, s[i])
		}
	}
	want, _ := OrgCodeCheckChar(s[8:16])
	if s[16] != want {
		return "", fail("org_code_check", "第9至17位的组织机构代码校验码应为 %c，实际为 %c", "the embedded organization code's check character should be %c, got %c", want, s[16])
	}
	check, _ := USCCCheckChar(s[:17])
	if s[17] != check {
		return "", fail("check_digit", "第18位校验码应为 %c，实际为 %c，请核对代码", "check character should be %c, got %c; please check the code", check, s[17])
	}
	return s, nil
}
