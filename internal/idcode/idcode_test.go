package idcode

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "?"
	}
	return ""
}

func TestCitizenIDValidation(t *testing.T) {
	cases := []struct{ id, want string }{
		{"11010519491231002X", ""}, // GB 11643 example
		{"11010519491231002x", ""}, // lower-case x accepted
		{"440524188001010014", ""}, // GB 11643 example
		{"530102199003070015", ""}, // check character computed below
		{"11010519491231002Y", "charset"},
		{"110105194912310021", "check_digit"},
		{"11010519490230002X", "birth_date"}, // 30 February
		{"11010520270101002X", "birth_date"}, // in the future
		{"11010517000101002X", "birth_date"}, // before 1800
		{"99010519491231002X", "region"},
		{"1101051949123100", "length"},
		{"11010519491231002X1", "length"},
		{"1101051949A231002X", "charset"},
		{" 11010519491231002X", "whitespace"},
		{"", "empty"},
		{"１１010519491231002X", "length"}, // full-width digits
	}
	for _, tc := range cases {
		if tc.id == "530102199003070015" {
			c, _ := CitizenIDCheckChar(tc.id[:17])
			tc.id = tc.id[:17] + string(c)
		}
		if got := code(ValidateCitizenIDAt(tc.id, today)); got != tc.want {
			t.Errorf("%q: error code %q, want %q (%v)", tc.id, got, tc.want, ValidateCitizenIDAt(tc.id, today))
		}
	}
	if n, _ := NormalizeCitizenID("11010519491231002x"); n != "11010519491231002X" {
		t.Errorf("normalize: %s", n)
	}
	if b, err := BirthDate("440524188001010014"); err != nil || b.Format("2006-01-02") != "1880-01-01" {
		t.Errorf("birth date %v %v", b, err)
	}
}

func TestCitizenIDLeapDays(t *testing.T) {
	for _, tc := range []struct {
		birth string
		ok    bool
	}{{"20000229", true}, {"19000229", false}, {"20240229", true}, {"20230229", false}, {"19991131", false}} {
		first := "110105" + tc.birth + "123"
		c, _ := CitizenIDCheckChar(first)
		err := ValidateCitizenIDAt(first+string(c), today)
		if (err == nil) != tc.ok {
			t.Errorf("birth %s: %v", tc.birth, err)
		}
	}
}

func TestUSCCValidation(t *testing.T) {
	cases := []struct{ code, want string }{
		{"91350100M000100Y43", ""}, // GB 32100 example
		{"91440300708461136T", ""}, // Huawei Technologies Co., Ltd.
		{"9111000010169286X1", ""}, // China Mobile Communications Group
		{"91110000600037341L", ""},
		{"91350100m000100y43", ""}, // lower case normalized
		{"91350100M000100Y44", "check_digit"},
		{"91350100M000100Y4I", "charset"}, // I is never used
		{"91350100M0O0100Y43", "charset"}, // O is never used
		{"9135Z100M000100Y43", "charset"},
		{"91350100M000100V43", "charset"},
		{"91350100M000101Y43", "org_code_check"},
		{"913501A0M000100Y43", "region"},
		{"01350100M000100Y43", "authority"},
		{"B1350100M000100Y43", "authority"},
		{"9A350100M000100Y43", "category"},
		{"91350100M000100Y4", "length"},
		{"", "empty"},
		{"91350100M000100Y43 ", "whitespace"},
	}
	for _, tc := range cases {
		if got := code(ValidateUSCC(tc.code)); got != tc.want {
			t.Errorf("%q: error code %q, want %q (%v)", tc.code, got, tc.want, ValidateUSCC(tc.code))
		}
	}
}

func TestGeneratedIdentifiersValidate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		birth := time.Date(1900+r.IntN(120), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
		first := "530102" + birth.Format("20060102") + string(rune('0'+r.IntN(10))) + string(rune('0'+r.IntN(10))) + string(rune('0'+r.IntN(10)))
		c, err := CitizenIDCheckChar(first)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateCitizenIDAt(first+string(c), today); err != nil {
			t.Fatalf("%s%c: %v", first, c, err)
		}
		body := make([]byte, 8)
		for j := range body {
			body[j] = usccAlphabet[r.IntN(len(usccAlphabet))]
		}
		oc, err := OrgCodeCheckChar(string(body))
		if err != nil {
			t.Fatal(err)
		}
		first17 := string("123456789ANY"[r.IntN(12)]) + string(rune('1'+r.IntN(9))) + "530100" + string(body) + string(oc)
		cc, err := USCCCheckChar(first17)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateUSCC(first17 + string(cc)); err != nil {
			t.Fatalf("%s%c: %v", first17, cc, err)
		}
	}
}

func FuzzValidateCitizenID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "440524188001010014", "110105194902300021", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, err := NormalizeCitizenID(s)
		if err != nil {
			if code(err) == "?" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if err := ValidateCitizenID(norm); err != nil {
			t.Fatalf("normalized %q fails: %v", norm, err)
		}
		if c, _ := CitizenIDCheckChar(norm[:17]); c != norm[17] {
			t.Fatalf("accepted %q with check %c", s, c)
		}
	})
}

func FuzzValidateUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91440300708461136T", "91350100m000100y43", "91350100M000100Y44", "", "IIIIIIIIIIIIIIIIII"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, err := NormalizeUSCC(s)
		if err != nil {
			if code(err) == "?" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if c, _ := USCCCheckChar(norm[:17]); c != norm[17] {
			t.Fatalf("accepted %q with check %c", s, c)
		}
		if c, _ := OrgCodeCheckChar(norm[8:16]); c != norm[16] {
			t.Fatalf("accepted %q with org check %c", s, c)
		}
		if err := ValidateUSCC(norm); err != nil {
			t.Fatalf("normalized %q fails: %v", norm, err)
		}
	})
}
