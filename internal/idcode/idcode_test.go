package idcode

import (
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// today is the fixed "now" of the date-dependent tests.
var today = time.Date(2026, 11, 22, 15, 0, 0, 0, chinaTime)

var knownCodes = map[string]bool{
	"empty": true, "whitespace": true, "length": true, "charset": true, "region": true,
	"birth_date": true, "check_digit": true, "authority": true, "category": true, "org_code_check": true,
}

// errCode returns the Code of an *Error, "" for nil and fails the test for
// any other kind of error or an *Error without a known code and both messages.
func errCode(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *idcode.Error", err, err)
	}
	if !knownCodes[e.Code] || e.Message == "" || e.MessageEN == "" {
		t.Fatalf("incomplete error %#v", e)
	}
	if e.Error() != e.Message+" / "+e.MessageEN {
		t.Fatalf("Error() = %q", e.Error())
	}
	return e.Code
}

// Valid citizen ID numbers; each check character was computed by hand
// (sum of digit×weight, (12 − sum mod 11) mod 11) and independently in Python.
var validCitizenIDs = []string{
	"11010519491231002X", // GB 11643-1999 example, check 10 → X
	"440524188001010014", // GB 11643-1999 example
	"530102199003070016", // Kunming, 1990-03-07
	"420101200002291232", // 29 February of a leap year divisible by 400
	"81000020240229001X", // Hong Kong province code, 2024-02-29
	"650102180001010017", // earliest year accepted
	"330102202611220011", // born "today"
}

func TestCitizenIDAcceptsKnownValidNumbers(t *testing.T) {
	for _, id := range validCitizenIDs {
		if err := ValidateCitizenIDAt(id, today); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if c, err := CitizenIDCheckChar(id[:17]); err != nil || c != id[17] {
			t.Errorf("%s: computed check %c, %v", id, c, err)
		}
	}
}

func TestCitizenIDAcceptsLowerCaseXAndNormalizesIt(t *testing.T) {
	if err := ValidateCitizenIDAt("11010519491231002x", today); err != nil {
		t.Fatal(err)
	}
	n, err := NormalizeCitizenID("11010519491231002x")
	if err != nil || n != "11010519491231002X" {
		t.Fatalf("NormalizeCitizenID = %q, %v", n, err)
	}
	if n, err := NormalizeCitizenID("440524188001010014"); err != nil || n != "440524188001010014" {
		t.Fatalf("NormalizeCitizenID changed a canonical number: %q, %v", n, err)
	}
}

func TestCitizenIDRejectsWrongCheckChar(t *testing.T) {
	err := ValidateCitizenIDAt("110105194912310025", today)
	if errCode(t, err) != "check_digit" {
		t.Fatalf("got %v", err)
	}
	var e *Error
	errors.As(err, &e)
	if e.Message != "第18位校验码应为 X，实际为 5，请核对号码" ||
		e.MessageEN != "check character should be X, got 5; please check the number" {
		t.Fatalf("message %q / %q", e.Message, e.MessageEN)
	}
	if got := errCode(t, ValidateCitizenIDAt("440524188001010015", today)); got != "check_digit" {
		t.Fatalf("got %s", got)
	}
}

func TestCitizenIDRejectsFeb30(t *testing.T) {
	first := "11010519490230002"
	c, _ := CitizenIDCheckChar(first) // right check character, impossible date
	if got := errCode(t, ValidateCitizenIDAt(first+string(c), today)); got != "birth_date" {
		t.Fatalf("got %q", got)
	}
}

func TestCitizenIDChecksLeapYearsAndMonthLengths(t *testing.T) {
	for _, tc := range []struct {
		birth string
		ok    bool
	}{
		{"20000229", true}, {"19000229", false}, {"20240229", true}, {"20230229", false},
		{"19991131", false}, {"19991231", true}, {"19990431", false}, {"19991301", false},
		{"19990001", false}, {"19990100", false},
	} {
		first := "110105" + tc.birth + "123"
		c, _ := CitizenIDCheckChar(first)
		err := ValidateCitizenIDAt(first+string(c), today)
		if (err == nil) != tc.ok || (err != nil && errCode(t, err) != "birth_date") {
			t.Errorf("birth %s: %v", tc.birth, err)
		}
	}
}

func TestCitizenIDRejectsFutureBirthDate(t *testing.T) {
	if got := errCode(t, ValidateCitizenIDAt("330102202611230017", today)); got != "birth_date" {
		t.Fatalf("born tomorrow: got %q", got)
	}
	if err := ValidateCitizenIDAt("330102202611220011", today); err != nil {
		t.Fatalf("born today: %v", err)
	}
	first := "11010529990101001"
	c, _ := CitizenIDCheckChar(first)
	if got := errCode(t, ValidateCitizenID(first+string(c))); got != "birth_date" {
		t.Fatalf("born 2999 against the clock: got %q", got)
	}
}

func TestCitizenIDUsesTodaysCalendarDateInItsLocation(t *testing.T) {
	// 2026-11-22 20:00 UTC is already 23 November in China.
	now := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)
	if ValidateCitizenIDAt("330102202611230017", now) == nil {
		t.Fatal("accepted a birth date after today's UTC date")
	}
	if err := ValidateCitizenIDAt("330102202611230017", now.In(chinaTime)); err != nil {
		t.Fatalf("rejected a birth on today's China date: %v", err)
	}
}

func TestCitizenIDRejectsBirthBefore1800(t *testing.T) {
	first := "11010517991231002"
	c, _ := CitizenIDCheckChar(first)
	if got := errCode(t, ValidateCitizenIDAt(first+string(c), today)); got != "birth_date" {
		t.Fatalf("got %q", got)
	}
}

func TestCitizenIDRejectsUnknownProvinceCode(t *testing.T) {
	for _, p := range []string{"00", "10", "16", "20", "24", "30", "38", "47", "55", "60", "66", "70", "72", "80", "83", "91", "99"} {
		first := p + "010519491231002"
		c, _ := CitizenIDCheckChar(first)
		if got := errCode(t, ValidateCitizenIDAt(first+string(c), today)); got != "region" {
			t.Errorf("province %s: got %q", p, got)
		}
	}
}

func TestCitizenIDAcceptsEveryProvinceCode(t *testing.T) {
	for _, p := range strings.Fields("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82") {
		first := p + "010519491231002"
		c, _ := CitizenIDCheckChar(first)
		if err := ValidateCitizenIDAt(first+string(c), today); err != nil {
			t.Errorf("province %s: %v", p, err)
		}
	}
}

func TestCitizenIDRejectsLetterInBody(t *testing.T) {
	for _, id := range []string{"1101051949A231002X", "X1010519491231002X", "110105194912310X2X", "1101051949123100x2"} {
		if got := errCode(t, ValidateCitizenIDAt(id, today)); got != "charset" {
			t.Errorf("%s: got %q", id, got)
		}
	}
	if got := errCode(t, ValidateCitizenIDAt("11010519491231002Y", today)); got != "charset" {
		t.Errorf("check character Y: got %q", got)
	}
}

func TestCitizenIDRejectsWrongLength(t *testing.T) {
	for _, id := range []string{"1", "1101051949123100", "11010519491231002", "11010519491231002X1", "110105491231002"} {
		if got := errCode(t, ValidateCitizenIDAt(id, today)); got != "length" {
			t.Errorf("%s: got %q", id, got)
		}
	}
	var e *Error
	errors.As(ValidateCitizenIDAt("110105491231002", today), &e)
	if !strings.Contains(e.Message, "15位旧号码") {
		t.Errorf("15-digit number gets no hint: %s", e.Message)
	}
}

func TestCitizenIDRejectsEmpty(t *testing.T) {
	if got := errCode(t, ValidateCitizenIDAt("", today)); got != "empty" {
		t.Fatalf("got %q", got)
	}
}

func TestCitizenIDRejectsWhitespaceInsteadOfTrimming(t *testing.T) {
	for _, id := range []string{" 11010519491231002X", "11010519491231002X ", "110105 19491231002X", "11010519491231002X\n",
		"\t11010519491231002X", "11010519491231002X\u3000", "\u00a011010519491231002X", " "} {
		if got := errCode(t, ValidateCitizenIDAt(id, today)); got != "whitespace" {
			t.Errorf("%q: got %q", id, got)
		}
		if n, err := NormalizeCitizenID(id); err == nil || n != "" {
			t.Errorf("%q normalized to %q", id, n)
		}
	}
}

func TestCitizenIDRejectsFullWidthAndNonASCII(t *testing.T) {
	for _, id := range []string{"１１010519491231002X", "11010519491231002Ｘ", "11010519491231002×", "110105\xff9491231002X", "11010519491231002\u200b"} {
		if got := errCode(t, ValidateCitizenIDAt(id, today)); got != "charset" {
			t.Errorf("%q: got %q", id, got)
		}
	}
	var e *Error
	errors.As(ValidateCitizenIDAt("１１010519491231002X", today), &e)
	if !strings.Contains(e.Message, "全角") {
		t.Errorf("full-width input gets no hint: %s", e.Message)
	}
}

func TestBirthDateReadsDigits7To14(t *testing.T) {
	b, err := BirthDate("440524188001010014")
	if err != nil || b.Format("2006-01-02") != "1880-01-01" {
		t.Fatalf("BirthDate = %v, %v", b, err)
	}
	b, err = BirthDate("11010519491231002x")
	if err != nil || b.Format("2006-01-02") != "1949-12-31" {
		t.Fatalf("BirthDate = %v, %v", b, err)
	}
	if _, err := BirthDate("110105194912310021"); errCode(t, err) != "check_digit" {
		t.Fatalf("BirthDate of an invalid number: %v", err)
	}
}

func TestCitizenIDCheckCharRejectsBadInput(t *testing.T) {
	for in, want := range map[string]string{"": "length", "1101051949123100": "length", "1101051949123100A": "charset", "１101051949123100": "length"} {
		if _, err := CitizenIDCheckChar(in); errCode(t, err) != want {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// Valid credit codes; both check characters were computed by hand and
// independently in Python.
var validUSCCs = []string{
	"91350100M000100Y43", // GB 32100-2015 example
	"91440300708461136T", // 华为技术有限公司 (Huawei Technologies)
	"9111000010169286X1", // 中国移动通信集团有限公司 (China Mobile), org check X
	"91330100716105852F", // 阿里巴巴（中国）有限公司
	"9144030071526726XG", // 深圳市腾讯计算机系统有限公司
	"91110000802100433B", // 百度在线网络技术（北京）有限公司
	"91110108551385082Q", // 北京小米科技有限责任公司
	"91110000600037341L", // check characters consistent (owner not verified)
	"92371000MA3MXH0E3W", // 个体工商户 (category 2)
	"913502000728319549", // mod-31 check is a digit
}

func TestUSCCAcceptsKnownValidCodes(t *testing.T) {
	for _, c := range validUSCCs {
		if err := ValidateUSCC(c); err != nil {
			t.Errorf("%s: %v", c, err)
		}
		if oc, err := OrgCodeCheckChar(c[8:16]); err != nil || oc != c[16] {
			t.Errorf("%s: org check %c, %v", c, oc, err)
		}
		if cc, err := USCCCheckChar(c[:17]); err != nil || cc != c[17] {
			t.Errorf("%s: check %c, %v", c, cc, err)
		}
	}
}

func TestUSCCAcceptsLowerCaseAndNormalizesToUpper(t *testing.T) {
	for _, c := range validUSCCs {
		lower := strings.ToLower(c)
		if err := ValidateUSCC(lower); err != nil {
			t.Errorf("%s: %v", lower, err)
		}
		if n, err := NormalizeUSCC(lower); err != nil || n != c {
			t.Errorf("NormalizeUSCC(%s) = %q, %v", lower, n, err)
		}
	}
}

func TestOrgCodeCheckCharMatchesPublishedOrgCodes(t *testing.T) {
	for body, want := range map[string]byte{"70846113": '6', "10169286": 'X', "71610585": '2', "M000100Y": '4', "m000100y": '4'} {
		if c, err := OrgCodeCheckChar(body); err != nil || c != want {
			t.Errorf("%s: %c, %v; want %c", body, c, err, want)
		}
	}
	for in, want := range map[string]string{"": "length", "7084611": "length", "7084611-": "charset"} {
		if _, err := OrgCodeCheckChar(in); errCode(t, err) != want {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestUSCCRejectsWrongCheckChar(t *testing.T) {
	err := ValidateUSCC("91350100M000100Y44")
	if errCode(t, err) != "check_digit" {
		t.Fatalf("got %v", err)
	}
	var e *Error
	errors.As(err, &e)
	if e.Message != "第18位校验码应为 3，实际为 4，请核对代码" ||
		e.MessageEN != "check character should be 3, got 4; please check the code" {
		t.Fatalf("message %q / %q", e.Message, e.MessageEN)
	}
}

func TestUSCCRejectsForbiddenLettersIOZSV(t *testing.T) {
	for _, c := range []string{"91350100M000100Y4I", "91350100M0O0100Y43", "9135Z100M000100Y43", "91350100S000100Y43",
		"91350100M000100V43", "I1350100M000100Y43", "91350100m0o0100y43"} {
		err := ValidateUSCC(c)
		if errCode(t, err) != "charset" {
			t.Errorf("%s: %v", c, err)
			continue
		}
		var e *Error
		errors.As(err, &e)
		if !strings.Contains(e.Message, "不使用 I、O、Z、S、V") || !strings.Contains(e.MessageEN, "did you mean") {
			t.Errorf("%s: message gives no hint: %v", c, err)
		}
	}
	if _, err := USCCCheckChar("91350100M0O0100Y4"); errCode(t, err) != "charset" {
		t.Errorf("USCCCheckChar accepted O: %v", err)
	}
}

func TestUSCCRejectsPunctuationAndFullWidth(t *testing.T) {
	for _, c := range []string{"91350100-000100Y43", "91350100M000100Y4３", "９1350100M000100Y43"} {
		if got := errCode(t, ValidateUSCC(c)); got != "charset" {
			t.Errorf("%q: got %q", c, got)
		}
	}
}

func TestUSCCRejectsBadEmbeddedOrgCode(t *testing.T) {
	// Change the org code's check character and recompute the final check,
	// so that only the embedded GB 11714 check is wrong.
	first := "91350100M000100Y5"
	c, _ := USCCCheckChar(first)
	if got := errCode(t, ValidateUSCC(first+string(c))); got != "org_code_check" {
		t.Fatalf("got %q", got)
	}
	if got := errCode(t, ValidateUSCC("91350100M000101Y43")); got != "org_code_check" {
		t.Fatalf("got %q", got)
	}
}

func TestUSCCRejectsLetterInAdministrativeDivision(t *testing.T) {
	if got := errCode(t, ValidateUSCC("913501A0M000100Y43")); got != "region" {
		t.Fatalf("got %q", got)
	}
}

func TestUSCCRejectsUnknownAuthorityOrCategory(t *testing.T) {
	for c, want := range map[string]string{
		"01350100M000100Y43": "authority", "B1350100M000100Y43": "authority", "X1350100M000100Y43": "authority",
		"9A350100M000100Y43": "category", "90350100M000100Y43": "category",
	} {
		if got := errCode(t, ValidateUSCC(c)); got != want {
			t.Errorf("%s: got %q, want %q", c, got, want)
		}
	}
}

func TestUSCCRejectsWrongLengthEmptyAndWhitespace(t *testing.T) {
	for c, want := range map[string]string{
		"":                     "empty",
		"91350100M000100Y4":    "length",
		"91350100M000100Y433":  "length",
		"M000100Y4":            "length",
		"91350100M000100Y43 ":  "whitespace",
		" 91350100M000100Y43":  "whitespace",
		"91350100 M000100Y43":  "whitespace",
		"91350100M000100Y43\r": "whitespace",
	} {
		if got := errCode(t, ValidateUSCC(c)); got != want {
			t.Errorf("%q: got %q, want %q", c, got, want)
		}
		if n, err := NormalizeUSCC(c); err == nil || n != "" {
			t.Errorf("%q normalized to %q", c, n)
		}
	}
}

func TestErrorStringJoinsBothLanguages(t *testing.T) {
	e := &Error{Code: "x", Message: "甲", MessageEN: "a"}
	if e.Error() != "甲 / a" {
		t.Fatal(e.Error())
	}
}

// provinceList is sorted so that a seeded generator is reproducible.
var provinceList = slices.Sorted(maps.Keys(provinces))

// randomCitizenFirst17 builds 17 valid characters: a real province code, a
// random date between 1800-01-01 and today and a random sequence code.
func randomCitizenFirst17(r *rand.Rand) string {
	p := provinceList[r.IntN(len(provinceList))]
	start := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	birth := start.AddDate(0, 0, r.IntN(days+1))
	var b strings.Builder
	b.WriteString(p)
	for range 4 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	b.WriteString(birth.Format("20060102"))
	for range 3 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func randomUSCCFirst17(r *rand.Rand) string {
	var b strings.Builder
	b.WriteByte(authorities[r.IntN(len(authorities))])
	b.WriteByte(byte('1' + r.IntN(9)))
	for range 6 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	body := make([]byte, 8)
	for i := range body {
		body[i] = usccAlphabet[r.IntN(len(usccAlphabet))]
	}
	oc, _ := OrgCodeCheckChar(string(body))
	b.Write(body)
	b.WriteByte(oc)
	return b.String()
}

func TestPropertyGeneratedCitizenIDsValidateAndDetectSingleErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(11643, 1999))
	for i := 0; i < 5000; i++ {
		first := randomCitizenFirst17(r)
		c, err := CitizenIDCheckChar(first)
		if err != nil {
			t.Fatal(err)
		}
		id := first + string(c)
		if err := ValidateCitizenIDAt(id, today); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		// MOD 11-2 detects every single-character substitution.
		pos := r.IntN(18)
		alts := "0123456789X"
		if pos < 17 {
			alts = "0123456789"
		}
		alt := alts[r.IntN(len(alts))]
		if alt == id[pos] {
			continue
		}
		bad := id[:pos] + string(alt) + id[pos+1:]
		if ValidateCitizenIDAt(bad, today) == nil {
			t.Fatalf("%s (from %s) accepted", bad, id)
		}
	}
}

func TestPropertyGeneratedUSCCsValidateAndDetectSingleErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(32100, 2015))
	for i := 0; i < 5000; i++ {
		first := randomUSCCFirst17(r)
		c, err := USCCCheckChar(first)
		if err != nil {
			t.Fatal(err)
		}
		code := first + string(c)
		if err := ValidateUSCC(code); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if err := ValidateUSCC(strings.ToLower(code)); err != nil {
			t.Fatalf("lower %s: %v", code, err)
		}
		// The mod-31 check detects every single-character substitution.
		pos := r.IntN(18)
		alt := usccAlphabet[r.IntN(len(usccAlphabet))]
		if alt == code[pos] {
			continue
		}
		bad := code[:pos] + string(alt) + code[pos+1:]
		if ValidateUSCC(bad) == nil {
			t.Fatalf("%s (from %s) accepted", bad, code)
		}
	}
}

func FuzzValidateCitizenID(f *testing.F) {
	for _, s := range validCitizenIDs {
		f.Add(s)
	}
	for _, s := range []string{
		"11010519491231002x", "110105194912310025", "11010519490230002X", "11010529990101001X",
		"99010519491231002X", "1101051949A231002X", "110105491231002", "", " 11010519491231002X",
		"１１010519491231002X", "110105\xff9491231002X", "x", "11010519491231002XX",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		verr := ValidateCitizenID(s)
		norm, err := NormalizeCitizenID(s)
		if err != nil {
			errCode(t, err)
			errCode(t, verr)
			if norm != "" {
				t.Fatalf("rejected %q but returned %q", s, norm)
			}
			if (verr == nil) != (err == nil) {
				t.Fatalf("Validate and Normalize disagree on %q: %v / %v", s, verr, err)
			}
			return
		}
		if verr != nil {
			t.Fatalf("Normalize accepted %q, Validate said %v", s, verr)
		}
		if len(norm) != 18 || !strings.EqualFold(norm, s) || strings.ContainsRune(norm, 'x') {
			t.Fatalf("accepted %q as %q", s, norm)
		}
		if err := ValidateCitizenID(norm); err != nil {
			t.Fatalf("normalized %q fails: %v", norm, err)
		}
		if again, err := NormalizeCitizenID(norm); err != nil || again != norm {
			t.Fatalf("normalization not idempotent: %q -> %q, %v", norm, again, err)
		}
		if c, err := CitizenIDCheckChar(norm[:17]); err != nil || c != norm[17] {
			t.Fatalf("accepted %q whose check character is %c (%v)", s, c, err)
		}
		if b, err := BirthDate(norm); err != nil || b.Format("20060102") != norm[6:14] {
			t.Fatalf("BirthDate(%q) = %v, %v", norm, b, err)
		}
	})
}

func FuzzValidateUSCC(f *testing.F) {
	for _, s := range validUSCCs {
		f.Add(s)
		f.Add(strings.ToLower(s))
	}
	for _, s := range []string{
		"91350100M000100Y44", "91350100M0O0100Y43", "91350100M000101Y43", "913501A0M000100Y43",
		"01350100M000100Y43", "9A350100M000100Y43", "91350100M000100Y4", "", "91350100M000100Y43 ",
		"IIIIIIIIIIIIIIIIII", "９1350100M000100Y43", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		verr := ValidateUSCC(s)
		norm, err := NormalizeUSCC(s)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate and Normalize disagree on %q: %v / %v", s, verr, err)
		}
		if err != nil {
			errCode(t, err)
			if norm != "" {
				t.Fatalf("rejected %q but returned %q", s, norm)
			}
			return
		}
		if len(norm) != 18 || !strings.EqualFold(norm, s) || norm != strings.ToUpper(norm) {
			t.Fatalf("accepted %q as %q", s, norm)
		}
		if err := ValidateUSCC(norm); err != nil {
			t.Fatalf("normalized %q fails: %v", norm, err)
		}
		if again, err := NormalizeUSCC(norm); err != nil || again != norm {
			t.Fatalf("normalization not idempotent: %q -> %q, %v", norm, again, err)
		}
		if c, err := USCCCheckChar(norm[:17]); err != nil || c != norm[17] {
			t.Fatalf("accepted %q whose check character is %c (%v)", s, c, err)
		}
		if c, err := OrgCodeCheckChar(norm[8:16]); err != nil || c != norm[16] {
			t.Fatalf("accepted %q whose org code check character is %c (%v)", s, c, err)
		}
	})
}
