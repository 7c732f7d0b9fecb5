package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"gongshu/internal/access"
	"gongshu/internal/apperr"
	"gongshu/internal/caseflow"
	"gongshu/internal/catalog"
	"gongshu/internal/dataset"
	"gongshu/internal/demo"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
)

// datasetCmd: gongshu dataset load | bench.
func datasetCmd(ctx context.Context, args []string, stdout io.Writer) error {
	const help = "usage:\n  gongshu dataset load --resource CODE-OR-ID --file FILE --as USERNAME [--mode replace|append|upsert] [--format csv|xlsx|json]\n" +
		"  gongshu dataset bench --file FILE [--db DSN]   load a benchmark file (bench/load) into a fresh resource and print JSON timings\n" +
		"  gongshu dataset recover [--db DSN]             restart the loads a crash interrupted and wait for them"
	if len(args) == 0 {
		return apperr.New(apperr.Invalid, help, help)
	}
	fs := flag.NewFlagSet("dataset "+args[0], flag.ContinueOnError)
	var d dbFlags
	d.register(fs)
	resource := fs.String("resource", "", "resource code (e.g. 10201001/000001) or id")
	file := fs.String("file", "", "data file")
	as := fs.String("as", "", "username of the data officer who loads")
	mode := fs.String("mode", dataset.ModeReplace, "replace, append or upsert")
	format := fs.String("format", "", "csv, xlsx or json (default: from the file)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	p, err := d.open(ctx, "")
	if err != nil {
		return err
	}
	defer p.DB.Close()
	switch args[0] {
	case "load":
		u, err := p.Identity.UserByUsername(ctx, *as)
		if err != nil {
			return apperr.New(apperr.Invalid, "请用 --as 指定执行导入的数据专员用户名", "name the loading data officer with --as")
		}
		a, err := p.Identity.ActorFor(ctx, u.ID)
		if err != nil {
			return err
		}
		ctx = identity.WithActor(ctx, a)
		id := *resource
		var byCode string
		if p.DB.QueryRowContext(ctx, `SELECT id FROM resources WHERE code = $1`, id).Scan(&byCode) == nil {
			id = byCode
		}
		l, err := loadFile(ctx, p, id, *file, dataset.Options{Mode: *mode, Format: *format})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "load %s: %s — %s\n", l.ID, l.Status, l.Message)
		if l.Status != dataset.StatusCommitted {
			return apperr.New(apperr.Invalid, l.Message, l.MessageEN)
		}
		return nil
	case "bench":
		return benchLoad(ctx, p, *file, stdout)
	case "recover":
		// Finish the loads a crash or kill interrupted, without serving.
		if err := p.Datasets.Recover(ctx); err != nil {
			return err
		}
		p.Datasets.Wait()
		fmt.Fprintln(stdout, "interrupted loads recovered")
		return nil
	}
	return apperr.New(apperr.Invalid, help, help)
}

func loadFile(ctx context.Context, p *platform.Platform, id, path string, opt dataset.Options) (*dataset.Load, error) {
	l, err := p.Datasets.UploadFile(ctx, id, path, opt)
	if err != nil {
		return nil, err
	}
	return p.Datasets.WaitLoad(ctx, l.ID)
}

// benchItems match the header written by bench/load/gen.
var benchItems = []catalog.Item{
	{Name: "公民身份号码", DataType: "string", Length: 18, IDKind: catalog.IDCitizen, Required: true, PI: catalog.PISensitive},
	{Name: "姓名", DataType: "string", Length: 50, PI: catalog.PIPersonal},
	{Name: "统一社会信用代码", DataType: "string", Length: 18, IDKind: catalog.IDUSCC},
	{Name: "单位名称", DataType: "string", Length: 200},
	{Name: "性别", DataType: "string", Enum: []string{"男", "女"}},
	{Name: "出生日期", DataType: "date"},
	{Name: "登记日期", DataType: "date"},
	{Name: "地址", DataType: "string", Length: 200, PI: catalog.PIPersonal},
	{Name: "联系电话", DataType: "string", Length: 20, PI: catalog.PIPersonal},
	{Name: "月收入", DataType: "decimal", Length: 12},
	{Name: "参保月数", DataType: "integer", Length: 4},
	{Name: "状态", DataType: "string", Enum: []string{"正常", "暂停", "终止"}},
}

// benchLoad creates the demo organizations if needed, publishes a fresh
// resource with the benchmark's twelve items and loads the file end to end:
// from the first byte read until the rows are committed and queryable.
func benchLoad(ctx context.Context, p *platform.Platform, path string, stdout io.Writer) error {
	if _, err := p.Identity.UserByUsername(ctx, "data.officer"); err != nil {
		if _, err := demo.Seed(ctx, p, identity.NewToken(8)); err != nil {
			return err
		}
	}
	actor := func(name string) context.Context {
		u, err := p.Identity.UserByUsername(ctx, name)
		if err != nil {
			panic(err)
		}
		a, err := p.Identity.ActorFor(ctx, u.ID)
		if err != nil {
			panic(err)
		}
		return identity.WithActor(ctx, a)
	}
	officer := actor("data.officer")
	var org string
	if err := p.DB.QueryRowContext(ctx, `SELECT id FROM organizations WHERE name = $1`, "昆明市市场监督管理局").Scan(&org); err != nil {
		return err
	}
	e := catalog.Entry{Name: "基准测试参保人员信息 " + time.Now().Format("150405"), Summary: "用于导入性能基准测试的合成参保人员数据，十二个数据项，含公民身份号码和统一社会信用代码。",
		Library: catalog.LibraryThematic, Themes: []string{"社会保障"}, DataForm: "table", Formats: []string{"csv"}, UpdateFrequency: "monthly",
		Level: catalog.LevelImportant, PI: catalog.PISensitive, ShareType: catalog.ShareConditional, ShareConditions: "仅用于基准测试",
		LegalBasis: "基准测试", OpenType: catalog.OpenNone, OpenConditions: "含个人信息，不予开放", Items: benchItems}
	r, err := p.Catalog.Create(officer, org, e)
	if err != nil {
		return err
	}
	c, err := p.Catalog.Submit(officer, r.ID)
	if err != nil {
		return err
	}
	if _, err := p.Cases.Decide(actor("authority.reviewer"), c.ID, caseflow.Decision{Action: caseflow.ActApprove, Comment: "基准测试"}); err != nil {
		return err
	}
	if path := os.Getenv("GONGSHU_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	l, err := loadFile(officer, p, r.ID, path, dataset.Options{})
	if err != nil {
		return err
	}
	// Queryable: count and read one row through the door.
	var rows int64
	_, total, err := p.Door.Read(officer, access.Request{ResourceID: r.ID, Purpose: access.ProviderView, Limit: 1}, func([]string) error { rows++; return nil })
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	out := map[string]any{"rows": l.RowsLoaded, "rejected": l.RowsRejected, "status": l.Status, "seconds": round(secs),
		"rows_per_sec": int64(float64(l.RowsRead) / secs), "queryable_rows": total, "engine": string(p.DB.Dialect), "resource_id": r.ID, "load_id": l.ID}
	b, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(b))
	if l.Status != dataset.StatusCommitted {
		return apperr.New(apperr.Invalid, l.Message, l.MessageEN)
	}
	return nil
}

func round(f float64) float64 { return float64(int64(f*100)) / 100 }
