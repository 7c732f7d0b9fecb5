package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/caseflow"
	"gongshu/internal/db"
	"gongshu/internal/identity"
	"gongshu/internal/policy"
)

// CaseType is the case type of catalog reviews (目录审核).
const CaseType = "catalog_review"

// Service compiles, reviews, publishes and searches the catalog.
type Service struct {
	DB       *db.DB
	Audit    *audit.Log
	Identity *identity.Service
	Cases    *caseflow.Engine
	Now      func() time.Time
	// SchemaCheck, when set, refuses a version whose items are incompatible
	// with the data already aggregated for the resource (the dataset package
	// sets it; catalog cannot import it).
	SchemaCheck func(ctx context.Context, resourceID string, e *Entry) error
	// OnPublish, when set, runs inside the publishing transaction (the
	// dataset package creates or extends the resource's table).
	OnPublish func(ctx context.Context, tx *sql.Tx, resourceID string, e *Entry) error

	idxOnce sync.Once
	idx     *searchIndex
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// reviewForm is the form of a catalog review case.
type reviewForm struct {
	ResourceID string `json:"resource_id"`
	Version    int    `json:"version"`
	Name       string `json:"name"`
	Downgrade  bool   `json:"open_downgrade,omitempty"`
}

// Type declares the catalog review case type: the authority reviews a
// version within the profile's deadline (YN§13 5 WD, WH§9 2 WD), returns it
// for changes (the institution fixes within YN§12's 10 WD) or approves it,
// which publishes the version.
func (s *Service) Type() *caseflow.Type {
	return &caseflow.Type{
		Name:         CaseType,
		Process:      "catalog_review",
		NumberPrefix: "ML",
		Title:        policy.I18n{ZH: "目录审核", EN: "Catalog review"},
		Check: func(_ context.Context, raw json.RawMessage) (string, json.RawMessage, error) {
			var f reviewForm
			if err := json.Unmarshal(raw, &f); err != nil || f.ResourceID == "" || f.Version < 1 {
				return "", nil, apperr.New(apperr.Invalid, "目录审核事项须由目录提交产生", "catalog reviews are created by submitting a catalog entry")
			}
			return fmt.Sprintf("目录审核：%s（第%d版）", f.Name, f.Version), raw, nil
		},
		Effect: s.decided,
	}
}

// canEdit reports whether a compiles the catalog of org.
func canEdit(a *identity.Actor, orgID string) bool {
	return a.HasAny(orgID, identity.RoleDataOfficer, identity.RoleInstitutionAdmin)
}

// canSeeDrafts reports whether a may see unpublished versions of r.
func (s *Service) canSeeDrafts(a *identity.Actor, r *Resource) bool {
	return a != nil && (a.StaffOf(r.ProviderOrgID) || s.Identity.AuthorityOver(a, r.RegionCode) || s.Identity.AuditorOver(a, r.RegionCode))
}

// Create starts a new catalog entry as a draft of the caller's institution.
func (s *Service) Create(ctx context.Context, providerOrgID string, e Entry) (*Resource, error) {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	org, err := s.Identity.GetOrg(ctx, providerOrgID)
	if err != nil || !canEdit(a, providerOrgID) {
		return nil, apperr.New(apperr.Forbidden, "只有本机构的数据专员或管理员可以编制本机构目录", "only the institution's data officers and admins compile its catalog")
	}
	Normalize(&e)
	if e.Name == "" {
		return nil, invalid("name", "请填写资源名称", "enter the resource name")
	}
	now := s.now()
	r := &Resource{ID: identity.NewID(), ProviderOrgID: org.ID, ProviderName: org.Name, RegionCode: org.RegionCode, LatestVersion: 1,
		LatestStatus: StatusDraft, Entry: e, Version: 1, UpdatedAt: now}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if r.Code, err = s.assignCode(ctx, tx, org, &e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resources (id, code, provider_org_id, region_code, latest_version, latest_status, created_at, updated_at)
			VALUES ($1,$2,$3,$4,1,$5,$6,$6)`, r.ID, r.Code, r.ProviderOrgID, r.RegionCode, string(StatusDraft), now); err != nil {
			return err
		}
		if err := s.insertVersion(ctx, tx, r.ID, 1, StatusDraft, &e, nil, a.UserID); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "catalog.create", ObjectType: "resource", ObjectID: r.ID,
			Payload: map[string]any{"code": r.Code, "name": e.Name}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// assignCode gives a resource its code after the national guide for
// government information resource catalogs: a front part of class (library),
// item (base database, theme or institution), category (data form) and
// subcategory, and a six-digit sequence: 1 01 01 001/000001.
func (s *Service) assignCode(ctx context.Context, tx *sql.Tx, org *identity.Org, e *Entry) (string, error) {
	class := map[Library]string{LibraryBase: "1", LibraryThematic: "2", LibraryDepartment: "3"}[e.Library]
	if class == "" {
		class = "3"
	}
	item := 0
	switch e.Library {
	case LibraryBase:
		item = slices.Index(BaseDatabases, e.BaseDatabase) + 1
	case LibraryThematic:
		if len(e.Themes) > 0 {
			item = slices.Index(Themes, e.Themes[0]) + 1
		}
	}
	if item <= 0 {
		n, err := s.counter(ctx, tx, "orgcode-"+org.ID, "orgcodes")
		if err != nil {
			return "", err
		}
		item = (n-1)%99 + 1
	}
	forms := []string{"table", "file", "api", "geo", "image"}
	category := slices.Index(forms, e.DataForm) + 1
	if category <= 0 {
		category = 99
	}
	front := fmt.Sprintf("%s%02d%02d001", class, item, category)
	seq, err := s.counter(ctx, tx, "rescode-"+front, "")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%06d", front, seq), nil
}

// counter returns the next value of a named counter; with group set, a name
// seen before keeps its number (used to give each institution one item code).
func (s *Service) counter(ctx context.Context, tx *sql.Tx, name, group string) (int, error) {
	if group != "" {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT last FROM case_counters WHERE prefix = $1`, name).Scan(&n)
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		if n, err = s.counter(ctx, tx, group, ""); err != nil {
			return 0, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO case_counters (prefix, last) VALUES ($1, $2)`, name, n)
		return n, err
	}
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (prefix, last) VALUES ($1, 1)
		ON CONFLICT (prefix) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, name).Scan(&n)
	return n, err
}

func (s *Service) insertVersion(ctx context.Context, tx *sql.Tx, id string, v int, st Status, e *Entry, changes []Change, author string) error {
	body, _ := json.Marshal(e)
	if changes == nil {
		changes = []Change{}
	}
	ch, _ := json.Marshal(changes)
	_, err := tx.ExecContext(ctx, `INSERT INTO resource_versions (resource_id, version, status, entry, author_id, changes, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, id, v, string(st), string(body), author, string(ch), s.now())
	return err
}

const resourceColumns = `r.id, r.code, r.provider_org_id, COALESCE(o.name, ''), r.region_code, r.published_version, r.latest_version, r.latest_status, r.updated_at`

func scanResource(sc db.Scanner) (*Resource, error) {
	var r Resource
	var st string
	err := sc.Scan(&r.ID, &r.Code, &r.ProviderOrgID, &r.ProviderName, &r.RegionCode, &r.PublishedVersion, &r.LatestVersion, &st, &r.UpdatedAt)
	r.LatestStatus, r.UpdatedAt = Status(st), r.UpdatedAt.UTC()
	return &r, err
}

func (s *Service) load(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (*Resource, error) {
	r, err := scanResource(q.QueryRowContext(ctx, `SELECT `+resourceColumns+` FROM resources r LEFT JOIN organizations o ON o.id = r.provider_org_id
		WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound()
	}
	return r, err
}

func (s *Service) version(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string, v int) (*Entry, Version, error) {
	var e Entry
	var ver Version
	var body, st, changes string
	err := q.QueryRowContext(ctx, `SELECT version, status, entry, case_id, author_id, changes, created_at FROM resource_versions
		WHERE resource_id = $1 AND version = $2`, id, v).Scan(&ver.Version, &st, &body, &ver.CaseID, &ver.AuthorID, &changes, &ver.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ver, apperr.ErrNotFound()
	}
	if err != nil {
		return nil, ver, err
	}
	ver.Status, ver.CreatedAt = Status(st), ver.CreatedAt.UTC()
	json.Unmarshal([]byte(changes), &ver.Changes)
	return &e, ver, json.Unmarshal([]byte(body), &e)
}

// Get returns a resource at a version: 0 means the published one for
// everyone, or the latest for those who may see drafts. The public sees
// only the open catalog (open type other than none, G1); staff of any
// public body see every published entry (the shared catalog, B1).
func (s *Service) Get(ctx context.Context, id string, v int) (*Resource, error) {
	a := identity.ActorFrom(ctx)
	r, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	drafts := s.canSeeDrafts(a, r)
	if v == 0 {
		v = r.PublishedVersion
		if drafts {
			v = r.LatestVersion
		}
	}
	if v == 0 || (!drafts && v != r.PublishedVersion) {
		return nil, apperr.ErrNotFound()
	}
	e, ver, err := s.version(ctx, s.DB, id, v)
	if err != nil {
		return nil, err
	}
	if !drafts && (a == nil || a.IsPublic()) && e.OpenType == OpenNone {
		return nil, apperr.ErrNotFound()
	}
	r.Entry, r.Version, r.CaseID = *e, v, ver.CaseID
	if drafts {
		r.LatestStatus = s.effectiveStatus(ctx, r.LatestStatus, ver.CaseID)
	}
	return r, nil
}

// effectiveStatus shows a version under review whose case was returned for
// changes as returned (the version row keeps in_review until resubmitted).
func (s *Service) effectiveStatus(ctx context.Context, st Status, caseID string) Status {
	if st != StatusInReview || caseID == "" || s.Cases == nil {
		return st
	}
	if c, err := s.Cases.Get(ctx, caseID); err == nil && c.State == caseflow.Returned {
		return StatusReturned
	}
	return st
}

// Versions lists a resource's versions with their changes (staff of the
// provider and the authority only).
func (s *Service) Versions(ctx context.Context, id string) ([]Version, error) {
	a := identity.ActorFrom(ctx)
	r, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !s.canSeeDrafts(a, r) {
		return nil, apperr.ErrNotFound()
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT version, status, case_id, author_id, changes, created_at FROM resource_versions
		WHERE resource_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(sc db.Scanner) (Version, error) {
		var v Version
		var st, ch string
		err := sc.Scan(&v.Version, &st, &v.CaseID, &v.AuthorID, &ch, &v.CreatedAt)
		v.Status, v.CreatedAt = Status(st), v.CreatedAt.UTC()
		json.Unmarshal([]byte(ch), &v.Changes)
		return v, err
	})
}

// Update saves an entry: it rewrites the draft (or a version returned for
// changes) in place, or opens a new version when the latest is published or
// closed, so that the published version stays live during the review.
func (s *Service) Update(ctx context.Context, id string, e Entry) (*Resource, error) {
	a := identity.ActorFrom(ctx)
	var out *Resource
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		r, err := s.load(ctx, tx, id+"")
		if err != nil {
			return err
		}
		if !s.canSeeDrafts(a, r) {
			return apperr.ErrNotFound()
		}
		if !canEdit(a, r.ProviderOrgID) {
			return apperr.New(apperr.Forbidden, "只有本机构的数据专员或管理员可以修改目录", "only the institution's data officers and admins edit its catalog")
		}
		var prev *Entry
		if r.PublishedVersion > 0 {
			if prev, _, err = s.version(ctx, tx, id, r.PublishedVersion); err != nil {
				return err
			}
		}
		Normalize(&e)
		changes := Diff(prev, &e)
		body, _ := json.Marshal(e)
		ch, _ := json.Marshal(changes)
		latest, ver, err := s.version(ctx, tx, id, r.LatestVersion)
		if err != nil {
			return err
		}
		_ = latest
		switch ver.Status {
		case StatusDraft:
		case StatusInReview:
			c, err := s.Cases.Get(ctx, ver.CaseID)
			if err != nil || c.State != caseflow.Returned {
				return apperr.New(apperr.Conflict, "该版本正在审核中，不能修改；待退回修改或审核结束后再改", "this version is under review; edit it when it is returned or decided")
			}
		default:
			r.LatestVersion++
			if err := s.insertVersion(ctx, tx, id, r.LatestVersion, StatusDraft, &e, changes, a.UserID); err != nil {
				return err
			}
			ver.Status = StatusDraft
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resource_versions SET entry = $1, changes = $2 WHERE resource_id = $3 AND version = $4`,
			string(body), string(ch), id, r.LatestVersion); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resources SET latest_version = $1, latest_status = $2, updated_at = $3 WHERE id = $4`,
			r.LatestVersion, string(ver.Status), s.now(), id); err != nil {
			return err
		}
		if _, err := s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "catalog.update", ObjectType: "resource", ObjectID: id,
			Payload: map[string]any{"version": r.LatestVersion, "changed": len(changes)}}); err != nil {
			return err
		}
		r.Entry, r.Version, r.LatestStatus = e, r.LatestVersion, ver.Status
		out = r
		return nil
	})
	return out, err
}

// Submit sends the latest version for review, after the rules that must hold
// before a catalog entry can be submitted; a version returned for changes is
// resubmitted on its case.
func (s *Service) Submit(ctx context.Context, id string) (*caseflow.Case, error) {
	a := identity.ActorFrom(ctx)
	r, err := s.Get(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	if !canEdit(a, r.ProviderOrgID) {
		return nil, apperr.New(apperr.Forbidden, "只有本机构的数据专员或管理员可以提交目录", "only the institution's data officers and admins submit its catalog")
	}
	var prev *Entry
	if r.PublishedVersion > 0 {
		if prev, _, err = s.version(ctx, s.DB, id, r.PublishedVersion); err != nil {
			return nil, err
		}
	}
	e := r.Entry
	if err := Check(&e, prev); err != nil {
		return nil, err
	}
	if s.SchemaCheck != nil {
		if err := s.SchemaCheck(ctx, id, &e); err != nil {
			return nil, err
		}
	}
	_, ver, err := s.version(ctx, s.DB, id, r.LatestVersion)
	if err != nil {
		return nil, err
	}
	switch ver.Status {
	case StatusInReview:
		c, err := s.Cases.Get(ctx, ver.CaseID)
		if err != nil {
			return nil, err
		}
		if c.State != caseflow.Returned {
			return nil, apperr.New(apperr.Conflict, "该版本已在审核中", "this version is already under review")
		}
		if _, err := s.Update(ctx, id, e); err != nil { // store the checked (normalized) entry
			return nil, err
		}
		return s.Cases.Submit(ctx, c.ID, 0)
	case StatusDraft:
	default:
		return nil, apperr.New(apperr.Conflict, "没有待提交的版本：请先修改目录", "there is no version to submit: edit the entry first")
	}
	body, _ := json.Marshal(e)
	form, _ := json.Marshal(reviewForm{ResourceID: id, Version: r.LatestVersion, Name: e.Name, Downgrade: Downgrade(prev, &e)})
	return s.Cases.Create(ctx, caseflow.NewCase{Type: CaseType, TargetOrgID: r.ProviderOrgID, SubjectType: "resource", SubjectID: id,
		Form: form, Submit: true, OnCreate: func(ctx context.Context, tx *sql.Tx, c *caseflow.Case) error {
			res, err := tx.ExecContext(ctx, `UPDATE resource_versions SET status = $1, case_id = $2, entry = $3
				WHERE resource_id = $4 AND version = $5 AND status = $6`, string(StatusInReview), c.ID, string(body), id, r.LatestVersion, string(StatusDraft))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return apperr.New(apperr.Conflict, "该版本已被提交", "this version was submitted meanwhile")
			}
			_, err = tx.ExecContext(ctx, `UPDATE resources SET latest_status = $1, updated_at = $2 WHERE id = $3`, string(StatusInReview), s.now(), id)
			return err
		}})
}

// decided applies the final decision of a catalog review inside its transaction.
func (s *Service) decided(ctx context.Context, tx *sql.Tx, c *caseflow.Case, d caseflow.Decision) error {
	var f reviewForm
	if err := json.Unmarshal(c.Form, &f); err != nil {
		return err
	}
	r, err := s.load(ctx, tx, f.ResourceID)
	if err != nil {
		return err
	}
	e, _, err := s.version(ctx, tx, r.ID, f.Version)
	if err != nil {
		return err
	}
	status := StatusRefused
	switch d.Action {
	case caseflow.ActWithdraw:
		status = StatusWithdrawn
	case caseflow.ActApprove:
		status = StatusPublished
		if r.PublishedVersion > 0 {
			prev, _, err := s.version(ctx, tx, r.ID, r.PublishedVersion)
			if err != nil {
				return err
			}
			// B5: lowering the open type needs the authority's explicit approval (WH§22).
			if Downgrade(prev, e) && !slices.Contains(d.Confirmations, "open_downgrade") {
				return apperr.New(apperr.Invalid, "本次变更降低了开放属性，须由数据主管部门明确批准：请勾选“确认批准开放属性降级”（WH§22）",
					"this change lowers the open type: the authority must approve it explicitly (tick the downgrade confirmation, WH§22)").
					WithField("confirmations").WithArticle("WH§22")
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resource_versions SET status = $1 WHERE resource_id = $2 AND version = $3`, string(status), r.ID, f.Version); err != nil {
		return err
	}
	if status != StatusPublished {
		_, err := tx.ExecContext(ctx, `UPDATE resources SET latest_status = $1, updated_at = $2 WHERE id = $3`, string(status), s.now(), r.ID)
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resource_versions SET status = $1 WHERE resource_id = $2 AND status = $3 AND version <> $4`,
		string(StatusSuperseded), r.ID, string(StatusPublished), f.Version); err != nil {
		return err
	}
	if err := s.index(ctx, tx, r, e, f.Version); err != nil {
		return err
	}
	if s.OnPublish != nil {
		if err := s.OnPublish(ctx, tx, r.ID, e); err != nil {
			return err
		}
	}
	_, err = s.Audit.Append(ctx, tx, audit.Who{ID: "system", Name: "catalog"}, audit.Entry{Action: "catalog.publish", ObjectType: "resource",
		ObjectID: r.ID, Payload: map[string]any{"code": r.Code, "version": f.Version, "case": c.Number}})
	return err
}

// index makes a published version the one lists, facets and search see.
// The change sequence is taken from a counter row inside the transaction,
// so publications are numbered in commit order and every node's search
// index can fold in exactly what it has not seen.
func (s *Service) index(ctx context.Context, tx *sql.Tx, r *Resource, e *Entry, v int) error {
	seq, err := s.counter(ctx, tx, "catalog-change", "")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE resources SET published_version = $1, latest_status = $2, name = $3, library = $4, share_type = $5,
		open_type = $6, update_frequency = $7, level = $8, data_form = $9, updated_at = $10, change_seq = $11 WHERE id = $12`,
		v, string(StatusPublished), e.Name, string(e.Library), string(e.ShareType), string(e.OpenType), string(e.UpdateFrequency),
		string(e.Level), e.DataForm, s.now(), seq, r.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM resource_facets WHERE resource_id = $1`, r.ID); err != nil {
		return err
	}
	facets := map[string][]string{"theme": e.Themes, "format": e.Formats, "tag": e.Tags}
	if e.BaseDatabase != "" {
		facets["theme"] = append([]string{e.BaseDatabase}, facets["theme"]...)
	}
	for kind, values := range facets {
		seen := map[string]bool{}
		for _, v := range values {
			if v = strings.TrimSpace(v); v == "" || seen[v] {
				continue
			}
			seen[v] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO resource_facets (resource_id, kind, value) VALUES ($1, $2, $3)`, r.ID, kind, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func searchBody(r *Resource, e *Entry) string {
	parts := []string{e.Summary, r.ProviderName, r.Code, e.BaseDatabase, e.SourceSystem, strings.Join(e.Themes, " "), strings.Join(e.Tags, " "),
		strings.Join(e.Formats, " "), e.CollectingDept, e.ProvidingDept}
	for _, it := range e.Items {
		parts = append(parts, it.Name, it.Description)
	}
	return strings.Join(parts, " ")
}

// ReviewOf reads which resource version a catalog review case is about and
// whether it lowers the open type.
func ReviewOf(c *caseflow.Case) (resourceID string, version int, downgrade bool) {
	var f reviewForm
	json.Unmarshal(c.Form, &f)
	return f.ResourceID, f.Version, f.Downgrade
}

// Published returns a resource with its published entry, without the
// actor's visibility rules: for the dataset and access packages, which
// decide themselves who may do what with the data. not_found when the
// resource does not exist or has no published version.
func (s *Service) Published(ctx context.Context, id string) (*Resource, error) {
	r, err := s.load(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if r.PublishedVersion == 0 {
		return nil, apperr.ErrNotFound()
	}
	e, ver, err := s.version(ctx, s.DB, id, r.PublishedVersion)
	if err != nil {
		return nil, err
	}
	r.Entry, r.Version, r.CaseID = *e, r.PublishedVersion, ver.CaseID
	return r, nil
}
