package identity_test

import (
	"context"
	"testing"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/db"
	"gongshu/internal/db/dbtest"
	"gongshu/internal/identity"
	"gongshu/internal/region"
)

func service(t *testing.T, d *db.DB, now func() time.Time) *identity.Service {
	t.Helper()
	tree, err := region.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	s := &identity.Service{DB: d, Audit: &audit.Log{DB: d}, Regions: tree, Now: now}
	if err := s.SeedRegions(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func as(t *testing.T, s *identity.Service, userID string) context.Context {
	t.Helper()
	a, err := s.ActorFor(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return identity.WithActor(context.Background(), a)
}

func TestRegionsAreSeededOnceIntoTheDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := service(t, d, nil)
		if err := s.SeedRegions(context.Background()); err != nil {
			t.Fatal(err)
		}
		var n int
		d.QueryRow(`SELECT count(*) FROM regions`).Scan(&n)
		if n != s.Regions.Len() {
			t.Fatalf("%d regions in the database, %d in the tree", n, s.Regions.Len())
		}
	})
}

func TestOrganizationsRolesAndPermissionChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := service(t, d, nil)
		ctx := context.Background()
		prov, err := s.CreateOrg(ctx, identity.NewOrg{Name: "云南省数据局", Type: identity.OrgAuthority, RegionCode: "530000"})
		if err != nil {
			t.Fatal(err)
		}
		city, _ := s.CreateOrg(ctx, identity.NewOrg{Name: "曲靖市数据局", Type: identity.OrgAuthority, RegionCode: "530300"})
		inst, _ := s.CreateOrg(ctx, identity.NewOrg{Name: "曲靖市公安局", Type: identity.OrgInstitution, RegionCode: "530300"})
		for _, bad := range []identity.NewOrg{{Name: "", Type: identity.OrgInstitution, RegionCode: "530300"},
			{Name: "x", Type: "club", RegionCode: "530300"}, {Name: "y", Type: identity.OrgInstitution, RegionCode: "539999"},
			{Name: "z", Type: identity.OrgEnterprise, RegionCode: "530300", USCC: "91350100M000100Y44"}} {
			if _, err := s.CreateOrg(ctx, bad); apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		if _, err := s.CreateOrg(ctx, identity.NewOrg{Name: "曲靖市公安局", Type: identity.OrgInstitution, RegionCode: "530300"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("duplicate org: %v", err)
		}
		admin, _ := s.CreateStaff(ctx, identity.NewUser{Username: "prov.admin", Password: "long-password"})
		cityAdmin, _ := s.CreateStaff(ctx, identity.NewUser{Username: "city.admin", Password: "long-password"})
		officer, _ := s.CreateStaff(ctx, identity.NewUser{Username: "officer", Password: "long-password"})
		if err := s.Grant(ctx, admin.ID, prov.ID, identity.RoleAuthorityAdmin); err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(ctx, cityAdmin.ID, city.ID, identity.RoleAuthorityAdmin); err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(ctx, officer.ID, inst.ID, identity.RoleAuthorityAdmin); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("authority role in an institution: %v", err)
		}
		// The city admin may grant in its region; the officer may not grant at all.
		if err := s.Grant(as(t, s, cityAdmin.ID), officer.ID, inst.ID, identity.RoleDataOfficer); err != nil {
			t.Fatal(err)
		}
		if err := s.Grant(as(t, s, officer.ID), officer.ID, inst.ID, identity.RoleInstitutionAdmin); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("self-promotion: %v", err)
		}
		// A city admin cannot register organizations outside its city; the province admin can.
		if _, err := s.CreateOrg(as(t, s, cityAdmin.ID), identity.NewOrg{Name: "昆明市某局", Type: identity.OrgInstitution, RegionCode: "530100"}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("city admin outside its region: %v", err)
		}
		if _, err := s.CreateOrg(as(t, s, admin.ID), identity.NewOrg{Name: "昆明市某局", Type: identity.OrgInstitution, RegionCode: "530100"}); err != nil {
			t.Error(err)
		}
		a, _ := s.ActorFor(ctx, officer.ID)
		if !a.Has(identity.RoleDataOfficer, inst.ID) || a.Has(identity.RoleDataOfficer, city.ID) || a.PrimaryOrg() != inst.ID {
			t.Errorf("actor grants %+v", a.Grants)
		}
		if err := s.Revoke(as(t, s, cityAdmin.ID), officer.ID, inst.ID, identity.RoleDataOfficer); err != nil {
			t.Fatal(err)
		}
		recs, _ := (&audit.Log{DB: d}).Search(ctx, audit.Query{Action: "permission."})
		if len(recs) != 4 {
			t.Errorf("%d permission changes audited, want 4", len(recs))
		}
	})
}

func TestPublicAccountsNeedValidIdentifiers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := service(t, d, nil)
		ctx := context.Background()
		cases := []struct {
			in    identity.NewUser
			field string
		}{
			{identity.NewUser{Username: "person1", Kind: identity.KindPerson, IDNumber: "11010519491231002x", Password: "long-password"}, ""},
			{identity.NewUser{Username: "person2", Kind: identity.KindPerson, IDNumber: "110105194912310021", Password: "long-password"}, "id_number"},
			{identity.NewUser{Username: "org1", Kind: identity.KindOrganization, USCC: "91350100M000100Y43", Password: "long-password"}, ""},
			{identity.NewUser{Username: "org2", Kind: identity.KindOrganization, USCC: "91350100M000100Y4I", Password: "long-password"}, "uscc"},
			{identity.NewUser{Username: "org3", Kind: identity.KindOrganization, USCC: "91350100M000100Y43", Password: "short"}, "password"},
			{identity.NewUser{Username: "bad name!", Kind: identity.KindPerson, IDNumber: "440524188001010014", Password: "long-password"}, "username"},
			{identity.NewUser{Username: "person1", Kind: identity.KindPerson, IDNumber: "440524188001010014", Password: "long-password"}, "username"},
			{identity.NewUser{Username: "staff1", Kind: identity.KindStaff, Password: "long-password"}, "kind"},
		}
		for _, tc := range cases {
			u, err := s.Register(ctx, tc.in)
			e := apperr.As(err)
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("%s: %v", tc.in.Username, err)
			case tc.field != "" && (e == nil || e.Field != tc.field || e.Message == ""):
				t.Errorf("%s: error %v, want field %s", tc.in.Username, err, tc.field)
			case tc.field == "" && tc.in.Kind == identity.KindPerson && u.IDNumber != "11010519491231002X":
				t.Errorf("ID number not normalized: %s", u.IDNumber)
			}
		}
	})
}

func TestSessionsExpireAndPasswordChangesEndThem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
		s := service(t, d, func() time.Time { return now })
		ctx := context.Background()
		u, _ := s.Register(ctx, identity.NewUser{Username: "citizen", Kind: identity.KindPerson, IDNumber: "440524188001010014", Password: "long-password"})
		sess, err := s.Login(ctx, "citizen", "long-password", "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := s.Authenticate(ctx, sess.Token, "10.0.0.1"); err != nil || a.UserID != u.ID || !a.Has(identity.RolePublicUser, "") {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		now = now.Add(identity.SessionTTL)
		if _, err := s.Authenticate(ctx, sess.Token, ""); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("expired session accepted: %v", err)
		}
		sess, _ = s.Login(ctx, "citizen", "long-password", "10.0.0.1", "test")
		if err := s.SetPassword(ctx, u.ID, "another-password"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, sess.Token, ""); err == nil {
			t.Error("session survived a password change")
		}
		if _, err := s.Login(ctx, "citizen", "long-password", "10.0.0.1", ""); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Error("old password still works")
		}
		// Unknown users and wrong passwords answer alike.
		_, e1 := s.Login(ctx, "nobody", "x", "10.0.0.2", "")
		_, e2 := s.Login(ctx, "citizen", "x", "10.0.0.2", "")
		if apperr.As(e1).Message != apperr.As(e2).Message {
			t.Error("unknown user distinguishable from wrong password")
		}
		// Throttling by address: many usernames from one address.
		for i := 0; i < 40; i++ {
			s.Login(ctx, "guess"+string(rune('a'+i%26)), "x", "10.0.0.3", "")
		}
		if _, err := s.Login(ctx, "citizen", "another-password", "10.0.0.3", ""); apperr.CodeOf(err) != apperr.Throttled {
			t.Errorf("address not throttled: %v", err)
		}
		now = now.Add(16 * time.Minute)
		if _, err := s.Login(ctx, "citizen", "another-password", "10.0.0.3", ""); err != nil {
			t.Errorf("throttle did not end: %v", err)
		}
	})
}

func TestPasswordHashing(t *testing.T) {
	h := identity.HashPassword("秘密 password")
	if !identity.CheckPassword(h, "秘密 password") || identity.CheckPassword(h, "秘密 passwore") || identity.HashPassword("x") == identity.HashPassword("x") {
		t.Fatal("argon2id hashing is wrong")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=0,t=0,p=0$$", "plain"} {
		if identity.CheckPassword(bad, "") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}
