package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gongshu/internal/apperr"
	"gongshu/internal/caseflow"
	"gongshu/internal/identity"
	"gongshu/internal/policy"
)

// Catalog maintenance (B3): a triggering change — a law, a change of
// function, a new or changed information system — obliges the institution to
// update its catalog within the profile's deadline (QY§8, YN§13, WH§9); a
// yearly re-check of the whole catalog (QY§8) and of the open catalog
// (YN§33, WH§23) is opened for every institution.

// Case types of catalog maintenance.
const (
	UpdateCaseType  = "catalog_update"
	RecheckCaseType = "catalog_recheck"
)

// Triggers of a catalog update.
var Triggers = map[string]policy.I18n{
	"law":      {ZH: "法律、法规、规章依据发生变化", EN: "the legal basis changed"},
	"function": {ZH: "法定职能发生变化", EN: "the institution's functions changed"},
	"system":   {ZH: "信息系统新建或变更", EN: "an information system was built or changed"},
	"yearly":   {ZH: "年度全面核查", EN: "yearly full re-check"},
}

// MaintenanceForm is the form of update and re-check cases.
type MaintenanceForm struct {
	Trigger string `json:"trigger"`
	Note    string `json:"note,omitempty"`
	Year    int    `json:"year,omitempty"`
}

func maintenanceCheck(_ context.Context, raw json.RawMessage) (string, json.RawMessage, error) {
	var f MaintenanceForm
	if err := json.Unmarshal(raw, &f); err != nil {
		return "", nil, apperr.New(apperr.Invalid, "表单格式错误", "malformed form").WithField("form")
	}
	t, ok := Triggers[f.Trigger]
	if !ok {
		return "", nil, apperr.New(apperr.Invalid, "请选择触发原因：法律依据变化、职能变化、信息系统变化或年度核查", "choose the trigger: law, function, system or yearly").WithField("trigger")
	}
	f.Note = strings.TrimSpace(f.Note)
	if len([]rune(f.Note)) > 2000 {
		return "", nil, apperr.New(apperr.Invalid, "说明不超过2000字", "the note must be at most 2000 characters").WithField("note")
	}
	norm, _ := json.Marshal(f)
	title := "目录更新：" + t.ZH
	if f.Trigger == "yearly" {
		title = fmt.Sprintf("%d年度目录全面核查", f.Year)
	}
	return title, norm, nil
}

// MaintenanceTypes declares the two maintenance case types: the institution
// (provider step) answers by saying what it updated.
func MaintenanceTypes() []*caseflow.Type {
	return []*caseflow.Type{
		{Name: UpdateCaseType, Process: "catalog_update", NumberPrefix: "MLGX", Title: policy.I18n{ZH: "目录更新", EN: "Catalog update"},
			Check: maintenanceCheck, ReplyRequired: true},
		{Name: RecheckCaseType, Process: "catalog_recheck", NumberPrefix: "MLHC", Title: policy.I18n{ZH: "目录年度核查", EN: "Yearly catalog re-check"},
			Check: maintenanceCheck, ReplyRequired: true},
	}
}

// RequireUpdate opens a catalog-update case for an institution after a
// triggering change; only the data authority over its region may do so.
func (s *Service) RequireUpdate(ctx context.Context, orgID, trigger, note string) (*caseflow.Case, error) {
	a := identity.ActorFrom(ctx)
	org, err := s.Identity.GetOrg(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !s.Identity.AuthorityOver(a, org.RegionCode) {
		return nil, apperr.New(apperr.Forbidden, "只有该机构所在区域的数据主管部门可以要求更新目录", "only the data authority over the institution's region may require a catalog update")
	}
	if trigger == "yearly" {
		return nil, apperr.New(apperr.Invalid, "年度核查请使用“发起年度核查”", "use the yearly re-check for yearly reviews").WithField("trigger")
	}
	form, _ := json.Marshal(MaintenanceForm{Trigger: trigger, Note: note})
	return s.Cases.Create(ctx, caseflow.NewCase{Type: UpdateCaseType, TargetOrgID: org.ID, SubjectType: "org", SubjectID: org.ID, Form: form, Submit: true})
}

// OpenYearlyRecheck opens the year's re-check case for every institution and
// utility in the authority's region that has none for that year yet, and
// returns how many it opened (QY§8, YN§33, WH§23).
func (s *Service) OpenYearlyRecheck(ctx context.Context, year int) (int, error) {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return 0, apperr.New(apperr.Unauthorized, "请先登录", "please log in")
	}
	var region string
	for _, g := range a.Grants {
		if g.OrgType == identity.OrgAuthority && (g.Role == identity.RoleAuthorityAdmin || g.Role == identity.RoleAuthorityReviewer) {
			if region == "" || s.Identity.Regions.IsWithin(region, g.RegionCode) {
				region = g.RegionCode
			}
		}
	}
	if region == "" {
		return 0, apperr.New(apperr.Forbidden, "只有数据主管部门可以发起年度核查", "only a data authority may open the yearly re-check")
	}
	if year < 2000 || year > 2100 {
		return 0, apperr.New(apperr.Invalid, "年度无效", "invalid year").WithField("year")
	}
	opened := 0
	for _, t := range []identity.OrgType{identity.OrgInstitution, identity.OrgUtility} {
		orgs, err := s.Identity.ListOrgs(ctx, identity.OrgFilter{Type: t, RegionCode: region})
		if err != nil {
			return opened, err
		}
		for _, o := range orgs {
			subject := o.ID + "/" + strconv.Itoa(year)
			var n int
			if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE type = $1 AND subject_id = $2 AND state <> 'withdrawn'`,
				RecheckCaseType, subject).Scan(&n); err != nil {
				return opened, err
			}
			if n > 0 {
				continue
			}
			form, _ := json.Marshal(MaintenanceForm{Trigger: "yearly", Year: year})
			if _, err := s.Cases.Create(ctx, caseflow.NewCase{Type: RecheckCaseType, TargetOrgID: o.ID, SubjectType: "org-year",
				SubjectID: subject, Form: form, Submit: true}); err != nil {
				return opened, err
			}
			opened++
		}
	}
	return opened, nil
}
