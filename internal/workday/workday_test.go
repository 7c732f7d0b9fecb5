package workday

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func builtin(t testing.TB) *Calendar {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	if tm, err := time.ParseInLocation("2006-01-02", s, Location); err == nil {
		return tm
	}
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// Expected values are reasoned from the State Council notices, not from this code.
func TestAddWorkdaysFollowsTheOfficialCalendar(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		name, received string
		n              int
		want           string
	}{
		{"national day 2025 skips Oct 1-8 and counts Saturday Oct 11", "2025-09-30", 5, "2025-10-14"},
		{"receipt on a holiday counts from the next working day", "2025-10-03", 1, "2025-10-09"},
		{"UTC Friday evening is Saturday in Beijing", "2025-10-10T17:00:00Z", 1, "2025-10-13"},
		{"23:59 Friday Beijing: the adjusted Saturday is the first working day", "2025-10-10T15:59:59Z", 1, "2025-10-11"},
		{"spring festival 2025: Sunday Jan 26 is worked", "2025-01-24", 1, "2025-01-26"},
		{"spring festival 2025: Jan 28 to Feb 4 off", "2025-01-24", 3, "2025-02-05"},
		{"spring festival 2024: eve Feb 9 is a working day", "2024-02-08", 1, "2024-02-09"},
		{"spring festival 2024: Sunday Feb 18 is worked", "2024-02-08", 2, "2024-02-18"},
		{"ten working days over new year 2026", "2025-12-25", 10, "2026-01-09"},
		{"2020 spring festival extension to Feb 2", "2020-01-23", 1, "2020-02-03"},
		{"ordinary week", "2025-06-02", 5, "2025-06-09"},
		{"dragon boat 2025 (May 31 - Jun 2)", "2025-05-30", 1, "2025-06-03"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			due, err := c.AddWorkdays(mustTime(t, tc.received), tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if due.Date != tc.want {
				t.Fatalf("%s + %d WD = %s, want %s", tc.received, tc.n, due.Date, tc.want)
			}
			wantEnd := mustTime(t, tc.want).AddDate(0, 0, 1)
			if !due.End.Equal(wantEnd) {
				t.Fatalf("due end %s, want %s", due.End, wantEnd)
			}
		})
	}
}

func TestAddWorkdaysRefusesUnknownYears(t *testing.T) {
	c := builtin(t)
	for _, s := range []string{"2018-12-28", "2026-12-30", "2030-01-01"} {
		_, err := c.AddWorkdays(mustTime(t, s), 5)
		if !errors.Is(err, ErrUnknownYear) {
			t.Errorf("%s: err = %v, want ErrUnknownYear", s, err)
		}
	}
	if _, err := c.AddWorkdays(mustTime(t, "2025-01-01"), 0); err == nil {
		t.Error("0 working days accepted")
	}
}

func TestEveryBuiltinYearLooksLikeANotice(t *testing.T) {
	c := builtin(t)
	if got := c.Years(); len(got) != 8 || got[0] != 2019 || got[7] != 2026 {
		t.Fatalf("years %v, want 2019..2026", got)
	}
	for _, y := range c.Years() {
		yd := c.YearData(y)
		names := map[string]bool{}
		for _, n := range yd.Holidays {
			names[n] = true
		}
		if !names["春节"] || !names["国庆节"] && !names["国庆节、中秋节"] && !strings.Contains(strings.Join(keys(names), ","), "国庆") {
			t.Errorf("%d: missing spring festival or national day: %v", y, keys(names))
		}
		if n := len(yd.Workdays); n < 2 || n > 8 {
			t.Errorf("%d: %d adjusted working days", y, n)
		}
		n, err := c.CountWorkdays(time.Date(y-1, 12, 31, 12, 0, 0, 0, Location), time.Date(y, 12, 31, 12, 0, 0, 0, Location))
		if y == 2019 {
			continue // 2018-12-31 is outside the data; counted from Jan 1 below
		}
		if err != nil || n < 244 || n > 252 {
			t.Errorf("%d: %d working days (%v)", y, n, err)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestParseFileRejectsBadEntries(t *testing.T) {
	bad := map[string]string{
		"bad date":             `{"years":{"2027":{"holidays":{"2027/01/01":"元旦"},"workdays":{}}}}`,
		"date in another year": `{"years":{"2027":{"holidays":{"2028-01-01":"元旦"},"workdays":{}}}}`,
		"both kinds":           `{"years":{"2027":{"holidays":{"2027-02-06":"春节"},"workdays":{"2027-02-06":"调休"}}}}`,
		"weekday as workday":   `{"years":{"2027":{"holidays":{},"workdays":{"2027-02-03":"调休"}}}}`,
		"bad year key":         `{"years":{"27":{"holidays":{},"workdays":{}}}}`,
		"unknown field":        `{"years":{},"extra":1}`,
		"no years":             `{"years":{}}`,
	}
	for name, body := range bad {
		if _, err := ParseFile(strings.NewReader(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := `{"source":"test","years":{"2027":{"holidays":{"2027-01-01":"元旦"},"workdays":{"2027-02-06":"春节调休上班"}}}}`
	f, err := ParseFile(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BuiltinFile()
	c, err := New(b, f)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Covers(2027) {
		t.Fatal("imported year not covered")
	}
	if ok, _ := c.IsWorkday(mustTime(t, "2027-02-06")); !ok {
		t.Error("imported adjusted Saturday is not a working day")
	}
	if ok, _ := c.IsWorkday(mustTime(t, "2027-01-01")); ok {
		t.Error("imported holiday is a working day")
	}
	due, err := c.AddWorkdays(mustTime(t, "2026-12-30"), 2)
	if err != nil || due.Date != "2027-01-04" {
		t.Errorf("deadline across the imported year: %v %v", due, err)
	}
}

func TestLaterFilesReplaceWholeYears(t *testing.T) {
	b, _ := BuiltinFile()
	edit := &File{Years: map[string]Year{"2025": {Holidays: map[string]string{"2025-10-01": "国庆节"}, Workdays: map[string]string{}}}}
	c, err := New(b, edit)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.IsWorkday(mustTime(t, "2025-10-02")); !ok {
		t.Error("2025 was not replaced as a whole")
	}
}

func FuzzAddWorkdays(f *testing.F) {
	c := builtin(f)
	f.Add(int64(1759251600), 5)
	f.Add(int64(1577836800), 30)
	f.Fuzz(func(t *testing.T, unix int64, n int) {
		if n < 1 || n > 400 {
			return
		}
		received := time.Unix(unix%(9*365*86400)+1546300800, 0)
		due, err := c.AddWorkdays(received, n)
		if err != nil {
			if !errors.Is(err, ErrUnknownYear) {
				t.Fatal(err)
			}
			return
		}
		d := mustTime(t, due.Date)
		if ok, _ := c.IsWorkday(d); !ok {
			t.Fatalf("due date %s is not a working day", due.Date)
		}
		if !d.After(civil(received)) {
			t.Fatalf("due date %s not after receipt %s", due.Date, received)
		}
		if got, _ := c.CountWorkdays(received, d); got != n {
			t.Fatalf("CountWorkdays = %d, want %d", got, n)
		}
	})
}
