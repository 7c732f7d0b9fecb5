// Package platformtest opens platforms for tests: a settable clock, a
// platform on a test database, and contexts acting as demo users.
package platformtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
)

// Clock is a settable clock for tests of deadlines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Open opens a platform on d with the given clock (nil: real time) and profile.
func Open(t testing.TB, d *db.DB, profile string, clock *Clock) *platform.Platform {
	t.Helper()
	var now func() time.Time
	if clock != nil {
		now = clock.Now
	}
	p, err := platform.Open(context.Background(), d, platform.Config{Profile: profile, Now: now, AuditKey: []byte("test audit key"), LoadsDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// As returns ctx acting as the user with the given username.
func As(t testing.TB, p *platform.Platform, username string) context.Context {
	t.Helper()
	ctx := context.Background()
	u, err := p.Identity.UserByUsername(ctx, username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	a, err := p.Identity.ActorFor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return identity.WithActor(ctx, a)
}

// Publish creates a catalog entry for org as the officer, submits it and
// has the reviewer approve it; it returns the published resource.
func Publish(t testing.TB, p *platform.Platform, officer, reviewer, orgID string, e catalog.Entry) *catalog.Resource {
	t.Helper()
	as := As(t, p, officer)
	r, err := p.Catalog.Create(as, orgID, e)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Catalog.Submit(as, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Cases.Decide(As(t, p, reviewer), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "同意发布"}); err != nil {
		t.Fatal(err)
	}
	if r, err = p.Catalog.Get(as, r.ID, 0); err != nil {
		t.Fatal(err)
	}
	return r
}
