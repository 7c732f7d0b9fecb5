package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/idcode"
	"gongshu/internal/region"
)

// Login throttling: after this many failures in the window, further attempts
// for the username (or from the address) are refused until the window passes.
const (
	throttleWindow  = 15 * time.Minute
	maxUserFailures = 5
	maxIPFailures   = 30
	SessionTTL      = 12 * time.Hour
	MinPasswordLen  = 8
)

// Service manages regions, organizations, users, roles, sessions and API clients.
type Service struct {
	DB      *db.DB
	Audit   *audit.Log
	Regions *region.Tree
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// NewID returns a time-ordered identifier (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// SeedRegions copies the region tree into the database when it is empty.
func (s *Service) SeedRegions(ctx context.Context) error {
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT count(*) FROM regions`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		all := s.Regions.All()
		const batch = 200
		for i := 0; i < len(all); i += batch {
			end := min(i+batch, len(all))
			var sb strings.Builder
			args := make([]any, 0, 4*(end-i))
			sb.WriteString(`INSERT INTO regions (code, name, parent, level) VALUES `)
			for j, r := range all[i:end] {
				if j > 0 {
					sb.WriteString(",")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d,$%d,$%d,$%d)", k+1, k+2, k+3, k+4)
				args = append(args, r.Code, r.Name, r.Parent, int(r.Level))
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("seed regions: %w", err)
			}
		}
		return nil
	})
}

// ---- organizations

// NewOrg is the input to CreateOrg.
type NewOrg struct {
	Name, NameEN      string
	Type              OrgType
	RegionCode        string
	ParentID          string
	USCC              string
	ResponsiblePerson string
}

// CreateOrg registers an organization. Only authority admins may do it, for
// regions within their own (bootstrap passes a nil actor through the CLI).
func (s *Service) CreateOrg(ctx context.Context, in NewOrg) (*Org, error) {
	a := ActorFrom(ctx)
	if a != nil && !s.authorityAdminOver(a, in.RegionCode) {
		return nil, apperr.New(apperr.Forbidden, "只有本级或上级数据主管部门管理员可以登记机构", "only an authority admin of this or an upper region may register organizations")
	}
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > 100:
		return nil, apperr.New(apperr.Invalid, "请填写机构名称（不超过100字）", "enter the organization name (at most 100 characters)").WithField("name")
	case !validOrgType(in.Type):
		return nil, apperr.Newf(apperr.Invalid, "机构类型 %q 无效", "unknown organization type %q", in.Type).WithField("type")
	}
	if _, ok := s.Regions.Get(in.RegionCode); !ok {
		return nil, apperr.Newf(apperr.Invalid, "行政区划代码 %q 不存在（GB/T 2260）", "region code %q does not exist (GB/T 2260)", in.RegionCode).WithField("region_code")
	}
	if in.USCC != "" {
		norm, err := idcode.NormalizeUSCC(in.USCC)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "统一社会信用代码无效："+msgZH(err), "invalid unified social credit code: "+msgEN(err)).WithField("uscc")
		}
		in.USCC = norm
	}
	o := &Org{ID: NewID(), Name: in.Name, NameEN: in.NameEN, Type: in.Type, RegionCode: in.RegionCode, ParentID: in.ParentID,
		USCC: in.USCC, ResponsiblePerson: in.ResponsiblePerson, CreatedAt: s.now()}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, name_en, type, region_code, parent_id, uscc, responsible_person, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, o.ID, o.Name, o.NameEN, string(o.Type), o.RegionCode, nullable(o.ParentID), o.USCC, o.ResponsiblePerson, o.CreatedAt)
		if db.IsUniqueViolation(err) {
			return apperr.Newf(apperr.Conflict, "机构“%s”已存在", "organization %q already exists", o.Name).WithField("name")
		}
		if err != nil {
			return err
		}
		_, err = s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "org.create", ObjectType: "org", ObjectID: o.ID,
			Payload: map[string]any{"name": o.Name, "type": o.Type, "region": o.RegionCode}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func validOrgType(t OrgType) bool {
	for _, x := range OrgTypes {
		if x == t {
			return true
		}
	}
	return false
}

const orgColumns = `id, name, name_en, type, region_code, COALESCE(parent_id, ''), uscc, responsible_person, created_at`

func scanOrg(sc db.Scanner) (*Org, error) {
	var o Org
	var t string
	if err := sc.Scan(&o.ID, &o.Name, &o.NameEN, &t, &o.RegionCode, &o.ParentID, &o.USCC, &o.ResponsiblePerson, &o.CreatedAt); err != nil {
		return nil, err
	}
	o.Type = OrgType(t)
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, nil
}

// GetOrg returns an organization. The directory of organizations is public
// (who holds which data is itself public information, YN§9).
func (s *Service) GetOrg(ctx context.Context, id string) (*Org, error) {
	o, err := scanOrg(s.DB.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound()
	}
	return o, err
}

// OrgFilter narrows ListOrgs.
type OrgFilter struct {
	RegionCode string // this region and everything below it
	Type       OrgType
	Query      string
}

// ListOrgs lists organizations, ordered by region then name.
func (s *Service) ListOrgs(ctx context.Context, f OrgFilter) ([]*Org, error) {
	q := `SELECT ` + orgColumns + ` FROM organizations WHERE 1=1`
	var args []any
	if f.Type != "" {
		args = append(args, string(f.Type))
		q += fmt.Sprintf(" AND type = $%d", len(args))
	}
	if f.Query != "" {
		args = append(args, "%"+strings.NewReplacer("%", "", "_", "").Replace(f.Query)+"%")
		q += fmt.Sprintf(" AND name LIKE $%d", len(args))
	}
	rows, err := s.DB.QueryContext(ctx, q+` ORDER BY region_code, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		if f.RegionCode == "" || s.Regions.IsWithin(o.RegionCode, f.RegionCode) {
			out = append(out, o)
		}
	}
	return out, rows.Err()
}

// ---- users

// NewUser is the input to CreateUser and Register.
type NewUser struct {
	Username    string
	DisplayName string
	Kind        UserKind
	IDNumber    string // persons
	USCC        string // organizations
	Email       string
	Password    string
}

// Register creates a public account (A3, JMS§17): a natural person with a
// valid citizen ID number or an organization with a valid credit code.
func (s *Service) Register(ctx context.Context, in NewUser) (*User, error) {
	if in.Kind != KindPerson && in.Kind != KindOrganization {
		return nil, apperr.New(apperr.Invalid, "请选择账户类型：自然人或法人/组织", "choose the account kind: person or organization").WithField("kind")
	}
	u, err := s.createUser(ctx, in, false)
	if err != nil {
		return nil, err
	}
	if err := s.grant(ctx, nil, u.ID, "", RolePublicUser); err != nil {
		return nil, err
	}
	return u, nil
}

// CreateStaff creates a staff account; roles are granted separately.
func (s *Service) CreateStaff(ctx context.Context, in NewUser) (*User, error) {
	a := ActorFrom(ctx)
	if a != nil && !a.HasAny("", RoleAuthorityAdmin, RoleInstitutionAdmin) {
		return nil, apperr.New(apperr.Forbidden, "只有管理员可以创建工作人员账户", "only administrators may create staff accounts")
	}
	in.Kind = KindStaff
	return s.createUser(ctx, in, false)
}

// CreateUserUnchecked creates an account without the password-length rule;
// used only by the demo, whose password the operator chose on the command line.
func (s *Service) CreateUserUnchecked(ctx context.Context, in NewUser) (*User, error) {
	return s.createUser(ctx, in, true)
}

func (s *Service) createUser(ctx context.Context, in NewUser, anyPassword bool) (*User, error) {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if !validUsername(in.Username) {
		return nil, apperr.New(apperr.Invalid, "用户名须为3至64位字母、数字、点、下划线或连字符", "username must be 3–64 letters, digits, dots, underscores or hyphens").WithField("username")
	}
	if in.DisplayName == "" {
		in.DisplayName = in.Username
	}
	if utf8.RuneCountInString(in.DisplayName) > 100 {
		return nil, apperr.New(apperr.Invalid, "姓名/名称不超过100字", "display name must be at most 100 characters").WithField("display_name")
	}
	if in.Password == "" || (!anyPassword && utf8.RuneCountInString(in.Password) < MinPasswordLen) {
		return nil, apperr.Newf(apperr.Invalid, "密码至少需要 %d 个字符", "password must have at least %d characters", MinPasswordLen).WithField("password")
	}
	switch in.Kind {
	case KindPerson:
		norm, err := idcode.NormalizeCitizenID(in.IDNumber)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "公民身份号码无效："+msgZH(err), "invalid citizen ID number: "+msgEN(err)).WithField("id_number")
		}
		in.IDNumber = norm
	case KindOrganization:
		norm, err := idcode.NormalizeUSCC(in.USCC)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "统一社会信用代码无效："+msgZH(err), "invalid unified social credit code: "+msgEN(err)).WithField("uscc")
		}
		in.USCC = norm
	case KindStaff:
	default:
		return nil, apperr.New(apperr.Invalid, "账户类型无效", "unknown account kind").WithField("kind")
	}
	u := &User{ID: NewID(), Username: in.Username, DisplayName: in.DisplayName, Kind: in.Kind, IDNumber: in.IDNumber,
		USCC: in.USCC, Email: in.Email, Status: "active", CreatedAt: s.now()}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, kind, id_number, uscc, email, password_hash, status, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, u.ID, u.Username, u.DisplayName, string(u.Kind), u.IDNumber, u.USCC, u.Email,
			HashPassword(in.Password), u.Status, u.CreatedAt)
		if db.IsUniqueViolation(err) {
			return apperr.Newf(apperr.Conflict, "用户名“%s”已被使用", "username %q is taken", u.Username).WithField("username")
		}
		if err != nil {
			return err
		}
		_, err = s.Audit.Append(ctx, tx, ActorFrom(ctx).Who(), audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: u.ID,
			Payload: map[string]any{"username": u.Username, "kind": u.Kind}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func msgZH(err error) string {
	var e *idcode.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func msgEN(err error) string {
	var e *idcode.Error
	if errors.As(err, &e) {
		return e.MessageEN
	}
	return err.Error()
}

const userColumns = `id, username, display_name, kind, id_number, uscc, email, status, created_at`

func scanUser(sc db.Scanner) (*User, error) {
	var u User
	var k string
	if err := sc.Scan(&u.ID, &u.Username, &u.DisplayName, &k, &u.IDNumber, &u.USCC, &u.Email, &u.Status, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Kind = UserKind(k)
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// UserByUsername looks an account up (CLI and bootstrap).
func (s *Service) UserByUsername(ctx context.Context, username string) (*User, error) {
	u, err := scanUser(s.DB.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound()
	}
	return u, err
}

// SetPassword replaces a user's password (CLI: gongshu user passwd).
func (s *Service) SetPassword(ctx context.Context, userID, pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return apperr.Newf(apperr.Invalid, "密码至少需要 %d 个字符", "password must have at least %d characters", MinPasswordLen).WithField("password")
	}
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, HashPassword(pw), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.ErrNotFound()
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err = s.Audit.Append(ctx, tx, ActorFrom(ctx).Who(), audit.Entry{Action: "user.password", ObjectType: "user", ObjectID: userID})
		return err
	})
}

// ---- roles

// Grant gives a user a role in an organization. Authority admins grant within
// their region; institution admins grant institution roles in their own
// organization. Every grant is a permission change and is audited.
func (s *Service) Grant(ctx context.Context, userID, orgID string, role Role) error {
	return s.grant(ctx, ActorFrom(ctx), userID, orgID, role)
}

func (s *Service) grant(ctx context.Context, a *Actor, userID, orgID string, role Role) error {
	types, ok := Roles[role]
	if !ok {
		return apperr.Newf(apperr.Invalid, "角色 %q 无效", "unknown role %q", role).WithField("role")
	}
	if role != RolePublicUser {
		o, err := s.GetOrg(ctx, orgID)
		if err != nil {
			return err
		}
		fits := false
		for _, t := range types {
			fits = fits || t == o.Type
		}
		if !fits {
			return apperr.Newf(apperr.Invalid, "角色 %s 不适用于该类型的机构", "role %s does not apply to this kind of organization", role).WithField("role")
		}
		if a != nil && !s.authorityAdminOver(a, o.RegionCode) && !(a.Has(RoleInstitutionAdmin, orgID) && role != RoleAuditor) {
			return apperr.ErrNotFound()
		}
	} else {
		orgID = ""
	}
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, org_id, role, granted_at, granted_by) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (user_id, org_id, role) DO NOTHING`, userID, orgID, string(role), s.now(), a.Who().ID)
		if err != nil {
			return err
		}
		_, err = s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "permission.grant", ObjectType: "user", ObjectID: userID,
			Payload: map[string]any{"org_id": orgID, "role": role}})
		return err
	})
}

// Revoke removes a role; audited like Grant.
func (s *Service) Revoke(ctx context.Context, userID, orgID string, role Role) error {
	a := ActorFrom(ctx)
	o, err := s.GetOrg(ctx, orgID)
	if err != nil {
		return err
	}
	if a != nil && !s.authorityAdminOver(a, o.RegionCode) && !a.Has(RoleInstitutionAdmin, orgID) {
		return apperr.ErrNotFound()
	}
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1 AND org_id = $2 AND role = $3`, userID, orgID, string(role))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound()
		}
		_, err = s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "permission.revoke", ObjectType: "user", ObjectID: userID,
			Payload: map[string]any{"org_id": orgID, "role": role}})
		return err
	})
}

// authorityAdminOver reports whether a is an authority admin of region or of a region above it.
func (s *Service) authorityAdminOver(a *Actor, regionCode string) bool {
	for _, g := range a.Grants {
		if g.Role == RoleAuthorityAdmin && s.Regions.IsWithin(regionCode, g.RegionCode) {
			return true
		}
	}
	return false
}

// AuthorityOver reports whether a is staff of a data authority whose region
// contains regionCode: the authority supervises everything in its region.
func (s *Service) AuthorityOver(a *Actor, regionCode string) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.OrgType == OrgAuthority && (g.Role == RoleAuthorityAdmin || g.Role == RoleAuthorityReviewer) && s.Regions.IsWithin(regionCode, g.RegionCode) {
			return true
		}
	}
	return false
}

// AuditorOver reports whether a is an auditor (of an authority or a
// regulator) whose region contains regionCode: auditors read, never act.
func (s *Service) AuditorOver(a *Actor, regionCode string) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Role == RoleAuditor && s.Regions.IsWithin(regionCode, g.RegionCode) {
			return true
		}
	}
	return false
}

// loadActor builds the actor of a user with all their grants.
func (s *Service) loadActor(ctx context.Context, userID, clientIP string) (*Actor, error) {
	u, err := scanUser(s.DB.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
	if err != nil {
		return nil, err
	}
	if u.Status != "active" {
		return nil, apperr.New(apperr.Unauthorized, "账户已停用", "account disabled")
	}
	a := &Actor{UserID: u.ID, Username: u.Username, Name: u.DisplayName, Kind: u.Kind, ClientIP: clientIP}
	rows, err := s.DB.QueryContext(ctx, `SELECT r.org_id, r.role, COALESCE(o.name, ''), COALESCE(o.type, ''), COALESCE(o.region_code, '')
		FROM user_roles r LEFT JOIN organizations o ON o.id = r.org_id WHERE r.user_id = $1 ORDER BY r.granted_at, r.org_id, r.role`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g Grant
		var role, typ string
		if err := rows.Scan(&g.OrgID, &role, &g.OrgName, &typ, &g.RegionCode); err != nil {
			return nil, err
		}
		g.Role, g.OrgType = Role(role), OrgType(typ)
		a.Grants = append(a.Grants, g)
	}
	return a, rows.Err()
}

// Members lists the users holding any of roles in org (for notices).
func (s *Service) Members(ctx context.Context, orgID string, roles ...Role) ([]string, error) {
	q := `SELECT DISTINCT user_id FROM user_roles WHERE org_id = $1`
	args := []any{orgID}
	if len(roles) > 0 {
		var ph []string
		for _, r := range roles {
			args = append(args, string(r))
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		q += " AND role IN (" + strings.Join(ph, ",") + ")"
	}
	rows, err := s.DB.QueryContext(ctx, q+" ORDER BY user_id", args...)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, func(sc db.Scanner) (id string, err error) { return id, sc.Scan(&id) })
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// SystemUserID is the platform itself, the applicant of cases it opens on
// its own (a cross-source conflict, for example). It cannot log in.
const SystemUserID = "system"

// System is the actor of work the platform does by itself.
func System(name string) *Actor {
	return &Actor{UserID: SystemUserID, Username: "_system", Name: name, Kind: KindStaff}
}

// EnsureSystemUser creates the system user once.
func (s *Service) EnsureSystemUser(ctx context.Context) error {
	_, err := s.DB.ExecContext(ctx, `INSERT INTO users (id, username, display_name, kind, password_hash, status, created_at)
		VALUES ($1, '_system', '平台（系统）', 'staff', '', 'disabled', $2) ON CONFLICT (id) DO NOTHING`, SystemUserID, s.Now().UTC())
	return err
}
