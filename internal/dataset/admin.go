package dataset

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/catalog"
	"gongshu/internal/identity"
)

// Suspend stops a resource's data from serving at once (G6: YN§36, WH§30);
// an empty reason resumes it. The authority over the region or the
// provider's institution admin decides.
func (s *Service) Suspend(ctx context.Context, resourceID, reason string) (*Dataset, error) {
	a := identity.ActorFrom(ctx)
	r, err := s.Catalog.Published(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if !a.StaffOf(r.ProviderOrgID) && !s.Identity.AuthorityOver(a, r.RegionCode) {
		return nil, apperr.ErrNotFound()
	}
	if !a.Has(identity.RoleInstitutionAdmin, r.ProviderOrgID) && !s.Identity.AuthorityOver(a, r.RegionCode) {
		return nil, apperr.New(apperr.Forbidden, "只有数据主管部门或提供机构的管理员可以暂停或恢复数据服务", "only the data authority or the providing institution's admin suspends or resumes data")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 500 {
		return nil, apperr.New(apperr.Invalid, "暂停原因不超过500字", "the reason must be at most 500 characters").WithField("reason")
	}
	var at any
	if reason != "" {
		at = s.now()
	}
	action := "dataset.resume"
	if reason != "" {
		action = "dataset.suspend"
	}
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE datasets SET suspended_reason = $1, suspended_at = $2, suspended_by = $3, updated_at = $4 WHERE resource_id = $5`,
			reason, at, a.Who().ID, s.now(), resourceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.NotFound, "该资源尚无数据表", "this resource has no dataset")
		}
		_, err = s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: action, ObjectType: "resource", ObjectID: resourceID, Payload: map[string]string{"reason": reason}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, resourceID)
}

// SetRejectLimit sets the share of bad rows (per mille) above which a load is refused whole.
func (s *Service) SetRejectLimit(ctx context.Context, resourceID string, permille int) (*Dataset, error) {
	if _, _, err := s.target(ctx, resourceID); err != nil {
		return nil, err
	}
	if permille < 0 || permille > 1000 {
		return nil, apperr.New(apperr.Invalid, "拒绝比例应在 0 到 1000‰ 之间", "the reject limit must be between 0 and 1000 per mille").WithField("reject_limit_permille")
	}
	a := identity.ActorFrom(ctx)
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET reject_limit = $1, updated_at = $2 WHERE resource_id = $3`, permille, s.now(), resourceID); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "dataset.reject_limit", ObjectType: "resource", ObjectID: resourceID, Payload: map[string]int{"permille": permille}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, resourceID)
}

// Freshness is a resource's state against its update frequency (C2).
type Freshness struct {
	ResourceID    string     `json:"resource_id"`
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	ProviderOrgID string     `json:"provider_org_id"`
	ProviderName  string     `json:"provider_name"`
	Frequency     string     `json:"update_frequency"`
	LastCommitAt  *time.Time `json:"last_commit_at,omitempty"`
	DueAt         time.Time  `json:"due_at"`
	Late          bool       `json:"late"`
	DaysLate      int        `json:"days_late"`
	RowCount      int64      `json:"row_count"`
	Revision      int        `json:"revision"`
	Score         int        `json:"score"`
}

// Freshness lists published resources with a regular update frequency and
// their due dates, for the authority over their region (all institutions)
// or an institution's staff (its own); lateOnly keeps the late ones.
func (s *Service) Freshness(ctx context.Context, lateOnly bool) ([]Freshness, error) {
	a := identity.ActorFrom(ctx)
	if a == nil || a.IsPublic() {
		return nil, apperr.New(apperr.Forbidden, "只有公共管理和服务机构的工作人员可以查看数据更新情况", "only staff of public bodies see update status")
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT r.id, r.code, r.name, r.provider_org_id, COALESCE(o.name, ''), r.region_code, r.update_frequency,
		d.last_commit_at, d.created_at, d.row_count, d.seq,
		COALESCE((SELECT l.score FROM dataset_loads l WHERE l.resource_id = d.resource_id AND l.status = 'committed' ORDER BY l.seq DESC LIMIT 1), 0)
		FROM datasets d JOIN resources r ON r.id = d.resource_id LEFT JOIN organizations o ON o.id = r.provider_org_id
		WHERE r.published_version > 0 ORDER BY o.name, r.code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	var out []Freshness
	for rows.Next() {
		var f Freshness
		var regionCode string
		var last sql.NullTime
		var created time.Time
		if err := rows.Scan(&f.ResourceID, &f.Code, &f.Name, &f.ProviderOrgID, &f.ProviderName, &regionCode, &f.Frequency, &last, &created,
			&f.RowCount, &f.Revision, &f.Score); err != nil {
			return nil, err
		}
		if !a.StaffOf(f.ProviderOrgID) && !s.Identity.AuthorityOver(a, regionCode) && !s.Identity.AuditorOver(a, regionCode) {
			continue
		}
		freq := catalog.Frequency(f.Frequency)
		if Interval(freq) == 0 {
			continue
		}
		base := created
		if last.Valid {
			t := last.Time.UTC()
			f.LastCommitAt, base = &t, t
		}
		f.DueAt = Due(freq, base)
		if now.After(f.DueAt) {
			f.Late, f.DaysLate = true, int(now.Sub(f.DueAt).Hours()/24)+1
		}
		if lateOnly && !f.Late {
			continue
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DaysLate > out[j].DaysLate })
	return out, rows.Err()
}
