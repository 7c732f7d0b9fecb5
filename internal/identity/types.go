// Package identity holds who is who on the platform (A1–A4): the region tree
// (GB/T 2260), organizations with their type and region, staff and public
// users (natural persons by citizen ID number, organizations by unified social
// credit code), roles per organization, sessions, login throttling and API
// clients. Every login, failed login and permission change is audited.
package identity

import (
	"context"
	"slices"
	"time"

	"gongshu/internal/audit"
)

// OrgType classifies organizations (A2).
type OrgType string

const (
	OrgAuthority   OrgType = "authority"   // 数据主管部门
	OrgInstitution OrgType = "institution" // 公共管理和服务机构
	OrgUtility     OrgType = "utility"     // 公共服务运营单位 (供水、供电…)
	OrgEnterprise  OrgType = "enterprise"
	OrgOperator    OrgType = "operator" // 开发运营主体
	OrgRegulator   OrgType = "regulator"
)

// OrgTypes lists the valid organization types in display order.
var OrgTypes = []OrgType{OrgAuthority, OrgInstitution, OrgUtility, OrgEnterprise, OrgOperator, OrgRegulator}

// Org is an organization (机构) registered on the platform.
type Org struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	NameEN            string    `json:"name_en,omitempty"`
	Type              OrgType   `json:"type"`
	RegionCode        string    `json:"region_code"`
	ParentID          string    `json:"parent_id,omitempty"`
	USCC              string    `json:"uscc,omitempty"`
	ResponsiblePerson string    `json:"responsible_person,omitempty"` // 第一责任人 (QY§5)
	CreatedAt         time.Time `json:"created_at"`
}

// UserKind tells staff from the public (A3).
type UserKind string

const (
	KindStaff        UserKind = "staff"
	KindPerson       UserKind = "person"       // 自然人, identified by citizen ID number
	KindOrganization UserKind = "organization" // 法人或非法人组织, identified by credit code
)

// User is an account. Its password hash never leaves this package.
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Kind        UserKind  `json:"kind"`
	IDNumber    string    `json:"-"` // personal information: shown masked only
	USCC        string    `json:"uscc,omitempty"`
	Email       string    `json:"email,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

// Role is a permission set a user holds in one organization.
type Role string

const (
	RoleAuthorityAdmin      Role = "authority_admin"
	RoleAuthorityReviewer   Role = "authority_reviewer"
	RoleInstitutionAdmin    Role = "institution_admin"
	RoleDataOfficer         Role = "data_officer" // 数据专员 (WH§6)
	RoleInstitutionReviewer Role = "institution_reviewer"
	RolePublicUser          Role = "public_user"
	RoleAuditor             Role = "auditor"
	RoleOperatorAdmin       Role = "operator_admin"
)

// Roles lists the valid roles with the organization types they belong to.
var Roles = map[Role][]OrgType{
	RoleAuthorityAdmin:      {OrgAuthority},
	RoleAuthorityReviewer:   {OrgAuthority},
	RoleInstitutionAdmin:    {OrgInstitution, OrgUtility},
	RoleDataOfficer:         {OrgInstitution, OrgUtility},
	RoleInstitutionReviewer: {OrgInstitution, OrgUtility},
	RoleAuditor:             {OrgAuthority, OrgRegulator},
	RoleOperatorAdmin:       {OrgOperator, OrgEnterprise},
	RolePublicUser:          nil, // platform-wide, no organization
}

// Grant is one role of a user in one organization, with what the actor
// checks need to know of that organization.
type Grant struct {
	OrgID      string  `json:"org_id"`
	OrgName    string  `json:"org_name"`
	OrgType    OrgType `json:"org_type"`
	RegionCode string  `json:"region_code"`
	Role       Role    `json:"role"`
}

// Actor is the authenticated party of a request: set once by the HTTP
// middleware or the CLI, read by every service method.
type Actor struct {
	UserID   string   `json:"user_id"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Kind     UserKind `json:"kind"`
	Grants   []Grant  `json:"grants"`
	ClientIP string   `json:"-"`
	// APIClient is set when the request authenticated with an API key.
	APIClient string `json:"api_client,omitempty"`
}

// Has reports whether the actor holds role in org (any org when orgID is "").
func (a *Actor) Has(role Role, orgID string) bool {
	if a == nil {
		return false
	}
	return slices.ContainsFunc(a.Grants, func(g Grant) bool { return g.Role == role && (orgID == "" || g.OrgID == orgID) })
}

// HasAny reports whether the actor holds any of roles in org.
func (a *Actor) HasAny(orgID string, roles ...Role) bool {
	for _, r := range roles {
		if a.Has(r, orgID) {
			return true
		}
	}
	return false
}

// StaffOf reports whether the actor holds any role in org.
func (a *Actor) StaffOf(orgID string) bool {
	if a == nil || orgID == "" {
		return false
	}
	return slices.ContainsFunc(a.Grants, func(g Grant) bool { return g.OrgID == orgID })
}

// OrgIDs returns the organizations the actor works for.
func (a *Actor) OrgIDs() []string {
	var ids []string
	for _, g := range a.Grants {
		if g.OrgID != "" && !slices.Contains(ids, g.OrgID) {
			ids = append(ids, g.OrgID)
		}
	}
	return ids
}

// PrimaryOrg is the first organization of the actor, or "" for the public.
func (a *Actor) PrimaryOrg() string {
	if ids := a.OrgIDs(); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// IsPublic reports whether the actor is a member of the public.
func (a *Actor) IsPublic() bool { return a != nil && a.Kind != KindStaff }

// Who is the actor as the audit log records it.
func (a *Actor) Who() audit.Who {
	if a == nil {
		return audit.Who{ID: "anonymous", Name: "anonymous"}
	}
	return audit.Who{ID: a.UserID, Name: a.Username, OrgID: a.PrimaryOrg(), ClientIP: a.ClientIP}
}

type ctxKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// ActorFrom returns the actor in ctx, or nil for anonymous requests.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(ctxKey{}).(*Actor)
	return a
}
