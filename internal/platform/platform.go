// Package platform assembles the services of one Gongshu deployment over one
// database: identity, audit, notices, the case engine with its case types,
// the active policy profile and the working-day calendar. The command line,
// the HTTP server and the tests all start from Open.
package platform

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"gongshu/internal/access"
	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/dataset"
	"gongshu/internal/db"
	"gongshu/internal/feedback"
	"gongshu/internal/identity"
	"gongshu/internal/notify"
	"gongshu/internal/policy"
	"gongshu/internal/region"
	"gongshu/internal/workday"
)

// Platform is a running deployment's services.
type Platform struct {
	DB       *db.DB
	Audit    *audit.Log
	Identity *identity.Service
	Notify   *notify.Service
	Cases    *caseflow.Engine
	Catalog  *catalog.Service
	Datasets *dataset.Service
	Door     *access.Door
	Now      func() time.Time

	profile  atomic.Pointer[policy.Profile]
	calendar atomic.Pointer[workday.Calendar]
}

// Settings keys.
const (
	SettingProfile   = "profile"
	SettingOverrides = "profile_overrides"
)

// Config tunes Open.
type Config struct {
	// Profile, when not empty, selects (and stores) the active profile;
	// otherwise the stored one, or yunnan for a new deployment, is used.
	Profile string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// AuditKey seals the audit chain's head; nil skips the seal check when
	// verifying and seals with an empty key.
	AuditKey []byte
	// LoadsDir keeps uploaded files until their loads end (DATA/loads).
	LoadsDir string
	// MaxUploadBytes limits one data file (default 1 GiB).
	MaxUploadBytes int64
}

// Open migrates d and builds the services.
func Open(ctx context.Context, d *db.DB, cfg Config) (*Platform, error) {
	now, profileName := cfg.Now, cfg.Profile
	if now == nil {
		now = time.Now
	}
	if _, err := d.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	tree, err := region.Builtin()
	if err != nil {
		return nil, err
	}
	p := &Platform{DB: d, Now: now}
	p.Audit = &audit.Log{DB: d, Now: now, Key: cfg.AuditKey}
	p.Identity = &identity.Service{DB: d, Audit: p.Audit, Regions: tree, Now: now}
	p.Notify = &notify.Service{DB: d, Now: now}
	p.Cases = &caseflow.Engine{DB: d, Audit: p.Audit, Identity: p.Identity, Notify: p.Notify, Now: now,
		Calendar: p.Calendar, Profile: p.Profile}
	p.Cases.Register(feedback.Type())
	p.Catalog = &catalog.Service{DB: d, Audit: p.Audit, Identity: p.Identity, Cases: p.Cases, Now: now}
	p.Cases.Register(p.Catalog.Type())
	for _, t := range catalog.MaintenanceTypes() {
		p.Cases.Register(t)
	}
	p.Datasets = &dataset.Service{DB: d, Audit: p.Audit, Identity: p.Identity, Catalog: p.Catalog, Cases: p.Cases, Now: now,
		Dir: cfg.LoadsDir, MaxFileBytes: cfg.MaxUploadBytes}
	p.Cases.Register(dataset.ConflictType())
	p.Catalog.SchemaCheck = p.Datasets.Compatible
	p.Catalog.OnPublish = p.Datasets.Sync
	p.Door = &access.Door{DB: d, Audit: p.Audit, Identity: p.Identity, Catalog: p.Catalog, Datasets: p.Datasets, Profile: p.Profile}
	if err := p.Identity.SeedRegions(ctx); err != nil {
		return nil, err
	}
	if err := p.Identity.EnsureSystemUser(ctx); err != nil {
		return nil, err
	}
	if profileName != "" {
		if err := p.SetProfile(ctx, profileName); err != nil {
			return nil, err
		}
	}
	if err := p.ReloadProfile(ctx); err != nil {
		return nil, err
	}
	if err := p.ReloadCalendar(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// Profile is the active policy profile (with the deployment's overrides).
func (p *Platform) Profile() *policy.Profile { return p.profile.Load() }

// Calendar is the working-day calendar: the built-in years plus the years
// imported or edited by admins.
func (p *Platform) Calendar() *workday.Calendar { return p.calendar.Load() }

func (p *Platform) setting(ctx context.Context, key string) (string, error) {
	var v string
	err := p.DB.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (p *Platform) putSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, p.Now().UTC())
	return err
}

// SetProfile selects a built-in profile for the deployment.
func (p *Platform) SetProfile(ctx context.Context, name string) error {
	if _, err := policy.Builtin(name); err != nil {
		return apperr.Newf(apperr.Invalid, "政策配置 %q 不存在，可选：%v", "no policy profile %q; choose one of %v", name, policy.Names())
	}
	err := p.DB.InTx(ctx, func(tx *sql.Tx) error {
		old, _ := p.setting(ctx, SettingProfile)
		if old == name {
			return nil
		}
		if err := p.putSetting(ctx, tx, SettingProfile, name); err != nil {
			return err
		}
		_, err := p.Audit.Append(ctx, tx, identity.ActorFrom(ctx).Who(), audit.Entry{Action: "settings.profile", ObjectType: "settings",
			ObjectID: SettingProfile, Payload: map[string]string{"from": old, "to": name}})
		return err
	})
	if err != nil {
		return err
	}
	return p.ReloadProfile(ctx)
}

// SetOverrides stores the deployment's changes to profile values (a
// deployment may override values, keeping the article each cites).
func (p *Platform) SetOverrides(ctx context.Context, ovs []policy.Override) error {
	base, err := p.baseProfile(ctx)
	if err != nil {
		return err
	}
	if _, err := base.Apply(ovs); err != nil {
		return apperr.New(apperr.Invalid, "政策配置覆盖项无效："+err.Error(), "invalid profile overrides: "+err.Error())
	}
	b, _ := json.Marshal(ovs)
	err = p.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := p.putSetting(ctx, tx, SettingOverrides, string(b)); err != nil {
			return err
		}
		_, err := p.Audit.Append(ctx, tx, identity.ActorFrom(ctx).Who(), audit.Entry{Action: "settings.profile_overrides",
			ObjectType: "settings", ObjectID: SettingOverrides, Payload: ovs})
		return err
	})
	if err != nil {
		return err
	}
	return p.ReloadProfile(ctx)
}

func (p *Platform) baseProfile(ctx context.Context) (*policy.Profile, error) {
	name, err := p.setting(ctx, SettingProfile)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = "yunnan"
	}
	return policy.Builtin(name)
}

// ReloadProfile reads the active profile and overrides from the database.
func (p *Platform) ReloadProfile(ctx context.Context) error {
	base, err := p.baseProfile(ctx)
	if err != nil {
		return err
	}
	raw, err := p.setting(ctx, SettingOverrides)
	if err != nil {
		return err
	}
	if raw != "" {
		var ovs []policy.Override
		if err := json.Unmarshal([]byte(raw), &ovs); err != nil {
			return fmt.Errorf("stored profile overrides: %w", err)
		}
		if base, err = base.Apply(ovs); err != nil {
			return fmt.Errorf("stored profile overrides: %w", err)
		}
	}
	p.profile.Store(base)
	return nil
}

// ReloadCalendar rebuilds the calendar from the built-in data and the
// database's years (which override built-in years).
func (p *Platform) ReloadCalendar(ctx context.Context) error {
	builtin, err := workday.BuiltinFile()
	if err != nil {
		return err
	}
	rows, err := p.DB.QueryContext(ctx, `SELECT year, data FROM workday_years ORDER BY year`)
	if err != nil {
		return err
	}
	defer rows.Close()
	f := &workday.File{Source: "database", Years: map[string]workday.Year{}}
	for rows.Next() {
		var y int
		var data string
		if err := rows.Scan(&y, &data); err != nil {
			return err
		}
		var yr workday.Year
		if err := json.Unmarshal([]byte(data), &yr); err != nil {
			return fmt.Errorf("calendar year %d in database: %w", y, err)
		}
		f.Years[strconv.Itoa(y)] = yr
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cal, err := workday.New(builtin, f)
	if err != nil {
		return err
	}
	p.calendar.Store(cal)
	return nil
}

// ImportCalendar stores whole years of holidays and adjusted workdays (for a
// new year's State Council notice, or a correction), replacing those years.
func (p *Platform) ImportCalendar(ctx context.Context, f *workday.File) ([]int, error) {
	a := identity.ActorFrom(ctx)
	if a != nil && !a.Has(identity.RoleAuthorityAdmin, "") {
		return nil, apperr.New(apperr.Forbidden, "只有数据主管部门管理员可以维护工作日历", "only authority admins may maintain the calendar")
	}
	if _, err := workday.New(f); err != nil {
		return nil, apperr.New(apperr.Invalid, "日历文件无效："+err.Error(), "invalid calendar file: "+err.Error())
	}
	var years []int
	err := p.DB.InTx(ctx, func(tx *sql.Tx) error {
		for key, yr := range f.Years {
			y, _ := strconv.Atoi(key)
			b, _ := json.Marshal(yr)
			if _, err := tx.ExecContext(ctx, `INSERT INTO workday_years (year, data, source, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5)
				ON CONFLICT (year) DO UPDATE SET data = excluded.data, source = excluded.source, updated_at = excluded.updated_at,
				updated_by = excluded.updated_by`, y, string(b), f.Source, p.Now().UTC(), a.Who().ID); err != nil {
				return err
			}
			years = append(years, y)
		}
		sort.Ints(years)
		_, err := p.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "settings.calendar", ObjectType: "calendar",
			ObjectID: fmt.Sprint(years), Payload: map[string]any{"years": years, "source": f.Source}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return years, p.ReloadCalendar(ctx)
}

// SetDay edits one day of a covered year: kind "holiday", "workday" (调休上班)
// or "" to restore the ordinary weekday/weekend rule.
func (p *Platform) SetDay(ctx context.Context, date string, kind workday.Kind, name string) error {
	t, err := time.ParseInLocation("2006-01-02", date, workday.Location)
	if err != nil {
		return apperr.New(apperr.Invalid, "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD").WithField("date")
	}
	year := strconv.Itoa(t.Year())
	cur := p.Calendar()
	if !cur.Covers(t.Year()) {
		return apperr.Newf(apperr.Invalid, "%s 年尚未导入日历，请先导入全年安排", "year %s is not in the calendar; import the whole year first", year).WithField("date")
	}
	yr := cur.YearData(t.Year())
	delete(yr.Holidays, date)
	delete(yr.Workdays, date)
	switch kind {
	case workday.Holiday:
		yr.Holidays[date] = name
	case workday.AdjustedWorkday:
		yr.Workdays[date] = name
	case "":
	default:
		return apperr.New(apperr.Invalid, "类型应为 holiday 或 workday", "kind must be holiday or workday").WithField("kind")
	}
	_, err = p.ImportCalendar(ctx, &workday.File{Source: "edited in the platform", Years: map[string]workday.Year{year: yr}})
	return err
}

// RunJobs runs the background jobs every interval until ctx ends: overdue
// marking and session clean-up. Safe on several nodes at once.
func (p *Platform) RunJobs(ctx context.Context, interval time.Duration, logf func(string, ...any)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := p.Cases.MarkOverdue(ctx); err != nil {
			logf("overdue job failed", "err", err)
		} else if n > 0 {
			logf("cases marked overdue", "count", n)
		}
		if err := p.Identity.PurgeExpired(ctx); err != nil {
			logf("session purge failed", "err", err)
		}
		if n, err := p.Datasets.RunPulls(ctx); err != nil {
			logf("scheduled pulls failed", "err", err)
		} else if n > 0 {
			logf("scheduled pulls started", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
