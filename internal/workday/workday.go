package workday

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without tzdata
)

// Kind is the kind of a special day.
type Kind string

const (
	Holiday         Kind = "holiday" // 放假
	AdjustedWorkday Kind = "workday" // 调休上班 (a weekend day worked)
)

// Day is a special day of the calendar.
type Day struct {
	Date string `json:"date"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
}

// Year is one year's arrangement, as in the State Council notice.
type Year struct {
	Notice   string            `json:"notice,omitempty"`
	Holidays map[string]string `json:"holidays"`
	Workdays map[string]string `json:"workdays"`
}

// File is the data and import format: whole years keyed "2025".
type File struct {
	Source  string          `json:"source,omitempty"`
	Licence string          `json:"licence,omitempty"`
	Years   map[string]Year `json:"years"`
}

// Location is China Standard Time, in which dates are reasoned about.
var Location = loadLocation()

func loadLocation() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

// ErrUnknownYear is returned for dates in years the calendar does not cover.
var ErrUnknownYear = errors.New("year not covered by the working-day calendar")

//go:embed data/cn-2019-2026.json
var builtinData []byte

// BuiltinFile returns the embedded data (2019–2026).
func BuiltinFile() (*File, error) { return ParseFile(bytes.NewReader(builtinData)) }

// Builtin returns the calendar of the embedded data.
func Builtin() (*Calendar, error) {
	f, err := BuiltinFile()
	if err != nil {
		return nil, fmt.Errorf("built-in calendar: %w", err)
	}
	return New(f)
}

// ParseFile reads and checks a calendar file strictly: unknown fields,
// trailing data, dates not written YYYY-MM-DD, a date under the wrong year
// key, a day both holiday and adjusted working day, a weekday listed as an
// adjusted working day and year keys outside 1949–2100 are refused, with an
// error naming the offending entry.
func ParseFile(r io.Reader) (*File, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar file is not valid JSON of the expected shape: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("calendar file has data after its JSON object")
	}
	if len(f.Years) == 0 {
		return nil, errors.New("calendar file has no years")
	}
	if err := checkFile(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

func checkFile(f *File) error {
	keys := make([]string, 0, len(f.Years))
	for key := range f.Years {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if err := checkYear(key, f.Years[key]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func checkYear(key string, y Year) error {
	year, err := strconv.Atoi(key)
	if err != nil || len(key) != 4 || key[0] < '0' || key[0] > '9' || year < 1949 || year > 2100 {
		return fmt.Errorf("year key %q: must be a year from 1949 to 2100", key)
	}
	for _, date := range sortedKeys(y.Holidays) {
		if _, err := parseDate(date, year); err != nil {
			return fmt.Errorf("year %s: holiday %q (%s): %w", key, date, y.Holidays[date], err)
		}
		if _, both := y.Workdays[date]; both {
			return fmt.Errorf("year %s: %s is listed both as a holiday (%s) and as an adjusted working day (%s)",
				key, date, y.Holidays[date], y.Workdays[date])
		}
	}
	for _, date := range sortedKeys(y.Workdays) {
		t, err := parseDate(date, year)
		if err != nil {
			return fmt.Errorf("year %s: adjusted working day %q (%s): %w", key, date, y.Workdays[date], err)
		}
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("year %s: adjusted working day %s (%s) is a %s: only a weekend day (Saturday or Sunday) can be an adjusted working day",
				key, date, y.Workdays[date], wd)
		}
	}
	return nil
}

func parseDate(s string, year int) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, Location)
	if err != nil {
		return t, errors.New("date must be a calendar date written YYYY-MM-DD")
	}
	if t.Year() != year {
		return t, fmt.Errorf("date is in %d, not in year %d", t.Year(), year)
	}
	return t, nil
}

// Calendar answers working-day questions. It is immutable and safe for
// concurrent use; an edit builds a new one.
type Calendar struct {
	years map[int]Year
	days  map[string]Day
}

// New builds a calendar from checked files; later files replace whole years
// of earlier ones. The files are copied: changing them afterwards does not
// change the calendar.
func New(files ...*File) (*Calendar, error) {
	c := &Calendar{years: map[int]Year{}, days: map[string]Day{}}
	for _, f := range files {
		if f == nil {
			continue
		}
		if err := checkFile(f); err != nil {
			return nil, err
		}
		for key, y := range f.Years {
			year, _ := strconv.Atoi(key)
			c.years[year] = copyYear(y)
		}
	}
	for _, y := range c.years {
		for date, name := range y.Holidays {
			c.days[date] = Day{Date: date, Kind: Holiday, Name: name}
		}
		for date, name := range y.Workdays {
			c.days[date] = Day{Date: date, Kind: AdjustedWorkday, Name: name}
		}
	}
	return c, nil
}

func copyYear(y Year) Year {
	out := Year{Notice: y.Notice, Holidays: make(map[string]string, len(y.Holidays)), Workdays: make(map[string]string, len(y.Workdays))}
	for k, v := range y.Holidays {
		out.Holidays[k] = v
	}
	for k, v := range y.Workdays {
		out.Workdays[k] = v
	}
	return out
}

// Years lists the covered years in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// Covers reports whether year's arrangement is known.
func (c *Calendar) Covers(year int) bool { _, ok := c.years[year]; return ok }

// YearData returns a copy of a covered year's arrangement (empty maps otherwise).
func (c *Calendar) YearData(year int) Year { return copyYear(c.years[year]) }

// SpecialDays lists a year's holidays and adjusted working days by date.
func (c *Calendar) SpecialDays(year int) []Day {
	var out []Day
	prefix := strconv.Itoa(year) + "-"
	for date, d := range c.days {
		if strings.HasPrefix(date, prefix) {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// civil returns the calendar date of t in China Standard Time, at midnight.
func civil(t time.Time) time.Time {
	l := t.In(Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Location)
}

// Day returns the special-day entry of t's date, if any.
func (c *Calendar) Day(t time.Time) (Day, bool, error) {
	d := civil(t)
	if !c.Covers(d.Year()) {
		return Day{}, false, fmt.Errorf("%w: %d (date %s; import that year's State Council arrangement first)",
			ErrUnknownYear, d.Year(), d.Format("2006-01-02"))
	}
	day, ok := c.days[d.Format("2006-01-02")]
	return day, ok, nil
}

// IsWorkday reports whether t's date (in China Standard Time) is a working day.
func (c *Calendar) IsWorkday(t time.Time) (bool, error) {
	d := civil(t)
	day, special, err := c.Day(d)
	if err != nil {
		return false, err
	}
	if special {
		return day.Kind == AdjustedWorkday, nil
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday, nil
}

// Due is a deadline: the last working day, and the instant it ends.
type Due struct {
	Date string    `json:"date"` // the N-th working day, 2006-01-02
	End  time.Time `json:"end"`  // 00:00 China Standard Time of the next day (exclusive), in UTC
}

// AddWorkdays returns the deadline n working days after received: the n-th
// working day strictly after the receipt date, the civil date of received in
// China Standard Time (民法典 第二百零一条: the day of receipt is not counted).
// n must be at least 1. The receipt year and every year counted through must
// be covered, otherwise the error wraps ErrUnknownYear.
func (c *Calendar) AddWorkdays(received time.Time, n int) (Due, error) {
	if n < 1 {
		return Due{}, fmt.Errorf("a deadline needs at least 1 working day, got %d", n)
	}
	d := civil(received)
	if !c.Covers(d.Year()) {
		return Due{}, fmt.Errorf("%w: %d (receipt date %s)", ErrUnknownYear, d.Year(), d.Format("2006-01-02"))
	}
	for counted := 0; counted < n; {
		d = d.AddDate(0, 0, 1)
		ok, err := c.IsWorkday(d)
		if err != nil {
			return Due{}, fmt.Errorf("counting %d working days from %s: %w", n, civil(received).Format("2006-01-02"), err)
		}
		if ok {
			counted++
		}
	}
	return Due{Date: d.Format("2006-01-02"), End: d.AddDate(0, 0, 1).UTC()}, nil
}

// CountWorkdays counts the working days strictly after from's date up to and
// including to's date, both civil dates in China Standard Time (0 when to's
// date is not after from's): the working days elapsed since receipt, or those
// remaining until a due date.
func (c *Calendar) CountWorkdays(from, to time.Time) (int, error) {
	d, end := civil(from), civil(to)
	n := 0
	for d.Before(end) {
		d = d.AddDate(0, 0, 1)
		ok, err := c.IsWorkday(d)
		if err != nil {
			return 0, fmt.Errorf("counting working days from %s to %s: %w",
				civil(from).Format("2006-01-02"), end.Format("2006-01-02"), err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}
