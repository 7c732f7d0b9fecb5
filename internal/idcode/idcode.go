package idcode

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Error explains why a value is not a valid identifier.
//
// Code is stable and meant for programs: "empty", "whitespace", "length",
// "charset", "region", "birth_date", "check_digit" (both identifiers), and
// for credit codes also "authority", "category" and "org_code_check".
// Message is in Chinese (zh-CN) and MessageEN in English; both say what to fix.
type Error struct {
	Code      string
	Message   string
	MessageEN string
}

func (e *Error) Error() string { return e.Message + " / " + e.MessageEN }

func newErr(code, zh, en string) *Error { return &Error{Code: code, Message: zh, MessageEN: en} }

// chinaTime is China Standard Time (UTC+8, no daylight saving time); "today"
// for a birth date is the calendar day in China, whatever the server's zone.
var chinaTime = time.FixedZone("CST", 8*3600)

// show renders one character for a message: as itself when printable,
// otherwise as U+XXXX so control characters cannot garble the text.
func show(r rune) string {
	if r == utf8.RuneError || !unicode.IsPrint(r) {
		return fmt.Sprintf("U+%04X", r)
	}
	return string(r)
}

// preflight rejects what no identifier may contain — nothing at all,
// whitespace, invalid UTF-8 and non-ASCII (e.g. full-width) characters — so
// that later checks can work on bytes. what is the identifier's name.
func preflight(s, whatZH, whatEN string) *Error {
	if s == "" {
		return newErr("empty", "请输入"+whatZH, "the "+whatEN+" is empty; please enter it")
	}
	pos := 0
	for i, r := range s {
		pos++
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return newErr("charset",
					fmt.Sprintf("第%d位含有无法识别的字符，请重新输入%s", pos, whatZH),
					fmt.Sprintf("character %d is not valid text; please type the %s again", pos, whatEN))
			}
		}
		if unicode.IsSpace(r) {
			return newErr("whitespace",
				fmt.Sprintf("%s中含有空格或换行（第%d个字符），请删除后重新输入", whatZH, pos),
				fmt.Sprintf("the %s contains a space or line break (character %d); remove it and enter the number again", whatEN, pos))
		}
	}
	pos = 0
	for _, r := range s {
		pos++
		if r < utf8.RuneSelf {
			continue
		}
		if r >= 0xFF01 && r <= 0xFF5E { // full-width forms of ASCII
			return newErr("charset",
				fmt.Sprintf("第%d位“%s”是全角字符，请切换到半角（英文）输入后重新输入", pos, show(r)),
				fmt.Sprintf("character %d (%s) is a full-width character; type it in half-width (ASCII) form", pos, show(r)))
		}
		return newErr("charset",
			fmt.Sprintf("第%d位“%s”不是数字或字母，请核对%s", pos, show(r), whatZH),
			fmt.Sprintf("character %d (%s) is not a digit or letter; please check the %s", pos, show(r), whatEN))
	}
	return nil
}

// ---------------------------------------------------------------------------
// GB 11643-1999 citizen ID numbers

var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// idWeights are the ISO 7064 MOD 11-2 weights 2^(18-i) mod 11.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CitizenIDCheckChar computes the ISO 7064 MOD 11-2 check character ('0'–'9'
// or 'X') of the first 17 digits of a citizen ID number.
func CitizenIDCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, newErr("length",
			fmt.Sprintf("计算校验码需要前17位数字，实际为%d个字节", len(first17)),
			fmt.Sprintf("the check character is computed from the first 17 digits, got %d bytes", len(first17)))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, newErr("charset",
				fmt.Sprintf("第%d位应为数字，实际为“%s”", i+1, show(rune(c))),
				fmt.Sprintf("character %d must be a digit, got %q", i+1, c))
		}
		sum += int(c-'0') * idWeights[i]
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return 'X', nil
	}
	return byte('0' + v), nil
}

// ValidateCitizenID checks a citizen ID number; the birth date may not be
// after today in China. It returns nil or an *Error.
func ValidateCitizenID(s string) error {
	return ValidateCitizenIDAt(s, time.Now().In(chinaTime))
}

// ValidateCitizenIDAt checks a citizen ID number as of the calendar date of
// today (in today's own location): the birth date may not be after it.
// It returns nil or an *Error.
func ValidateCitizenIDAt(s string, today time.Time) error {
	if _, err := normalizeCitizenID(s, today); err != nil {
		return err
	}
	return nil
}

// NormalizeCitizenID validates a citizen ID number and returns it with the
// check character upper-cased (…x → …X). Nothing else is changed: whitespace
// is rejected, not trimmed.
func NormalizeCitizenID(s string) (string, error) {
	n, err := normalizeCitizenID(s, time.Now().In(chinaTime))
	if err != nil {
		return "", err
	}
	return n, nil
}

func normalizeCitizenID(s string, today time.Time) (string, *Error) {
	if e := preflight(s, "公民身份号码", "citizen ID number"); e != nil {
		return "", e
	}
	if len(s) != 18 { // all ASCII now, so bytes are characters
		zh := fmt.Sprintf("公民身份号码应为18位，实际为%d位，请检查是否漏输或多输", len(s))
		en := fmt.Sprintf("a citizen ID number has 18 characters, got %d; check for missing or extra characters", len(s))
		if len(s) == 15 {
			zh += "（15位旧号码请换用18位新号码）"
			en += " (use the 18-character number instead of an old 15-digit one)"
		}
		return "", newErr("length", zh, en)
	}
	for i := 0; i < 17; i++ {
		if c := s[i]; c < '0' || c > '9' {
			return "", newErr("charset",
				fmt.Sprintf("第%d位应为数字，实际为“%s”，请核对号码", i+1, show(rune(c))),
				fmt.Sprintf("character %d must be a digit, got %q; please check the number", i+1, c))
		}
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if (last < '0' || last > '9') && last != 'X' {
		return "", newErr("charset",
			fmt.Sprintf("第18位应为数字或X，实际为“%s”，请核对号码", show(rune(s[17]))),
			fmt.Sprintf("character 18 must be a digit or X, got %q; please check the number", s[17]))
	}
	if !provinces[s[:2]] {
		return "", newErr("region",
			fmt.Sprintf("前两位“%s”不是有效的省级行政区划代码，请核对号码前6位（户籍地址码）", s[:2]),
			fmt.Sprintf("the first two digits %s are not a province code; please check the first 6 digits (address code)", s[:2]))
	}
	ds := s[6:14]
	birth, err := time.Parse("20060102", ds)
	if err != nil || birth.Format("20060102") != ds {
		return "", newErr("birth_date",
			fmt.Sprintf("第7至14位出生日期“%s”不是有效日期，请核对出生年月日", ds),
			fmt.Sprintf("characters 7-14 (%s) are not a valid birth date YYYYMMDD; please check the date of birth", ds))
	}
	if birth.Year() < 1800 {
		return "", newErr("birth_date",
			fmt.Sprintf("第7至14位出生日期“%s”早于1800年，请核对出生年份", ds),
			fmt.Sprintf("the birth date %s is before 1800; please check the year of birth", ds))
	}
	if ds > today.Format("20060102") {
		return "", newErr("birth_date",
			fmt.Sprintf("第7至14位出生日期“%s”晚于今天，请核对出生年月日", ds),
			fmt.Sprintf("the birth date %s is in the future; please check the date of birth", ds))
	}
	want, _ := CitizenIDCheckChar(s[:17])
	if want != last {
		return "", newErr("check_digit",
			fmt.Sprintf("第18位校验码应为 %c，实际为 %c，请核对号码", want, s[17]),
			fmt.Sprintf("check character should be %c, got %c; please check the number", want, s[17]))
	}
	return s[:17] + string(last), nil
}

// BirthDate returns the birth date encoded in a valid citizen ID number, as
// midnight UTC of that calendar day. Invalid numbers give an *Error.
func BirthDate(id string) (time.Time, error) {
	norm, err := NormalizeCitizenID(id)
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse("20060102", norm[6:14])
}

// ---------------------------------------------------------------------------
// GB 32100-2015 unified social credit codes, GB 11714-1997 organization codes

// usccAlphabet is the GB 32100 character set; a character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^(i-1) mod 31.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgAlphabet gives GB 11714 character values (digits, then A=10 … Z=35).
const orgAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// authorities are the GB 32100 registration authority codes: 1 机构编制,
// 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商（市场监管）,
// A 中央军委改革和编制办公室, N 农业, Y 其他.
const authorities = "123456789ANY"

// lookalike suggests the character a forbidden letter was probably meant to be.
var lookalike = map[byte]string{'I': "1", 'O': "0", 'Z': "2", 'S': "5", 'V': "U"}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func usccCharsetErr(pos int, c byte) *Error {
	if hint, ok := lookalike[c]; ok {
		return newErr("charset",
			fmt.Sprintf("第%d位为字母“%c”，统一社会信用代码不使用 I、O、Z、S、V，请核对（是否应为“%s”）", pos, c, hint),
			fmt.Sprintf("character %d is the letter %c, which a credit code never uses (no I, O, Z, S, V); please check it (did you mean %s?)", pos, c, hint))
	}
	return newErr("charset",
		fmt.Sprintf("第%d位“%s”不是统一社会信用代码允许的字符（数字或大写字母，不含 I、O、Z、S、V）", pos, show(rune(c))),
		fmt.Sprintf("character %d (%q) is not allowed; a credit code uses digits and letters except I, O, Z, S, V", pos, c))
}

// OrgCodeCheckChar computes the GB 11714-1997 check character ('0'–'9' or 'X')
// of the 8-character body of an organization code. Letters may be either case.
func OrgCodeCheckChar(first8 string) (byte, error) {
	if len(first8) != 8 {
		return 0, newErr("length",
			fmt.Sprintf("组织机构代码本体应为8位，实际为%d个字节", len(first8)),
			fmt.Sprintf("an organization code body has 8 characters, got %d bytes", len(first8)))
	}
	sum := 0
	for i := 0; i < 8; i++ {
		v := strings.IndexByte(orgAlphabet, upperASCII(first8[i]))
		if v < 0 {
			return 0, newErr("charset",
				fmt.Sprintf("组织机构代码第%d位“%s”不是数字或字母", i+1, show(rune(first8[i]))),
				fmt.Sprintf("organization code character %d (%q) is not a digit or letter", i+1, first8[i]))
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

// USCCCheckChar computes the GB 32100 mod-31 check character of the first 17
// characters of a unified social credit code. Letters may be either case.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, newErr("length",
			fmt.Sprintf("计算校验码需要前17位字符，实际为%d个字节", len(first17)),
			fmt.Sprintf("the check character is computed from the first 17 characters, got %d bytes", len(first17)))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := upperASCII(first17[i])
		v := strings.IndexByte(usccAlphabet, c)
		if v < 0 {
			return 0, usccCharsetErr(i+1, c)
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// ValidateUSCC checks a unified social credit code. Lower-case letters are
// accepted. It returns nil or an *Error.
func ValidateUSCC(s string) error {
	if _, err := normalizeUSCC(s); err != nil {
		return err
	}
	return nil
}

// NormalizeUSCC validates a unified social credit code and returns it in
// upper case. Nothing else is changed: whitespace is rejected, not trimmed.
func NormalizeUSCC(s string) (string, error) {
	n, err := normalizeUSCC(s)
	if err != nil {
		return "", err
	}
	return n, nil
}

func normalizeUSCC(s string) (string, *Error) {
	if e := preflight(s, "统一社会信用代码", "unified social credit code"); e != nil {
		return "", e
	}
	if len(s) != 18 { // all ASCII now, so bytes are characters
		zh := fmt.Sprintf("统一社会信用代码应为18位，实际为%d位，请检查是否漏输或多输", len(s))
		en := fmt.Sprintf("a unified social credit code has 18 characters, got %d; check for missing or extra characters", len(s))
		if len(s) == 9 || len(s) == 10 || len(s) == 15 {
			zh += "（组织机构代码或15位注册号请换用18位统一社会信用代码）"
			en += " (enter the 18-character credit code, not an organization code or 15-digit registration number)"
		}
		return "", newErr("length", zh, en)
	}
	b := []byte(s)
	for i := range b {
		b[i] = upperASCII(b[i])
		if strings.IndexByte(usccAlphabet, b[i]) < 0 {
			return "", usccCharsetErr(i+1, b[i])
		}
	}
	u := string(b)
	if strings.IndexByte(authorities, u[0]) < 0 {
		return "", newErr("authority",
			fmt.Sprintf("第1位登记管理部门代码“%c”无效（应为1–9、A、N或Y），请核对代码", u[0]),
			fmt.Sprintf("character 1 (%c) is not a registration authority code (1-9, A, N or Y); please check the code", u[0]))
	}
	if u[1] < '1' || u[1] > '9' {
		return "", newErr("category",
			fmt.Sprintf("第2位机构类别代码“%c”无效（应为数字1–9），请核对代码", u[1]),
			fmt.Sprintf("character 2 (%c) is not an organization category (a digit 1-9); please check the code", u[1]))
	}
	for i := 2; i < 8; i++ {
		if u[i] < '0' || u[i] > '9' {
			return "", newErr("region",
				fmt.Sprintf("第3至8位是登记管理机关行政区划码，应为数字，第%d位为“%c”，请核对代码", i+1, u[i]),
				fmt.Sprintf("characters 3-8 are the administrative division code and must be digits; character %d is %c; please check the code", i+1, u[i]))
		}
	}
	if want, _ := OrgCodeCheckChar(u[8:16]); u[16] != want {
		return "", newErr("org_code_check",
			fmt.Sprintf("第9至17位组织机构代码的校验码（第17位）应为 %c，实际为 %c，请核对代码", want, u[16]),
			fmt.Sprintf("the embedded organization code (characters 9-17) should end in check character %c, got %c; please check the code", want, u[16]))
	}
	if want, _ := USCCCheckChar(u[:17]); u[17] != want {
		return "", newErr("check_digit",
			fmt.Sprintf("第18位校验码应为 %c，实际为 %c，请核对代码", want, u[17]),
			fmt.Sprintf("check character should be %c, got %c; please check the code", want, u[17]))
	}
	return u, nil
}
