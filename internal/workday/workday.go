// Package workday is the official Chinese working-day calendar — statutory
// holidays and adjusted working days (调休) from the State Council's yearly
// notices — and the deadline arithmetic every process of the platform uses.
//
// The rule (民法典 第二百零一条): the day of receipt is not counted; a
// deadline of N working days is the N-th working day strictly after the
// receipt date in China Standard Time, due at the end of that day. A date in
// a year the calendar does not cover is an error, never a guess from weekends.
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

// ParseFile reads and checks a calendar file strictly.
func ParseFile(r io.Reader) (*File, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar file is not valid JSON of the expected shape: %w", err)
	}
	if len(f.Years) == 0 {
		return nil, errors.New("calendar file has no years")
	}
	for key, y := range f.Years {
		if err := checkYear(key, y); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

func checkYear(key string, y Year) error {
	year, err := strconv.Atoi(key)
	if err != nil || year < 1949 || year > 2100 || len(key) != 4 {
		return fmt.Errorf("year key %q must be a year from 1949 to 2100", key)
	}
	for date := range y.Holidays {
		if _, err := parseDate(date, year); err != nil {
			return fmt.Errorf("holiday %q: %w", date, err)
		}
		if _, both := y.Workdays[date]; both {
			return fmt.Errorf("%s is listed both as a holiday and as an adjusted working day", date)
		}
	}
	for date := range y.Workdays {
		t, err := parseDate(date, year)
		if err != nil {
			return fmt.Errorf("adjusted working day %q: %w", date, err)
		}
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("adjusted working day %s is a %s: only weekend days can be adjusted working days", date, wd)
		}
	}
	return nil
}

func parseDate(s string, year int) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, Location)
	if err != nil {
		return t, errors.New("date must be written YYYY-MM-DD")
	}
	if t.Year() != year {
		return t, fmt.Errorf("date is not in year %d", year)
	}
	return t, nil
}

// Calendar answers working-day questions. It is immutable and safe for
// concurrent use; an edit builds a new one.
type Calendar struct {
	years map[int]Year
	days  map[string]Day
}

// New builds a calendar; later files replace whole years of earlier ones.
func New(files ...*File) (*Calendar, error) {
	c := &Calendar{years: map[int]Year{}, days: map[string]Day{}}
	for _, f := range files {
		if f == nil {
			continue
		}
		for key, y := range f.Years {
			if err := checkYear(key, y); err != nil {
				return nil, err
			}
			year, _ := strconv.Atoi(key)
			c.years[year] = y
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
func (c *Calendar) YearData(year int) Year {
	y := c.years[year]
	out := Year{Notice: y.Notice, Holidays: map[string]string{}, Workdays: map[string]string{}}
	for k, v := range y.Holidays {
		out.Holidays[k] = v
	}
	for k, v := range y.Workdays {
		out.Workdays[k] = v
	}
	return out
}

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
		return Day{}, false, fmt.Errorf("%w: %d", ErrUnknownYear, d.Year())
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
// working day strictly after the receipt date (民法典 第二百零一条).
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
			return Due{}, err
		}
		if ok {
			counted++
		}
	}
	return Due{Date: d.Format("2006-01-02"), End: d.AddDate(0, 0, 1).UTC()}, nil
}

// CountWorkdays counts the working days strictly after from's date up to and
// including to's date (0 when to's date is not after from's).
func (c *Calendar) CountWorkdays(from, to time.Time) (int, error) {
	d, end := civil(from), civil(to)
	n := 0
	for d.Before(end) {
		d = d.AddDate(0, 0, 1)
		ok, err := c.IsWorkday(d)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
