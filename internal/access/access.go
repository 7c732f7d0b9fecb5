// Package access is the one door to dataset content (idea 3): every read —
// a portal preview or download, an open-data API page, a provider looking
// at its own data, a provenance lookup, and later share grants, extracts,
// verifications and sandbox queries — asks Decide (who, which resource,
// which items and rows, for what purpose, under which grant), gets the
// masks and limits it must apply, and leaves an audit record. Suspensions
// and rate limits live here once.
package access

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/catalog"
	"gongshu/internal/dataset"
	"gongshu/internal/db"
	"gongshu/internal/identity"
	"gongshu/internal/policy"
)

// Purpose is why data is read.
type Purpose string

const (
	OpenPreview  Purpose = "open_preview"  // the masked sample on a resource page
	OpenAPI      Purpose = "open_api"      // paged records: /api/v1/open, CKAN datastore_search
	OpenDownload Purpose = "open_download" // a whole-file download (CSV, XLSX, JSON)
	ProviderView Purpose = "provider_view" // the providing institution (or its authority) looks at the data it holds
	Provenance   Purpose = "provenance"    // who supplied a value, and the values before it (QY§20, YN§16)
)

// Request is one read.
type Request struct {
	ResourceID string
	Purpose    Purpose
	Items      []string // nil: every item the purpose allows
	Filters    []dataset.Filter
	Limit      int
	Offset     int64
	Grant      string // share grant or agreement (later issues)
	Key        string // provenance: the record's key values
	Row        int64  // provenance: a row id when the resource has no key
	ClientIP   string // rate limits and audit for anonymous readers
}

// Decision is what the door allows.
type Decision struct {
	Resource *catalog.Resource
	Dataset  *dataset.Dataset
	Columns  []dataset.Column
	Items    []catalog.Item // of Columns, in order
	Masks    []Mask         // per column; nil means shown as held
	MaxRows  int            // 0: unlimited
}

// Door decides and audits reads.
type Door struct {
	DB       *db.DB
	Audit    *audit.Log
	Identity *identity.Service
	Catalog  *catalog.Service
	Datasets *dataset.Service
	Profile  func() *policy.Profile
	Now      func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

// Limits of the open path.
const (
	PreviewRows     = 20
	MaxAPIRows      = 1000
	DownloadsPerMin = 20  // per user or address
	APICallsPerMin  = 120 // per user or address
)

// LoginToDownload reports whether the profile requires a login to obtain
// unconditionally open data (JMS§17: 登录即可获取、使用).
func LoginToDownload(p *policy.Profile) (bool, string) {
	if p != nil && p.Tag == "JMS" {
		return true, "JMS§17"
	}
	return false, ""
}

// Decide applies the rules of the purpose to the actor in ctx.
func (d *Door) Decide(ctx context.Context, req Request) (*Decision, error) {
	a := identity.ActorFrom(ctx)
	r, err := d.Catalog.Published(ctx, req.ResourceID)
	if err != nil {
		return nil, err
	}
	ds, err := d.Datasets.Get(ctx, req.ResourceID)
	if err != nil {
		return nil, err
	}
	dec := &Decision{Resource: r, Dataset: ds}
	staff := a.StaffOf(r.ProviderOrgID) || d.Identity.AuthorityOver(a, r.RegionCode)
	switch req.Purpose {
	case OpenPreview, OpenAPI, OpenDownload:
		switch r.Entry.OpenType {
		case catalog.OpenUnconditional:
		case catalog.OpenConditional:
			return nil, apperr.New(apperr.Forbidden, "该资源为有条件开放：须提出开放申请并获批后使用", "this resource is open on conditions: apply for it and use it once approved").WithArticle("G3")
		default:
			return nil, apperr.ErrNotFound()
		}
		if ds.SuspendedReason != "" {
			return nil, apperr.New(apperr.Unavailable, "该资源已暂停开放："+ds.SuspendedReason, "this resource is suspended: "+ds.SuspendedReason)
		}
		if req.Purpose != OpenPreview {
			if need, art := LoginToDownload(d.Profile()); need && a == nil {
				return nil, apperr.New(apperr.Unauthorized, "请先登录：本地规定登录后方可获取开放数据（"+art+"）", "log in first: the local rules open data to logged-in users ("+art+")").WithArticle(art)
			}
			per := APICallsPerMin
			if req.Purpose == OpenDownload {
				per = DownloadsPerMin
			}
			if !d.allow(string(req.Purpose), who(a, req.ClientIP), per) {
				return nil, apperr.Newf(apperr.Throttled, "请求过于频繁：每分钟最多 %d 次，请稍后再试", "too many requests: at most %d a minute; try again shortly", per)
			}
		}
		dec.MaxRows = map[Purpose]int{OpenPreview: PreviewRows, OpenAPI: MaxAPIRows}[req.Purpose]
	case ProviderView, Provenance:
		if !staff && !d.Identity.AuditorOver(a, r.RegionCode) {
			return nil, apperr.ErrNotFound()
		}
		if req.Purpose == ProviderView {
			dec.MaxRows = 100
		}
	default:
		return nil, apperr.New(apperr.Forbidden, "未知的用途", "unknown purpose")
	}
	if ds.Seq == 0 {
		return nil, apperr.New(apperr.NotFound, "该资源尚未汇聚数据", "no data has been loaded for this resource yet")
	}
	items := map[string]catalog.Item{}
	for _, it := range r.Entry.Items {
		items[it.Name] = it
	}
	cols := ds.Columns
	if req.Items != nil {
		by := map[string]dataset.Column{}
		for _, c := range ds.Columns {
			by[c.Item] = c
		}
		cols = nil
		for _, name := range req.Items {
			c, ok := by[name]
			if !ok {
				return nil, apperr.Newf(apperr.Invalid, "没有数据项“%s”", "there is no item %q", name).WithField("fields")
			}
			cols = append(cols, c)
		}
	}
	dec.Columns = cols
	for _, c := range cols {
		it := items[c.Item]
		dec.Items = append(dec.Items, it)
		var m Mask
		if req.Purpose == OpenPreview || req.Purpose == OpenAPI || req.Purpose == OpenDownload {
			m = MaskFor(it)
		}
		dec.Masks = append(dec.Masks, m)
	}
	return dec, nil
}

func who(a *identity.Actor, ip string) string {
	if a != nil {
		return "u:" + a.UserID
	}
	return "ip:" + ip
}

// Read decides, audits and streams the rows (masked) to fn. It returns the
// decision and the number of rows matching the request's filters.
func (d *Door) Read(ctx context.Context, req Request, fn func(values []string) error, opts ...ReadOption) (*Decision, int64, error) {
	return d.ReadRows(ctx, req, func(_ int64, v []string) error { return fn(v) }, opts...)
}

// ReadRows is Read with each row's id (for links to its provenance).
func (d *Door) ReadRows(ctx context.Context, req Request, fn func(id int64, values []string) error, opts ...ReadOption) (*Decision, int64, error) {
	dec, err := d.Decide(ctx, req)
	if err != nil {
		return nil, 0, err
	}
	sel := dataset.Selection{Filters: req.Filters, Offset: req.Offset, Limit: req.Limit}
	for _, c := range dec.Columns {
		sel.Items = append(sel.Items, c.Item)
	}
	if dec.MaxRows > 0 && (sel.Limit == 0 || sel.Limit > dec.MaxRows) {
		sel.Limit = dec.MaxRows
	}
	total, err := d.Datasets.Count(ctx, dec.Dataset, sel)
	if err != nil {
		return nil, 0, err
	}
	if err := d.record(ctx, req, dec, total); err != nil {
		return nil, 0, err
	}
	for _, o := range opts {
		o(dec)
	}
	masked := make([]string, len(dec.Columns))
	_, err = d.Datasets.Scan(ctx, dec.Dataset, sel, func(id int64, vals []string) error {
		for i, v := range vals {
			if m := dec.Masks[i]; m != nil && v != "" {
				masked[i] = m(v)
			} else {
				masked[i] = v
			}
		}
		return fn(id, masked)
	})
	return dec, total, err
}

// ReadOption is called with the decision once the read is allowed and
// audited, before the first row (to start a response).
type ReadOption func(*Decision)

// OnDecision runs fn when the read is allowed.
func OnDecision(fn func(*Decision)) ReadOption { return ReadOption(fn) }

// History decides, audits and returns a record's versions (provenance).
func (d *Door) History(ctx context.Context, req Request) (*Decision, []dataset.Version, error) {
	req.Purpose = Provenance
	dec, err := d.Decide(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	cols, versions, err := d.Datasets.History(ctx, dec.Dataset, req.Key, req.Row)
	if err != nil {
		return nil, nil, err
	}
	if len(versions) == 0 {
		return nil, nil, apperr.New(apperr.NotFound, "没有找到该记录", "no such record")
	}
	dec.Columns = cols
	if err := d.record(ctx, req, dec, int64(len(versions))); err != nil {
		return nil, nil, err
	}
	return dec, versions, nil
}

// record writes the read's audit record (I3).
func (d *Door) record(ctx context.Context, req Request, dec *Decision, rows int64) error {
	a := identity.ActorFrom(ctx)
	w := a.Who()
	if a == nil {
		w.ID, w.ClientIP = "anonymous", req.ClientIP
	}
	fields := make([]string, len(dec.Columns))
	for i, c := range dec.Columns {
		fields[i] = c.Item
	}
	payload := map[string]any{"purpose": req.Purpose, "revision": dec.Dataset.Seq, "fields": fields, "rows": rows}
	if len(req.Filters) > 0 {
		f := map[string]string{}
		for _, x := range req.Filters {
			f[x.Item] = x.Value
		}
		payload["filters"] = f
	}
	if req.Offset > 0 || req.Limit > 0 {
		payload["offset"], payload["limit"] = req.Offset, req.Limit
	}
	if req.Key != "" {
		payload["key"] = strings.ReplaceAll(req.Key, "\x1f", " / ")
	}
	if req.Grant != "" {
		payload["grant"] = req.Grant
	}
	return d.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, err := d.Audit.Append(ctx, tx, w, audit.Entry{Action: "access.read", ObjectType: "resource", ObjectID: dec.Resource.ID, Payload: payload})
		return err
	})
}

// --- masking ---

// Mask hides part of a value.
type Mask func(string) string

// MaskFor is the open path's mask of an item: personal information and
// person identifiers are never shown whole to the public (PIPL; the
// catalog's flags decide).
func MaskFor(it catalog.Item) Mask {
	switch {
	case it.IDKind == catalog.IDCitizen:
		return keepEnds(6, 4)
	case it.PI == catalog.PISensitive:
		return func(string) string { return "******" }
	case it.PI == catalog.PIPersonal:
		switch {
		case strings.Contains(it.Name, "姓名") || strings.HasSuffix(it.Name, "人") || it.Suggested == "name":
			return keepEnds(1, 0)
		case strings.Contains(it.Name, "电话") || strings.Contains(it.Name, "手机") || it.Suggested == "phone":
			return keepEnds(3, 4)
		case strings.Contains(it.Name, "地址") || strings.Contains(it.Name, "住址") || it.Suggested == "address":
			return keepEnds(6, 0)
		}
		return keepEnds(1, 1)
	}
	return nil
}

func keepEnds(head, tail int) Mask {
	return func(v string) string {
		n := utf8.RuneCountInString(v)
		if n <= head+tail {
			if n <= 1 {
				return "*"
			}
			return string([]rune(v)[:1]) + strings.Repeat("*", n-1)
		}
		r := []rune(v)
		return string(r[:head]) + strings.Repeat("*", n-head-tail) + string(r[n-tail:])
	}
}

// --- rate limits ---

type bucket struct {
	start time.Time
	n     int
}

// allow counts a request in a fixed one-minute window per reader and purpose.
func (d *Door) allow(purpose, key string, perMin int) bool {
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.buckets == nil {
		d.buckets = map[string]*bucket{}
	}
	if len(d.buckets) > 100000 {
		for k, b := range d.buckets {
			if now.Sub(b.start) > time.Minute {
				delete(d.buckets, k)
			}
		}
	}
	k := purpose + "|" + key
	b := d.buckets[k]
	if b == nil || now.Sub(b.start) >= time.Minute {
		b = &bucket{start: now}
		d.buckets[k] = b
	}
	b.n++
	return b.n <= perMin
}
