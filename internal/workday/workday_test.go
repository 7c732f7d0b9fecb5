package workday

import (
	"errors"
	"strings"
	"sync"
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

// at parses "2006-01-02" as midnight Beijing time, or an RFC 3339 instant.
func at(t testing.TB, s string) time.Time {
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

func TestLocationIsChinaStandardTime(t *testing.T) {
	_, off := time.Date(2025, 7, 1, 12, 0, 0, 0, Location).Zone()
	if off != 8*3600 {
		t.Fatalf("offset %d, want +08:00", off)
	}
}

// The expected dates below are reasoned from the State Council notices (the
// days off and the weekend days worked), not taken from this code's output.
func TestAddWorkdaysFollowsTheNotices(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		name, received string
		n              int
		want           string
	}{
		// 2025 国庆/中秋: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 worked.
		{"national day 2025 skips Oct 1-8 and counts Saturday Oct 11", "2025-09-30", 5, "2025-10-14"},
		{"Sunday Sep 28 2025 is a working day", "2025-09-26", 1, "2025-09-28"},
		{"receipt on a holiday counts from the first working day after", "2025-10-03", 1, "2025-10-09"},
		{"receipt on the last holiday of national day 2025", "2025-10-08", 3, "2025-10-11"},
		{"UTC Friday evening is Saturday in Beijing, not counted", "2025-10-10T17:00:00Z", 1, "2025-10-13"},
		{"receipt on an adjusted Saturday is not counted either", "2025-10-11", 1, "2025-10-13"},
		// 2025 春节: Jan 28–Feb 4 off; Sun Jan 26 and Sat Feb 8 worked.
		{"spring festival 2025: Sunday Jan 26 is worked", "2025-01-24", 1, "2025-01-26"},
		{"spring festival 2025: Jan 28 to Feb 4 off", "2025-01-24", 3, "2025-02-05"},
		{"spring festival 2025: Saturday Feb 8 is worked", "2025-02-07", 1, "2025-02-08"},
		// 2024 春节: Feb 10–17 off; Sun Feb 4 and Sun Feb 18 worked; eve Feb 9 a working day.
		{"spring festival 2024: Sunday Feb 4 is worked", "2024-02-02", 1, "2024-02-04"},
		{"spring festival 2024: eve Feb 9 is a working day", "2024-02-08", 1, "2024-02-09"},
		{"spring festival 2024: Sunday Feb 18 is worked", "2024-02-08", 2, "2024-02-18"},
		{"spring festival 2024: ordinary again on Feb 19", "2024-02-08", 3, "2024-02-19"},
		// 2024 国庆: Oct 1–7 off; Sun Sep 29 and Sat Oct 12 worked.
		{"national day 2024: Sunday Sep 29 is worked", "2024-09-27", 1, "2024-09-29"},
		{"national day 2024: Oct 1-7 off", "2024-09-27", 3, "2024-10-08"},
		{"national day 2024: Saturday Oct 12 is worked", "2024-10-11", 1, "2024-10-12"},
		// 2023 春节: Jan 21–27 off, Sat Jan 28 and Sun Jan 29 worked; 中秋国庆 Sep 29–Oct 6 off, Oct 7–8 worked.
		{"spring festival 2023: weekend Jan 28-29 worked", "2023-01-20", 2, "2023-01-29"},
		{"spring festival 2023: ordinary Monday after", "2023-01-20", 3, "2023-01-30"},
		{"national day 2023: Saturday Oct 7 worked", "2023-09-28", 1, "2023-10-07"},
		{"national day 2023: Monday Oct 9 third", "2023-09-28", 3, "2023-10-09"},
		// 2022 清明: Apr 3–5 off, Sat Apr 2 worked.
		{"qingming 2022: Saturday Apr 2 worked", "2022-04-01", 1, "2022-04-02"},
		{"qingming 2022: Apr 3-5 off", "2022-04-01", 2, "2022-04-06"},
		// 2021 中秋: Sep 19–21 off, Sat Sep 18 worked.
		{"mid-autumn 2021: Saturday Sep 18 worked, Sep 19-21 off", "2021-09-17", 2, "2021-09-22"},
		// 2020 春节 extended to Feb 2 (国办发明电〔2020〕1号): Sat Feb 1 no longer worked.
		{"spring festival 2020 extension to Feb 2", "2020-01-23", 1, "2020-02-03"},
		{"spring festival 2020: Sunday Jan 19 worked", "2020-01-17", 1, "2020-01-19"},
		// 2019 国庆: Oct 1–7 off; Sun Sep 29 and Sat Oct 12 worked.
		{"national day 2019: Sunday Sep 29 worked", "2019-09-27", 1, "2019-09-29"},
		{"national day 2019: Oct 1-7 off", "2019-09-30", 1, "2019-10-08"},
		// 2026: 元旦 Jan 1–3 off, Sun Jan 4 worked; 春节 Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked;
		// 国庆 Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked.
		{"new year 2026: Sunday Jan 4 worked", "2025-12-31", 1, "2026-01-04"},
		{"ten working days across new year 2026", "2025-12-25", 10, "2026-01-09"},
		{"spring festival 2026: Saturday Feb 14 worked", "2026-02-13", 1, "2026-02-14"},
		{"spring festival 2026: Feb 15-23 off", "2026-02-13", 2, "2026-02-24"},
		{"spring festival 2026: Saturday Feb 28 worked", "2026-02-27", 1, "2026-02-28"},
		{"national day 2026: Sunday Sep 20 worked", "2026-09-18", 1, "2026-09-20"},
		{"national day 2026: Saturday Oct 10 is the third", "2026-09-30", 3, "2026-10-10"},
		{"ordinary week", "2025-06-09", 5, "2025-06-16"},
		{"dragon boat 2025 (May 31 - Jun 2)", "2025-05-30", 1, "2025-06-03"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			due, err := c.AddWorkdays(at(t, tc.received), tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if due.Date != tc.want {
				t.Fatalf("%s + %d WD = %s, want %s", tc.received, tc.n, due.Date, tc.want)
			}
			wantEnd := at(t, tc.want).AddDate(0, 0, 1)
			if !due.End.Equal(wantEnd) || due.End.Location() != time.UTC {
				t.Fatalf("due end %s, want %s in UTC", due.End, wantEnd.UTC())
			}
		})
	}
}

func TestAddWorkdaysUsesTheBeijingDateOfReceipt(t *testing.T) {
	c := builtin(t)
	// Both instants are on 10 October in UTC; in Beijing the first is Friday
	// 10 October 23:30, the second Saturday 11 October 00:30.
	cases := []struct {
		name, received, want string
	}{
		{"23:30 Beijing Friday: adjusted Saturday is the first working day", "2025-10-10T15:30:00Z", "2025-10-11"},
		{"00:30 Beijing Saturday: the Saturday is the receipt day", "2025-10-10T16:30:00Z", "2025-10-13"},
		{"same instants written in Beijing time", "2025-10-10T23:30:00+08:00", "2025-10-11"},
		{"instant written in another zone", "2025-10-10T12:30:00-04:00", "2025-10-13"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			due, err := c.AddWorkdays(at(t, tc.received), 1)
			if err != nil {
				t.Fatal(err)
			}
			if due.Date != tc.want {
				t.Fatalf("got %s, want %s", due.Date, tc.want)
			}
		})
	}
	due, _ := c.AddWorkdays(at(t, "2025-09-30T09:00:00+08:00"), 5)
	if want := "2025-10-14T16:00:00Z"; due.End.Format(time.RFC3339) != want {
		t.Errorf("end %s, want %s (midnight Beijing after 14 October)", due.End.Format(time.RFC3339), want)
	}
}

func TestAddWorkdaysRefusesWhatItCannotKnow(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		name, received string
		n              int
	}{
		{"receipt in 2018, before the data", "2018-12-31", 1},
		{"receipt in 2018 by Beijing date (UTC still 2018)", "2018-12-31T15:00:00Z", 1},
		{"deadline runs into 2027", "2026-12-30", 5},
		{"one day into 2027", "2026-12-31", 1},
		{"far future", "2030-01-01", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.AddWorkdays(at(t, tc.received), tc.n)
			if !errors.Is(err, ErrUnknownYear) {
				t.Fatalf("err = %v, want ErrUnknownYear", err)
			}
		})
	}
	// The Beijing date of 2018-12-31T16:30Z is 2019-01-01 (元旦), which is covered.
	if due, err := c.AddWorkdays(at(t, "2018-12-31T16:30:00Z"), 1); err != nil || due.Date != "2019-01-02" {
		t.Errorf("receipt 2019-01-01 Beijing: %v %v, want 2019-01-02", due, err)
	}
	if due, err := c.AddWorkdays(at(t, "2026-12-30"), 1); err != nil || due.Date != "2026-12-31" {
		t.Errorf("last covered day: %v %v", due, err)
	}
	for _, n := range []int{0, -1} {
		if _, err := c.AddWorkdays(at(t, "2025-01-02"), n); err == nil || errors.Is(err, ErrUnknownYear) {
			t.Errorf("n=%d: err = %v, want an argument error", n, err)
		}
	}
}

func TestIsWorkdayAndDay(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		name, date string
		work       bool
		kind       Kind // "" for an ordinary day
		dayName    string
	}{
		{"adjusted Sunday", "2025-01-26", true, AdjustedWorkday, "春节调休上班"},
		{"spring festival weekday", "2025-01-28", false, Holiday, "春节"},
		{"weekend inside a holiday period", "2025-02-01", false, Holiday, "春节"},
		{"mid-autumn inside national day 2025", "2025-10-06", false, Holiday, "中秋节"},
		{"saturday made a holiday by the 2020 extension", "2020-02-01", false, Holiday, "春节"},
		{"new year's eve of 2024 is a working day", "2024-02-09", true, "", ""},
		{"ordinary saturday", "2025-06-14", false, "", ""},
		{"ordinary monday", "2025-06-16", true, "", ""},
		{"UTC evening that is an adjusted Saturday in Beijing", "2025-10-10T16:30:00Z", true, AdjustedWorkday, "国庆节调休上班"},
		{"UTC evening that is a Sunday in Beijing", "2025-10-11T16:30:00Z", false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			work, err := c.IsWorkday(at(t, tc.date))
			if err != nil || work != tc.work {
				t.Fatalf("IsWorkday = %v, %v; want %v", work, err, tc.work)
			}
			d, special, err := c.Day(at(t, tc.date))
			if err != nil || special != (tc.kind != "") || d.Kind != tc.kind || d.Name != tc.dayName {
				t.Fatalf("Day = %+v %v %v; want kind %q name %q", d, special, err, tc.kind, tc.dayName)
			}
		})
	}
	for _, s := range []string{"2018-06-01", "2027-01-04"} {
		if _, err := c.IsWorkday(at(t, s)); !errors.Is(err, ErrUnknownYear) || !strings.Contains(err.Error(), s[:4]) {
			t.Errorf("IsWorkday(%s): err = %v, want ErrUnknownYear naming the year", s, err)
		}
		if _, _, err := c.Day(at(t, s)); !errors.Is(err, ErrUnknownYear) {
			t.Errorf("Day(%s): err = %v, want ErrUnknownYear", s, err)
		}
	}
}

func TestCountWorkdaysExcludesTheStartDate(t *testing.T) {
	c := builtin(t)
	cases := []struct {
		name, from, to string
		want           int
	}{
		{"across national day 2025", "2025-09-30", "2025-10-14", 5},
		{"same day", "2025-10-14", "2025-10-14", 0},
		{"to before from", "2025-10-14", "2025-09-30", 0},
		{"a holiday week", "2025-09-30", "2025-10-08", 0},
		{"adjusted Saturday counted", "2025-10-10", "2025-10-11", 1},
		{"Beijing dates, not UTC dates", "2025-10-10T16:30:00Z", "2025-10-13T01:00:00Z", 1},
		{"across the year end", "2025-12-25", "2026-01-09", 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := c.CountWorkdays(at(t, tc.from), at(t, tc.to))
			if err != nil || n != tc.want {
				t.Fatalf("got %d, %v; want %d", n, err, tc.want)
			}
		})
	}
	if _, err := c.CountWorkdays(at(t, "2026-12-01"), at(t, "2027-01-10")); !errors.Is(err, ErrUnknownYear) {
		t.Errorf("count into 2027: err = %v, want ErrUnknownYear", err)
	}
}

// Sanity checks of the data file against the shape of every notice.
func TestBuiltinDataLooksLikeTheNotices(t *testing.T) {
	c := builtin(t)
	if got := c.Years(); len(got) != 8 || got[0] != 2019 || got[7] != 2026 {
		t.Fatalf("years %v, want 2019..2026", got)
	}
	if c.Covers(2018) || c.Covers(2027) || !c.Covers(2022) {
		t.Fatal("Covers disagrees with Years")
	}
	// Working days per year, counted by hand from the notices:
	// 2021: 261 weekdays − 18 holidays on weekdays + 7 adjusted = 250;
	// 2024: 262 − 19 + 8 = 251; 2025: 261 − 18 + 5 = 248.
	exact := map[int]int{2021: 250, 2024: 251, 2025: 248}
	for _, y := range c.Years() {
		t.Run(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			yd := c.YearData(y)
			if yd.Notice == "" {
				t.Error("no notice recorded")
			}
			var spring, national bool
			for date, name := range yd.Holidays {
				switch {
				case name == "春节" && date[5:7] <= "02":
					spring = true
				case name == "国庆节" && date[5:7] == "10":
					national = true
				}
			}
			if !spring || !national {
				t.Errorf("spring festival %v, national day %v", spring, national)
			}
			if n := len(yd.Workdays); n < 2 || n > 8 {
				t.Errorf("%d adjusted working days, want 2..8", n)
			}
			for date, name := range yd.Workdays {
				if !strings.HasSuffix(name, "调休上班") {
					t.Errorf("adjusted working day %s named %q", date, name)
				}
			}
			n, err := c.CountWorkdays(time.Date(y-1, 12, 31, 12, 0, 0, 0, Location), time.Date(y, 12, 31, 12, 0, 0, 0, Location))
			if err != nil || n < 247 || n > 252 {
				t.Errorf("%d working days (%v), want 247..252", n, err)
			}
			if want, ok := exact[y]; ok && n != want {
				t.Errorf("%d working days, want %d", n, want)
			}
		})
	}
}

func TestParseFileRejectsBadEntries(t *testing.T) {
	cases := []struct {
		name, body, mention string
	}{
		{"date not YYYY-MM-DD", `{"years":{"2027":{"holidays":{"2027/01/01":"元旦"},"workdays":{}}}}`, "2027/01/01"},
		{"date without leading zeros", `{"years":{"2027":{"holidays":{"2027-1-1":"元旦"},"workdays":{}}}}`, "2027-1-1"},
		{"impossible date", `{"years":{"2027":{"holidays":{"2027-02-30":"春节"},"workdays":{}}}}`, "2027-02-30"},
		{"date under another year", `{"years":{"2027":{"holidays":{"2028-01-01":"元旦"},"workdays":{}}}}`, "2028-01-01"},
		{"workday under another year", `{"years":{"2027":{"holidays":{},"workdays":{"2026-02-28":"调休"}}}}`, "2026-02-28"},
		{"both holiday and workday", `{"years":{"2027":{"holidays":{"2027-02-06":"春节"},"workdays":{"2027-02-06":"调休"}}}}`, "2027-02-06"},
		{"weekday as adjusted workday", `{"years":{"2027":{"holidays":{},"workdays":{"2027-02-03":"调休"}}}}`, "2027-02-03"},
		{"two-digit year key", `{"years":{"27":{"holidays":{},"workdays":{}}}}`, `"27"`},
		{"year before 1949", `{"years":{"1948":{"holidays":{},"workdays":{}}}}`, "1948"},
		{"year after 2100", `{"years":{"2101":{"holidays":{},"workdays":{}}}}`, "2101"},
		{"signed year key", `{"years":{"+202":{"holidays":{},"workdays":{}}}}`, "+202"},
		{"unknown field", `{"years":{"2027":{"holidays":{},"workdays":{}}},"extra":1}`, "extra"},
		{"no years", `{"years":{}}`, "no years"},
		{"not JSON", `years: 2027`, "JSON"},
		{"trailing data", `{"years":{"2027":{"holidays":{},"workdays":{}}}} {}`, "after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFile(strings.NewReader(tc.body))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("error %q does not name %q", err, tc.mention)
			}
		})
	}
}

func TestParseFileAcceptsANewYear(t *testing.T) {
	body := `{"source":"test","licence":"public","years":{"2027":{"notice":"国办发明电〔2026〕X号",
		"holidays":{"2027-01-01":"元旦"},"workdays":{"2027-02-06":"春节调休上班"}}}}`
	f, err := ParseFile(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if f.Source != "test" || f.Licence != "public" || f.Years["2027"].Notice != "国办发明电〔2026〕X号" {
		t.Fatalf("parsed %+v", f)
	}
	b, err := BuiltinFile()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(b, f)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Covers(2027) || len(c.Years()) != 9 {
		t.Fatalf("years %v", c.Years())
	}
	if ok, _ := c.IsWorkday(at(t, "2027-02-06")); !ok {
		t.Error("imported adjusted Saturday is not a working day")
	}
	if ok, _ := c.IsWorkday(at(t, "2027-01-01")); ok {
		t.Error("imported holiday is a working day")
	}
	// 2026-12-30 Wed: Dec 31 Thu (1); 2027-01-01 Fri 元旦; Jan 4 Mon (2).
	if due, err := c.AddWorkdays(at(t, "2026-12-30"), 2); err != nil || due.Date != "2027-01-04" {
		t.Errorf("deadline across the imported year: %v %v", due, err)
	}
}

func TestNewLaterFilesReplaceWholeYears(t *testing.T) {
	b, err := BuiltinFile()
	if err != nil {
		t.Fatal(err)
	}
	edit := &File{Years: map[string]Year{"2025": {Holidays: map[string]string{"2025-10-01": "国庆节"}, Workdays: map[string]string{}}}}
	cases := []struct {
		name        string
		files       []*File
		oct2, jan26 bool // working days?
		covered2024 bool
	}{
		{"edit after builtin replaces 2025 as a whole", []*File{b, edit}, true, false, true},
		{"builtin after edit restores 2025", []*File{edit, b}, false, true, true},
		{"edit alone covers only 2025", []*File{edit}, true, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.files...)
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := c.IsWorkday(at(t, "2025-10-02")); ok != tc.oct2 {
				t.Errorf("2025-10-02 working = %v, want %v", ok, tc.oct2)
			}
			if ok, _ := c.IsWorkday(at(t, "2025-01-26")); ok != tc.jan26 {
				t.Errorf("2025-01-26 working = %v, want %v", ok, tc.jan26)
			}
			if c.Covers(2024) != tc.covered2024 {
				t.Errorf("covers 2024 = %v", c.Covers(2024))
			}
		})
	}
}

func TestNewRejectsInvalidFilesAndCopiesItsInput(t *testing.T) {
	bad := &File{Years: map[string]Year{"2025": {Workdays: map[string]string{"2025-10-09": "调休"}}}}
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "2025-10-09") {
		t.Fatalf("weekday adjusted workday: err = %v", err)
	}
	f := &File{Years: map[string]Year{"2025": {Holidays: map[string]string{"2025-10-01": "国庆节"}, Workdays: map[string]string{}}}}
	c, err := New(f)
	if err != nil {
		t.Fatal(err)
	}
	f.Years["2025"].Holidays["2025-10-02"] = "国庆节"
	if ok, _ := c.IsWorkday(at(t, "2025-10-02")); !ok {
		t.Error("changing the file after New changed the calendar")
	}
	yd := c.YearData(2025)
	yd.Holidays["2025-10-03"] = "x"
	if ok, _ := c.IsWorkday(at(t, "2025-10-03")); !ok || len(c.YearData(2025).Holidays) != 1 {
		t.Error("changing YearData's result changed the calendar")
	}
}

func TestCalendarIsSafeForConcurrentUse(t *testing.T) {
	c := builtin(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range 200 {
				recv := time.Date(2025, 1, 1+d+i, 9, 0, 0, 0, Location)
				if _, err := c.AddWorkdays(recv, 10); err != nil {
					t.Error(err)
					return
				}
				c.Years()
				c.SpecialDays(2025)
			}
		}()
	}
	wg.Wait()
}

func FuzzAddWorkdays(f *testing.F) {
	c := builtin(f)
	f.Add(int64(1759251600), 5)  // 2025-09-30T17:00Z
	f.Add(int64(1760115600), 1)  // 2025-10-10T17:00Z
	f.Add(int64(1577836800), 30) // 2020-01-01
	f.Add(int64(1798675200), 5)  // 2026-12-31
	f.Add(int64(0), 0)
	f.Fuzz(func(t *testing.T, unix int64, n int) {
		received := time.Unix(unix, 0)
		if unix < 0 || unix > 1<<40 {
			// Keep most inputs inside 2018–2027, where the answers are interesting.
			received = time.Unix(1514764800+(unix%(10*366*86400)+10*366*86400)%(10*366*86400), 0)
		}
		if n > 1000 || n < -1000 {
			n %= 1000
		}
		due, err := c.AddWorkdays(received, n)
		if n < 1 {
			if err == nil {
				t.Fatalf("n=%d accepted", n)
			}
			return
		}
		if err != nil {
			if !errors.Is(err, ErrUnknownYear) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		d, perr := time.ParseInLocation("2006-01-02", due.Date, Location)
		if perr != nil {
			t.Fatalf("due date %q: %v", due.Date, perr)
		}
		if ok, err := c.IsWorkday(d); err != nil || !ok {
			t.Fatalf("due date %s is not a working day (%v)", due.Date, err)
		}
		if !d.After(civil(received)) {
			t.Fatalf("due date %s not after receipt %s", due.Date, received.In(Location))
		}
		if !due.End.Equal(d.AddDate(0, 0, 1)) {
			t.Fatalf("end %s is not midnight after %s", due.End, due.Date)
		}
		if got, err := c.CountWorkdays(received, d); err != nil || got != n {
			t.Fatalf("CountWorkdays = %d, %v; want %d", got, err, n)
		}
	})
}
