// Command gongshu is the whole public data platform in one binary: the web
// portal and console, the JSON API and the command-line tools.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gongshu/internal/api"
	"gongshu/internal/apperr"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/demo"
	"gongshu/internal/idcode"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
	"gongshu/internal/policy"
	"gongshu/internal/server"
	"gongshu/internal/workday"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `gongshu — unified public data platform (公数 · 公共数据平台)

Usage:
  gongshu serve    [--data DIR] [--db DSN] [--addr HOST:PORT] [--profile NAME] [--profile-overrides FILE] [--demo] [--demo-password PW]
  gongshu migrate  [--data DIR] [--db DSN]
  gongshu demo     [--data DIR] [--db DSN] [--demo-password PW]     create the demo deployment
  gongshu user add|passwd|grant|apikey ...                          manage accounts (see gongshu user -h)
  gongshu audit verify [--data DIR] [--db DSN]                      prove the audit log intact
  gongshu workday add TIME N [--data DIR | --db DSN]                print the due date N working days after TIME
  gongshu workday import FILE [--data DIR] [--db DSN]               import years of holidays and adjusted workdays
  gongshu workday show YEAR                                         list a year's special days
  gongshu dataset load|bench ...                                    load a data file into a published resource (see gongshu dataset -h)
  gongshu validate id|uscc VALUE                                    check a citizen ID number or credit code
  gongshu version

--db: empty = SQLite in the data directory; postgres://user:pass@host/db = PostgreSQL.
`

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout)
	case "demo":
		err = demoCmd(ctx, args[1:], stdout)
	case "user":
		err = userCmd(ctx, args[1:], stdout)
	case "audit":
		return auditCmd(ctx, args[1:], stdout, stderr)
	case "workday", "calendar":
		err = workdayCmd(ctx, args[1:], stdout)
	case "validate":
		return validateCmd(args[1:], stdout, stderr)
	case "dataset":
		err = datasetCmd(ctx, args[1:], stdout)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "gongshu", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if e := apperr.As(err); e != nil {
			fmt.Fprintf(stderr, "错误：%s\nerror: %s\n", e.Message, e.MessageEN)
		} else {
			fmt.Fprintln(stderr, "error:", err)
		}
		return 1
	}
	return 0
}

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	data, dsn string
	maxUpload int64
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", envOr("GONGSHU_DATA", "./gongshu-data"), "data directory (SQLite file, blobs)")
	fs.StringVar(&d.dsn, "db", os.Getenv("GONGSHU_DB"), "database DSN: empty for SQLite in the data directory, or postgres://…")
	fs.Int64Var(&d.maxUpload, "max-upload-mb", 1024, "size limit of one data file (upload, pull or push), in MB")
}

func (d *dbFlags) open(ctx context.Context, profile string) (*platform.Platform, error) {
	key, err := auditKey(d.data, true)
	if err != nil {
		return nil, err
	}
	sdb, err := db.Open(ctx, d.dsn, d.data)
	if err != nil {
		return nil, err
	}
	p, err := platform.Open(ctx, sdb, platform.Config{Profile: profile, AuditKey: key, LoadsDir: filepath.Join(d.data, "loads"),
		MaxUploadBytes: d.maxUpload << 20})
	if err != nil {
		sdb.Close()
		return nil, err
	}
	return p, nil
}

// auditKey reads the key that seals the audit chain's head: GONGSHU_AUDIT_KEY
// (hex), or the file audit-seal.key in the data directory, created on first
// use when create is set. Several nodes on one PostgreSQL share it through
// the environment.
func auditKey(dataDir string, create bool) ([]byte, error) {
	if v := os.Getenv("GONGSHU_AUDIT_KEY"); v != "" {
		k, err := hex.DecodeString(v)
		if err != nil || len(k) < 16 {
			return nil, errors.New("GONGSHU_AUDIT_KEY must be at least 16 bytes in hex")
		}
		return k, nil
	}
	path := filepath.Join(dataDir, "audit-seal.key")
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 16 {
			return nil, fmt.Errorf("%s is not a hex key of at least 16 bytes", path)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) || !create {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	k := []byte(identity.NewToken(32))
	if err := os.WriteFile(path, append(k, '\n'), 0o600); err != nil {
		return nil, err
	}
	return hex.DecodeString(string(k))
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	addr := fs.String("addr", envOr("GONGSHU_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT")
	profile := fs.String("profile", "", "policy profile: jiamusi, qingyang, zhangjiakou, yunnan, weihai (default: stored, or yunnan)")
	withDemo := fs.Bool("demo", false, "create the demo deployment (yunnan profile) if it does not exist yet")
	demoPW := fs.String("demo-password", "", "password of every demo account (generated and printed when empty)")
	overrides := fs.String("profile-overrides", "", "JSON file of deadline overrides for the active profile: [{\"process\":\"feedback\",\"step\":\"reply\",\"working_days\":7}]")
	publicURL := fs.String("public-url", os.Getenv("GONGSHU_PUBLIC_URL"), "public address of the deployment, used in the DCAT feeds (e.g. https://data.example.gov.cn)")
	secure := fs.Bool("secure-cookies", false, "always mark cookies Secure (set when TLS is terminated by a proxy)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *withDemo && *profile == "" {
		*profile = "yunnan"
	}
	p, err := d.open(ctx, *profile)
	if err != nil {
		return err
	}
	defer p.DB.Close()
	// Loads cut short by a crash or a kill restart from their stored files.
	if err := p.Datasets.Recover(ctx); err != nil {
		return fmt.Errorf("recover interrupted loads: %w", err)
	}
	defer p.Datasets.Stop() // running loads go back to the queue for the next start
	if *withDemo {
		if err := runDemo(ctx, p, *demoPW, stdout); err != nil {
			return err
		}
	}
	if *overrides != "" {
		f, err := os.Open(*overrides)
		if err != nil {
			return err
		}
		ovs, err := policy.ParseOverrides(f)
		f.Close()
		if err != nil {
			return apperr.New(apperr.Invalid, "政策配置覆盖文件无效："+err.Error(), "invalid profile overrides file: "+err.Error())
		}
		if err := p.SetOverrides(ctx, ovs); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           server.New(p, server.Options{Log: log, SecureCookies: *secure, Version: version, PublicURL: *publicURL}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	jobsCtx, cancelJobs := context.WithCancel(ctx)
	defer cancelJobs()
	go p.RunJobs(jobsCtx, time.Minute, func(msg string, kv ...any) { log.Info(msg, kv...) })
	go func() { // build the catalog search index now rather than on the first search
		if _, err := p.Catalog.Search(ctx, catalog.Query{Limit: 1}); err != nil {
			log.Error("catalog index", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "Gongshu %s serving http://%s (database: %s %s, profile: %s)\n", version, ln.Addr(), p.DB.Dialect, p.DB.Where, p.Profile().Name)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

func runDemo(ctx context.Context, p *platform.Platform, pw string, stdout io.Writer) error {
	generated := false
	if pw == "" {
		pw = identity.NewToken(6)
		generated = true
	}
	res, err := demo.Seed(ctx, p, pw)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	n, err := demo.SeedData(ctx, p)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(stdout, "Demo data loaded into %d resources (演示数据已导入).\n", n)
	}
	if !res.Created {
		fmt.Fprintln(stdout, "Demo deployment already present; accounts keep their passwords.")
		return nil
	}
	fmt.Fprintln(stdout, "Demo deployment created (profile yunnan). Accounts (演示账户):")
	for _, acc := range res.Accounts {
		fmt.Fprintf(stdout, "  %-22s %-22s %s\n", acc.Username, acc.Role, acc.Org)
	}
	if generated {
		fmt.Fprintf(stdout, "Password of every demo account: %s\n", pw)
	} else {
		fmt.Fprintln(stdout, "Password of every demo account: the one given with --demo-password.")
	}
	return nil
}

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	sdb, err := db.Open(ctx, d.dsn, d.data)
	if err != nil {
		return err
	}
	defer sdb.Close()
	applied, err := sdb.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied: %d %v\n", len(applied), applied)
	return nil
}

func demoCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	pw := fs.String("demo-password", "", "password of every demo account (generated and printed when empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := d.open(ctx, "yunnan")
	if err != nil {
		return err
	}
	defer p.DB.Close()
	return runDemo(ctx, p, *pw, stdout)
}

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: gongshu audit verify [--data DIR] [--db DSN]")
		return 2
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	sdb, err := db.Open(ctx, d.dsn, d.data)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	defer sdb.Close()
	key, err := auditKey(d.data, false)
	if err != nil {
		fmt.Fprintln(stderr, "warning: no audit seal key (audit-seal.key in the data directory or GONGSHU_AUDIT_KEY): the head seal is not checked")
	}
	p, err := platform.Open(ctx, sdb, platform.Config{AuditKey: key})
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	res, err := p.Audit.Verify(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	if res.Problem != nil {
		fmt.Fprintf(stderr, "审计日志已被篡改 / AUDIT LOG TAMPERED: %s (verified %d records before it)\n", res.Problem.Error(), res.Records)
		return 1
	}
	fmt.Fprintf(stdout, "audit log intact: %d records, head %s (SM3 chain)\n", res.Records, res.Head)
	return 0
}

func workdayCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return apperr.New(apperr.Invalid, "用法：gongshu workday add TIME N | import FILE | show YEAR", "usage: gongshu workday add TIME N | import FILE | show YEAR")
	}
	fs := flag.NewFlagSet("workday", flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	// Positional arguments may come before or after the flags.
	var pos []string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	dataGiven := false
	fs.Visit(func(f *flag.Flag) { dataGiven = dataGiven || f.Name == "data" || f.Name == "db" })
	calendar := func() (*workday.Calendar, error) {
		// Without --data/--db, use the database only if the default data directory exists.
		if !dataGiven && d.dsn == "" {
			if _, err := os.Stat(d.data + "/gongshu.db"); err != nil {
				return workday.Builtin()
			}
		}
		p, err := d.open(ctx, "")
		if err != nil {
			return nil, err
		}
		defer p.DB.Close()
		return p.Calendar(), nil
	}
	switch args[0] {
	case "add":
		if len(pos) != 2 {
			return apperr.New(apperr.Invalid, "用法：gongshu workday add TIME N（TIME 为日期 2025-09-30 或 RFC 3339 时间）", "usage: gongshu workday add TIME N (TIME is a date 2025-09-30 or an RFC 3339 time)")
		}
		from, err := api.ParseReceived(pos[0])
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(pos[1])
		if err != nil || n < 1 {
			return apperr.Newf(apperr.Invalid, "N 应为正整数，实际为 %q", "N must be a positive whole number, got %q", pos[1])
		}
		cal, err := calendar()
		if err != nil {
			return err
		}
		due, err := cal.AddWorkdays(from, n)
		if err != nil {
			return apperr.New(apperr.Invalid, "无法计算期限："+err.Error(), "cannot compute the deadline: "+err.Error())
		}
		recv := from.In(workday.Location)
		fmt.Fprintln(stdout, due.Date)
		fmt.Fprintf(os.Stderr, "received %s (%s, Beijing) + %d working days = %s, due by %s (day of receipt not counted, 民法典第二百零一条)\n",
			recv.Format("2006-01-02"), recv.Weekday(), n, due.Date, due.End.In(workday.Location).Format(time.RFC3339))
		return nil
	case "import":
		if len(pos) != 1 {
			return apperr.New(apperr.Invalid, "用法：gongshu workday import FILE", "usage: gongshu workday import FILE")
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		file, err := workday.ParseFile(f)
		if err != nil {
			return apperr.New(apperr.Invalid, "日历文件无效："+err.Error(), "invalid calendar file: "+err.Error())
		}
		p, err := d.open(ctx, "")
		if err != nil {
			return err
		}
		defer p.DB.Close()
		years, err := p.ImportCalendar(ctx, file)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported years %v; calendar now covers %v\n", years, p.Calendar().Years())
		return nil
	case "show":
		if len(pos) != 1 {
			return apperr.New(apperr.Invalid, "用法：gongshu workday show YEAR", "usage: gongshu workday show YEAR")
		}
		y, err := strconv.Atoi(pos[0])
		cal, cerr := calendar()
		if cerr != nil {
			return cerr
		}
		if err != nil || !cal.Covers(y) {
			return apperr.Newf(apperr.Invalid, "日历不包含 %s 年，已有：%v", "the calendar does not cover %s; it has %v", pos[0], cal.Years())
		}
		yd := cal.YearData(y)
		fmt.Fprintf(stdout, "%d %s\n", y, yd.Notice)
		for _, day := range cal.SpecialDays(y) {
			fmt.Fprintf(stdout, "%s %-8s %s\n", day.Date, day.Kind, day.Name)
		}
		return nil
	}
	return apperr.Newf(apperr.Invalid, "未知的 workday 子命令 %q", "unknown workday subcommand %q", args[0])
}

func validateCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || (args[0] != "id" && args[0] != "uscc") {
		fmt.Fprintln(stderr, "usage: gongshu validate id|uscc VALUE")
		return 2
	}
	var err error
	if args[0] == "id" {
		err = idcode.ValidateCitizenID(args[1])
	} else {
		err = idcode.ValidateUSCC(args[1])
	}
	if err != nil {
		var e *idcode.Error
		if errors.As(err, &e) {
			fmt.Fprintf(stderr, "invalid (%s): %s\n无效：%s\n", e.Code, e.MessageEN, e.Message)
		} else {
			fmt.Fprintln(stderr, "invalid:", err)
		}
		return 1
	}
	fmt.Fprintln(stdout, "valid")
	return 0
}

func userCmd(ctx context.Context, args []string, stdout io.Writer) error {
	const help = "usage:\n  gongshu user add --username U --name NAME --password PW [--kind staff|person|organization] [--id-number N] [--uscc C]\n" +
		"  gongshu user passwd --username U --password PW\n  gongshu user grant --username U --org ORG-NAME-OR-ID --role ROLE\n" +
		"  gongshu user apikey --username U --name CLIENT-NAME"
	if len(args) == 0 {
		return apperr.New(apperr.Invalid, help, help)
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	username := fs.String("username", "", "username")
	name := fs.String("name", "", "display name (add) or API client name (apikey)")
	pw := fs.String("password", "", "password (at least 8 characters)")
	kind := fs.String("kind", "staff", "staff, person or organization")
	idn := fs.String("id-number", "", "citizen ID number (person)")
	uscc := fs.String("uscc", "", "unified social credit code (organization)")
	org := fs.String("org", "", "organization name or id (grant)")
	role := fs.String("role", "", "role (grant): authority_admin, authority_reviewer, institution_admin, data_officer, institution_reviewer, auditor, operator_admin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	p, err := d.open(ctx, "")
	if err != nil {
		return err
	}
	defer p.DB.Close()
	switch args[0] {
	case "add":
		in := identity.NewUser{Username: *username, DisplayName: *name, Kind: identity.UserKind(*kind), IDNumber: *idn, USCC: *uscc, Password: *pw}
		var u *identity.User
		if in.Kind == identity.KindStaff {
			u, err = p.Identity.CreateStaff(ctx, in)
		} else {
			u, err = p.Identity.Register(ctx, in)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created %s (%s) %s\n", u.Username, u.Kind, u.ID)
	case "passwd":
		u, err := p.Identity.UserByUsername(ctx, *username)
		if err != nil {
			return err
		}
		if err := p.Identity.SetPassword(ctx, u.ID, *pw); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "password changed; the user's sessions were ended")
	case "grant":
		u, err := p.Identity.UserByUsername(ctx, *username)
		if err != nil {
			return err
		}
		orgID := *org
		orgs, err := p.Identity.ListOrgs(ctx, identity.OrgFilter{})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Name == *org {
				orgID = o.ID
			}
		}
		if err := p.Identity.Grant(ctx, u.ID, orgID, identity.Role(*role)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "granted %s to %s in %s\n", *role, u.Username, orgID)
	case "apikey":
		u, err := p.Identity.UserByUsername(ctx, *username)
		if err != nil {
			return err
		}
		c, err := p.Identity.CreateAPIClient(ctx, u.ID, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API key for %s (shown once): Authorization: Bearer %s.%s\n", u.Username, c.Key, c.Secret)
	default:
		return apperr.New(apperr.Invalid, help, help)
	}
	return nil
}
