package dataset

import (
	"math"
	"sync"
	"time"

	"gongshu/internal/catalog"
)

// Quality is a load's quality report (D1: completeness, validity,
// uniqueness, consistency, timeliness — each 0..1) and its score (0..100).
type Quality struct {
	Completeness float64          `json:"completeness"`
	Validity     float64          `json:"validity"`
	Uniqueness   float64          `json:"uniqueness"`
	Consistency  float64          `json:"consistency"`
	Timeliness   float64          `json:"timeliness"`
	Score        int              `json:"score"`
	Rows         int64            `json:"rows"`
	Rejected     int64            `json:"rejected"`
	Duplicates   int64            `json:"duplicates"`
	Filled       map[string]int64 `json:"filled,omitempty"`  // non-empty values per item
	Invalid      map[string]int64 `json:"invalid,omitempty"` // rejected values per item
	Late         bool             `json:"late,omitempty"`
	Conflicts    int              `json:"conflicts,omitempty"` // cross-source mismatches found (C5)
	// PISuggested names items whose values look like personal information
	// or identifiers (citizen_id, phone, bank_card…) although the catalog
	// does not flag them: the compiler should check the entry's grading.
	PISuggested map[string]string `json:"pi_suggested,omitempty"`
}

// sampleSize is how many values per item the personal-information check reads.
const sampleSize = 50

// Weights of the score.
const (
	wCompleteness = 0.25
	wValidity     = 0.30
	wUniqueness   = 0.15
	wConsistency  = 0.15
	wTimeliness   = 0.15
)

type qualityCounter struct {
	mu         sync.Mutex
	samples    [][]string
	p          *plan
	filled     []int64
	invalid    []int64
	rows       int64
	rejected   int64
	duplicates int64
}

func newQualityCounter(p *plan) *qualityCounter {
	return &qualityCounter{p: p, filled: make([]int64, len(p.items)), invalid: make([]int64, len(p.items)), samples: make([][]string, len(p.items))}
}

func (q *qualityCounter) cell(i int, filled, invalid bool) {
	if i == 0 {
		q.rows++
	}
	if filled {
		q.filled[i]++
	}
	if invalid {
		q.invalid[i]++
	}
}

func (q *qualityCounter) rejectRow() { q.rejected++ }

// sample keeps the first values of items the catalog does not flag.
func (q *qualityCounter) sample(i int, v string) {
	if v != "" && len(q.samples[i]) < sampleSize {
		it := &q.p.items[i]
		if it.PI == catalog.PINone && it.IDKind == catalog.IDNone && it.DataType == "string" {
			q.samples[i] = append(q.samples[i], v)
		}
	}
}

// merge adds a batch's counts (validation workers count separately).
func (q *qualityCounter) merge(o *qualityCounter) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.rows += o.rows
	q.rejected += o.rejected
	for i := range q.filled {
		q.filled[i] += o.filled[i]
		q.invalid[i] += o.invalid[i]
		if room := sampleSize - len(q.samples[i]); room > 0 {
			q.samples[i] = append(q.samples[i], o.samples[i][:min(room, len(o.samples[i]))]...)
		}
	}
}

func (q *qualityCounter) report(l *Load, consistency, timeliness float64) *Quality {
	r := &Quality{Rows: l.RowsRead, Rejected: l.RowsRejected, Duplicates: q.duplicates, Consistency: consistency, Timeliness: timeliness,
		Filled: map[string]int64{}, Invalid: map[string]int64{}}
	var cells, filled int64
	for i, it := range q.p.items {
		cells += q.rows
		filled += q.filled[i]
		r.Filled[it.Name] = q.filled[i]
		if q.invalid[i] > 0 {
			r.Invalid[it.Name] = q.invalid[i]
		}
	}
	for i, it := range q.p.items {
		if len(q.samples[i]) >= 5 {
			if kind := catalog.Suggest("", q.samples[i]); kind != "" {
				if r.PISuggested == nil {
					r.PISuggested = map[string]string{}
				}
				r.PISuggested[it.Name] = kind
			}
		}
	}
	r.Completeness = ratio(filled, cells)
	r.Validity = ratio(l.RowsRead-(l.RowsRejected-q.duplicates), l.RowsRead)
	r.Uniqueness = ratio(l.RowsRead-q.duplicates, l.RowsRead)
	r.Late = timeliness < 1
	r.rescore()
	return r
}

func (r *Quality) rescore() {
	r.Score = int(math.Round(100 * (wCompleteness*r.Completeness + wValidity*r.Validity + wUniqueness*r.Uniqueness +
		wConsistency*r.Consistency + wTimeliness*r.Timeliness)))
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 1
	}
	return math.Round(float64(a)/float64(b)*10000) / 10000
}

// Interval is how often a resource must be refreshed for its catalog
// update frequency (C2: JMS§9, WH§13); zero for irregular updates.
func Interval(f catalog.Frequency) time.Duration {
	day := 24 * time.Hour
	switch f {
	case "realtime":
		return day // at least daily for real-time resources delivered by load
	case "daily":
		return day
	case "weekly":
		return 7 * day
	case "monthly":
		return 31 * day
	case "quarterly":
		return 92 * day
	case "yearly":
		return 366 * day
	}
	return 0
}

// Grace is the slack after an interval before a resource counts as late.
func Grace(f catalog.Frequency) time.Duration {
	if iv := Interval(f); iv > 0 {
		return max(iv/10, 24*time.Hour)
	}
	return 0
}

// Due is when a resource last committed at last must be refreshed (zero when never due).
func Due(f catalog.Frequency, last time.Time) time.Time {
	iv := Interval(f)
	if iv == 0 || last.IsZero() {
		return time.Time{}
	}
	return last.Add(iv + Grace(f))
}

// timeliness scores how late this load is against the previous one.
func (s *Service) timeliness(r *catalog.Resource, d *Dataset) float64 {
	if d.LastCommitAt == nil {
		return 1
	}
	due := Due(r.Entry.UpdateFrequency, *d.LastCommitAt)
	now := s.now()
	if due.IsZero() || !now.After(due) {
		return 1
	}
	iv := Interval(r.Entry.UpdateFrequency)
	late := now.Sub(due)
	return math.Max(0, math.Round((1-float64(late)/float64(iv))*100)/100)
}
