package dataset

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
)

// System headers: the record's source and where and when it was collected (WH§10, YN§20).
var systemHeaders = map[string]string{
	"数据来源": "_source", "来源": "_source", "source": "_source",
	"采集时间": "_collected_at", "collected_at": "_collected_at",
	"采集地点": "_collected_where", "collected_where": "_collected_where",
}

// plan maps a source's header to the dataset's items.
type plan struct {
	items   []catalog.Item
	cols    []Column
	src     []int // source index per item, -1 when the file lacks it
	sys     [3]int
	keys    []int // item indexes of the key
	width   int
	mapping map[string]string // headers that differ from item names
}

func normHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '\u3000' || r == '\t':
			return -1
		case r >= '！' && r <= '～': // full-width ASCII
			return r - 0xFEE0
		}
		return r
	}, h)
	return strings.ToLower(h)
}

func buildPlan(header []string, e *catalog.Entry, d *Dataset, given map[string]string) (*plan, error) {
	p := &plan{width: len(header), mapping: map[string]string{}, sys: [3]int{-1, -1, -1}}
	colOf := map[string]Column{}
	for _, c := range d.Columns {
		colOf[c.Item] = c
	}
	itemIdx := map[string]int{}
	byNorm := map[string]string{}
	for _, it := range e.Items {
		c, ok := colOf[it.Name]
		if !ok {
			continue
		}
		itemIdx[it.Name] = len(p.items)
		p.items = append(p.items, it)
		p.cols = append(p.cols, c)
		p.src = append(p.src, -1)
		if it.Key {
			p.keys = append(p.keys, len(p.items)-1)
		}
		byNorm[normHeader(it.Name)] = it.Name
	}
	seenAt := map[string]int{}
	var unknown []string
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			return nil, apperr.Newf(apperr.Invalid, "第 %d 列没有表头：请填写该列对应的数据项名称，或删除空列", "column %d has no header: name its data item, or delete the empty column", i+1)
		}
		if j, dup := seenAt[h]; dup {
			return nil, apperr.Newf(apperr.Invalid, "表头“%s”出现了两次（第 %d 列和第 %d 列）：请删除或改名其中一列", "header %q appears twice (columns %d and %d): delete or rename one", h, j+1, i+1)
		}
		seenAt[h] = i
		target, ok := given[h]
		if !ok {
			target, ok = d.Mapping[h]
		}
		if !ok {
			if _, exact := itemIdx[h]; exact {
				target, ok = h, true
			} else if name, norm := byNorm[normHeader(h)]; norm {
				target, ok = name, true
			} else if sys, isSys := systemHeaders[normHeader(h)]; isSys {
				target, ok = sys, true
			}
		}
		if !ok {
			unknown = append(unknown, h)
			continue
		}
		if target != h {
			p.mapping[h] = target
		}
		switch target {
		case "-", "忽略":
			continue
		case "_source":
			p.sys[0] = i
			continue
		case "_collected_at":
			p.sys[1] = i
			continue
		case "_collected_where":
			p.sys[2] = i
			continue
		}
		k, ok := itemIdx[target]
		if !ok {
			return nil, apperr.Newf(apperr.Invalid, "列对应把表头“%s”对应到“%s”，但目录中没有这个数据项", "the mapping sends header %q to %q, which is not a data item of the catalog entry", h, target).WithField("mapping")
		}
		if p.src[k] >= 0 {
			return nil, apperr.Newf(apperr.Invalid, "表头“%s”和“%s”都对应数据项“%s”：每个数据项只能来自一列", "headers %q and %q both map to item %q: one column per item", header[p.src[k]], h, target).WithField("mapping")
		}
		p.src[k] = i
	}
	if len(unknown) > 0 {
		names := make([]string, len(p.items))
		for i, it := range p.items {
			names[i] = it.Name
		}
		return nil, apperr.Newf(apperr.Invalid, "表头%s不对应目录中的任何数据项。请改成数据项名称（%s），或在“列对应”中写明，如“%s=数据项名称”；不需要的列写“%s=-”忽略",
			"headers %s match no data item of the catalog entry. Rename them to item names (%s), or map them, e.g. \"%s=item name\"; map an unwanted column to \"-\" to ignore it (\"%s=-\")",
			quoteList(unknown), strings.Join(names, "、"), unknown[0], unknown[0]).WithField("mapping")
	}
	var missing []string
	for i, it := range p.items {
		if p.src[i] < 0 && (it.Required || it.Key) {
			missing = append(missing, it.Name)
		}
	}
	if len(missing) > 0 {
		return nil, apperr.Newf(apperr.Invalid, "缺少必填数据项的列：%s", "columns of required items are missing: %s", strings.Join(missing, "、")).WithField("mapping")
	}
	if e.CollectionRecorded && (p.sys[1] < 0 || p.sys[2] < 0) {
		return nil, apperr.New(apperr.Invalid, "该资源要求每条记录注明采集时间和采集地点：请加上“采集时间”“采集地点”两列（WH§10）",
			"this resource requires each record's collection time and place: add the columns 采集时间 and 采集地点 (WH§10)").WithArticle("WH§10").WithField("mapping")
	}
	return p, nil
}

func quoteList(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = "“" + s + "”"
	}
	return strings.Join(q, "、")
}

// rowError is one rejected value (or row).
type rowError struct {
	Line   int64  `json:"line"`
	Item   string `json:"item,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
	EN     string `json:"reason_en"`
}

// staged is a validated row ready to write: system values then columns.
type batch struct {
	rows     [][]any
	errs     []rowError
	read     int64
	rejected int64
}

const batchRows = 10000

// Run executes a queued load to its end. Every outcome is recorded on the load.
func (s *Service) Run(ctx context.Context, id string) {
	l, err := scanLoad(s.DB.QueryRowContext(context.WithoutCancel(ctx), `SELECT `+loadColumns+` FROM dataset_loads WHERE id = $1`, id))
	if err != nil || l.Status != StatusQueued {
		return
	}
	if s.stopping.Load() {
		return // shutting down: it stays queued for the next start
	}
	if ctx.Err() != nil || l.Cancel { // cancelled before it started
		s.finish(ctx, l, StatusCancelled, "已取消：本批次数据均未入库", "cancelled: nothing of this load was stored", nil)
		return
	}
	if err := s.run(ctx, l); err != nil {
		if s.stopping.Load() && !l.Cancel && !s.cancelRequested(context.WithoutCancel(ctx), l.ID) && l.filePath != "" {
			// The process is shutting down: put the load back in the queue
			// with its file, for the next start to run again.
			ctx := context.WithoutCancel(ctx)
			s.unstage(ctx, l)
			s.DB.ExecContext(ctx, `UPDATE dataset_loads SET status = $1, rows_read = 0, rows_loaded = 0, rows_rejected = 0 WHERE id = $2`, StatusQueued, l.ID)
			s.DB.ExecContext(ctx, `DELETE FROM dataset_load_errors WHERE load_id = $1`, l.ID)
			return
		}
		status, zh, en := StatusFailed, "导入失败："+err.Error(), "load failed: "+err.Error()
		if ae := apperr.As(err); ae != nil {
			status, zh, en = StatusRefused, ae.Message, ae.MessageEN
		}
		if ctx.Err() != nil || errors.Is(err, errCancelled) {
			status, zh, en = StatusCancelled, "已取消：本批次数据均未入库", "cancelled: nothing of this load was stored"
		}
		s.unstage(context.WithoutCancel(ctx), l)
		s.finish(ctx, l, status, zh, en, nil)
	}
}

var errCancelled = errors.New("cancelled")

// acquire takes the dataset for the load (one load at a time per resource)
// and clears anything an earlier crash left above the committed revision.
func (s *Service) acquire(ctx context.Context, l *Load) (*Dataset, error) {
	for {
		var d *Dataset
		busy := false
		err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			if d, err = s.get(ctx, tx, l.ResourceID, true); err != nil {
				return err
			}
			if d.LoadingID != "" && d.LoadingID != l.ID {
				var st string
				var hb sql.NullTime
				err := tx.QueryRowContext(ctx, `SELECT status, heartbeat_at FROM dataset_loads WHERE id = $1`, d.LoadingID).Scan(&st, &hb)
				stale := err != nil || st != StatusRunning || (hb.Valid && s.now().Sub(hb.Time) > 2*time.Minute)
				if !stale {
					busy = true
					return nil
				}
			}
			if d.LoadingID != "" { // a crashed or abandoned load may have left rows, and no indexes
				if err := s.clearStaged(ctx, tx, d); err != nil {
					return err
				}
				if r, err := s.Catalog.Published(ctx, l.ResourceID); err == nil {
					if err := s.ensureIndexes(ctx, tx, d, &r.Entry); err != nil {
						return err
					}
				}
			}
			now := s.now()
			if _, err := tx.ExecContext(ctx, `UPDATE datasets SET loading_id = $1 WHERE resource_id = $2`, l.ID, l.ResourceID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE dataset_loads SET status = $1, seq = $2, started_at = $3, heartbeat_at = $3 WHERE id = $4`,
				StatusRunning, d.Seq+1, now, l.ID)
			return err
		})
		if err != nil {
			return nil, err
		}
		if !busy {
			l.Revision, l.Status = d.Seq+1, StatusRunning
			return d, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *Service) run(ctx context.Context, l *Load) error {
	r, err := s.Catalog.Published(ctx, l.ResourceID)
	if err != nil {
		return err
	}
	d, err := s.acquire(ctx, l)
	if err != nil {
		return err
	}
	var src source
	if l.Kind == KindPush {
		src = s.takePush(l.ID)
		if src == nil {
			return apperr.New(apperr.Invalid, "推送的数据已不在内存中（进程重启）：请重新推送", "the pushed rows are gone (the process restarted): push them again")
		}
	} else if src, err = openSource(l.filePath, l.Format, 4*s.maxFile()); err != nil {
		return err
	}
	defer src.Close()
	given := l.Mapping
	p, err := buildPlan(src.Header(), &r.Entry, d, given)
	if err != nil {
		return err
	}
	// A first load into an empty table builds its indexes at the end.
	var held int
	if err := s.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT 1) x`, d.Table)).Scan(&held); err != nil {
		return err
	}
	bulk := held == 0
	if bulk {
		if err := s.dropIndexes(ctx, d, &r.Entry); err != nil {
			return err
		}
		defer s.ensureIndexes(context.WithoutCancel(ctx), s.DB, d, &r.Entry) // also when the load fails
	}
	if l.Mode == ModeUpsert && len(p.keys) == 0 {
		return apperr.New(apperr.Invalid, "目录没有为该资源指定主键数据项，不能按主键更新：请使用全量替换或追加，或在目录中标记主键", "the catalog entry has no key items, so upsert is impossible: use replace or append, or mark key items in the catalog").WithField("mode")
	}
	// PostgreSQL takes batches on two connections at once (its backends
	// run in parallel); SQLite has one writer.
	nw := 1
	if s.DB.Dialect == db.Postgres {
		nw = 2
	}
	pool, err := s.writerPool(ctx, d, p, nw)
	if err != nil {
		return err
	}
	defer pool.close()
	q := newQualityCounter(p)
	stored := 0
	// Three stages run side by side: parsing, validating (two workers) and
	// the database writes, so that both cores work. Row ids are assigned
	// while parsing (the revision in the high 32 bits, the row's ordinal
	// below), so batches may be validated and written in any order.
	type item struct {
		b   *batch
		err error
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	raws := make(chan rawItem, 2)
	go func() {
		defer close(raws)
		var ordinal int64
		for {
			rb, err := readRaw(src, &ordinal)
			select {
			case raws <- rawItem{rb, err}:
			case <-rctx.Done():
				return
			}
			if err != nil || len(rb.rows) < batchRows {
				return
			}
		}
	}()
	queue := make(chan item, 2)
	var vwg sync.WaitGroup
	for range 2 {
		vwg.Add(1)
		go func() {
			defer vwg.Done()
			for ri := range raws {
				if ri.err != nil {
					select {
					case queue <- item{err: ri.err}:
					case <-rctx.Done():
					}
					return
				}
				b := s.validate(ri.rb, p, l.Revision, q)
				select {
				case queue <- item{b: b}:
				case <-rctx.Done():
					return
				}
			}
		}()
	}
	go func() { vwg.Wait(); close(queue) }()
	for it := range queue {
		if it.err != nil {
			return it.err
		}
		b := it.b
		if stored < MaxStoredErrors && len(b.errs) > 0 {
			if len(b.errs) > MaxStoredErrors-stored {
				b.errs = b.errs[:MaxStoredErrors-stored]
			}
		} else {
			b.errs = nil
		}
		l.RowsRead += b.read
		l.RowsRejected += b.rejected
		l.RowsLoaded += int64(len(b.rows))
		if err := pool.write(ctx, b, *l, stored); err != nil {
			if ctx.Err() != nil {
				return errCancelled
			}
			return err
		}
		stored += len(b.errs)
		if ctx.Err() != nil || s.cancelRequested(ctx, l.ID) {
			return errCancelled
		}
	}
	stop()
	if err := pool.close(); err != nil {
		if ctx.Err() != nil {
			return errCancelled
		}
		return err
	}
	if l.RowsRead == 0 {
		return apperr.New(apperr.Invalid, "文件只有表头，没有数据行", "the file has a header but no rows")
	}
	trace("staged", l.RowsLoaded)
	if bulk {
		if err := s.buildIndexes(ctx, d, &r.Entry); err != nil {
			return err
		}
		trace("indexes built", 0)
	}
	if err := s.complete(ctx, l, r, d, p, q, stored, src); err != nil {
		return err
	}
	trace("committed", 0)
	if l.filePath != "" {
		os.Remove(l.filePath) // the rows are held now; the load keeps the file's name and SHA-256
	}
	s.afterCommit(context.WithoutCancel(ctx), l.ID)
	trace("cross-checked", 0)
	return nil
}

var traceStart = time.Now()

// trace prints load phases when GONGSHU_LOAD_TRACE is set (benchmarks).
func trace(phase string, n int64) {
	if os.Getenv("GONGSHU_LOAD_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "%8.2fs %s %d\n", time.Since(traceStart).Seconds(), phase, n)
	}
}

// afterCommit compares a committed load with the other sources of its
// elements (C5) and records the consistency in its quality report. A
// failure here does not undo the load; it is logged on the load.
func (s *Service) afterCommit(ctx context.Context, id string) {
	l, err := scanLoad(s.DB.QueryRowContext(ctx, `SELECT `+loadColumns+` FROM dataset_loads WHERE id = $1`, id))
	if err != nil || l.Status != StatusCommitted || l.Quality == nil {
		return
	}
	consistency, found, err := s.CrossCheck(ctx, l.ResourceID)
	if err != nil {
		s.DB.ExecContext(ctx, `UPDATE dataset_loads SET message_en = message_en || $1 WHERE id = $2`, "; cross-source check failed: "+err.Error(), id)
		return
	}
	l.Quality.Consistency = consistency
	l.Quality.Conflicts = len(found)
	l.Quality.rescore()
	qb, _ := json.Marshal(l.Quality)
	s.DB.ExecContext(ctx, `UPDATE dataset_loads SET quality = $1, score = $2 WHERE id = $3`, string(qb), l.Quality.Score, id)
}

func (s *Service) cancelRequested(ctx context.Context, id string) bool {
	var c int
	s.DB.QueryRowContext(ctx, `SELECT cancel_requested FROM dataset_loads WHERE id = $1`, id).Scan(&c)
	return c != 0
}

// rawBatch is up to batchRows parsed rows with their lines and row ids.
type rawBatch struct {
	rows  [][]string
	lines []int64
	ids   []int64
}

type rawItem struct {
	rb  *rawBatch
	err error
}

// readRaw parses up to batchRows rows, skipping blank lines.
func readRaw(src source, ordinal *int64) (*rawBatch, error) {
	rb := &rawBatch{rows: make([][]string, 0, batchRows), lines: make([]int64, 0, batchRows), ids: make([]int64, 0, batchRows)}
	for len(rb.rows) < batchRows {
		row, line, err := src.Next()
		if errors.Is(err, io.EOF) {
			return rb, nil
		}
		if err != nil {
			return nil, err
		}
		if len(row) == 0 {
			continue // blank line
		}
		*ordinal++
		rb.rows = append(rb.rows, append([]string(nil), row...))
		rb.lines = append(rb.lines, line)
		rb.ids = append(rb.ids, *ordinal)
	}
	return rb, nil
}

// validate checks a parsed batch against the plan.
func (s *Service) validate(rb *rawBatch, p *plan, rev int, total *qualityCounter) *batch {
	b := &batch{rows: make([][]any, 0, len(rb.rows))}
	q := newQualityCounter(p)
	defer total.merge(q)
	keyParts := make([]string, len(p.keys))
	for n, row := range rb.rows {
		line := rb.lines[n]
		b.read++
		if len(row) != p.width {
			b.rejected++
			q.rejectRow()
			b.errs = append(b.errs, rowError{Line: line, Reason: fmt.Sprintf("该行有 %d 列，表头有 %d 列：请检查是否缺少或多出分隔符", len(row), p.width),
				EN: fmt.Sprintf("the row has %d columns, the header %d: check for missing or extra separators", len(row), p.width)})
			continue
		}
		out := make([]any, nsys+len(p.items))
		bad := false
		for i := range p.items {
			raw := ""
			if p.src[i] >= 0 {
				raw = row[p.src[i]]
			}
			v, prob := convert(&p.items[i], raw)
			q.cell(i, raw != "", prob != nil)
			if prob == nil {
				q.sample(i, raw)
			}
			if prob != nil {
				bad = true
				b.errs = append(b.errs, rowError{Line: line, Item: p.items[i].Name, Value: clip(raw), Reason: prob.zh, EN: prob.en})
				continue
			}
			if bv, ok := v.(bool); ok && s.DB.Dialect == db.SQLite {
				v = strconv.FormatBool(bv)
			}
			out[nsys+i] = v
		}
		for k, at := range []int{p.sys[0], p.sys[1], p.sys[2]} {
			if at < 0 {
				continue
			}
			raw := strings.TrimSpace(row[at])
			if raw == "" {
				continue
			}
			switch k {
			case 1:
				t, ok := parseDateTime(raw)
				if !ok {
					if dt, ok2 := parseDate(raw); ok2 {
						t, ok = dt, true
					}
				}
				if !ok {
					bad = true
					b.errs = append(b.errs, rowError{Line: line, Item: "采集时间", Value: clip(raw), Reason: "采集时间格式应为 YYYY-MM-DD HH:MM:SS", EN: "collection time must be YYYY-MM-DD HH:MM:SS"})
					continue
				}
				out[sysSource+k] = t.Format("2006-01-02 15:04:05")
			default:
				if utf8.RuneCountInString(raw) > 200 {
					bad = true
					b.errs = append(b.errs, rowError{Line: line, Item: []string{"数据来源", "", "采集地点"}[k], Value: clip(raw), Reason: "长度超过 200 个字符", EN: "longer than 200 characters"})
					continue
				}
				out[sysSource+k] = raw
			}
		}
		if p.sys[1] >= 0 && p.sys[2] >= 0 && (out[sysSource+1] == nil || out[sysSource+2] == nil) {
			bad = true
			b.errs = append(b.errs, rowError{Line: line, Item: "采集时间/采集地点", Reason: "记录须注明采集时间和采集地点（WH§10）", EN: "the record must state its collection time and place (WH§10)"})
		}
		if bad {
			b.rejected++
			q.rejectRow()
			continue
		}
		out[0], out[1], out[2] = int64(rev)<<32|rb.ids[n], rev, line
		if len(p.keys) > 0 {
			for j, k := range p.keys {
				keyParts[j] = fmt.Sprint(out[nsys+k])
			}
			out[sysKey] = strings.Join(keyParts, "\x1f")
		}
		b.rows = append(b.rows, out)
	}
	return b
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 100 {
		return string([]rune(s)[:100]) + "…"
	}
	return s
}

// complete rejects duplicate keys, closes replaced rows, applies the
// resource's reject limit and commits — or refuses the whole load.
func (s *Service) complete(ctx context.Context, l *Load, r *catalog.Resource, d *Dataset, p *plan, q *qualityCounter, stored int, src source) error {
	t := d.Table
	rev := l.Revision
	var dupErrs []rowError
	if len(p.keys) > 0 {
		dupSQL := fmt.Sprintf(`FROM %s a WHERE a._opened = $1 AND a._key IS NOT NULL AND EXISTS (SELECT 1 FROM %s b WHERE b._opened = $1 AND b._key = a._key AND b._row < a._row)`, t, t)
		first := fmt.Sprintf(`(SELECT MIN(b._line) FROM %s b WHERE b._opened = $1 AND b._key = a._key)`, t)
		rows, err := s.DB.QueryContext(ctx, `SELECT a._line, a._key, `+first+` `+dupSQL+` ORDER BY a._line LIMIT 10000`, rev)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e rowError
			var firstLine int64
			if err := rows.Scan(&e.Line, &e.Value, &firstLine); err != nil {
				rows.Close()
				return err
			}
			e.Value = strings.ReplaceAll(e.Value, "\x1f", " / ")
			e.Item = keyNames(p)
			e.Reason, e.EN = fmt.Sprintf("主键重复：与第 %d 行相同", firstLine), fmt.Sprintf("duplicate key: the same as line %d", firstLine)
			dupErrs = append(dupErrs, e)
		}
		rows.Close()
		if l.Mode == ModeAppend {
			held := fmt.Sprintf(`FROM %s a WHERE a._opened = $1 AND EXISTS (SELECT 1 FROM %s b WHERE b._key = a._key AND b._opened <= $2 AND (b._closed IS NULL OR b._closed > $2))`, t, t)
			rows, err := s.DB.QueryContext(ctx, `SELECT a._line, a._key `+held+` ORDER BY a._line LIMIT 10000`, rev, d.Seq)
			if err != nil {
				return err
			}
			for rows.Next() {
				var e rowError
				if err := rows.Scan(&e.Line, &e.Value); err != nil {
					rows.Close()
					return err
				}
				e.Value = strings.ReplaceAll(e.Value, "\x1f", " / ")
				e.Item = keyNames(p)
				e.Reason, e.EN = "主键与已有记录重复：追加方式不覆盖已有记录，请改用“按主键更新”", "the key is already held: append does not overwrite records; use upsert"
				dupErrs = append(dupErrs, e)
			}
			rows.Close()
			if err := s.rejectStaged(ctx, l, q, `DELETE FROM `+t+` WHERE _row IN (SELECT a._row `+held+`)`, rev, d.Seq); err != nil {
				return err
			}
		}
		if err := s.rejectStaged(ctx, l, q, `DELETE FROM `+t+` WHERE _row IN (SELECT a._row `+dupSQL+`)`, rev); err != nil {
			return err
		}
	}
	// The reject limit (per mille of rows read) decides whether bad rows refuse the load whole.
	limit := d.RejectLimit
	refuse := l.RowsLoaded == 0 || l.RowsRejected*1000 > int64(limit)*l.RowsRead
	qual := q.report(l, 1, s.timeliness(r, d))
	if refuse {
		if len(dupErrs) > 0 {
			s.storeErrors(ctx, l.ID, stored, dupErrs)
		}
		s.unstage(context.WithoutCancel(ctx), l)
		pct := float64(l.RowsRejected) * 100 / float64(max(l.RowsRead, 1))
		s.finish(ctx, l, StatusRefused,
			fmt.Sprintf("共 %d 行，其中 %d 行（%.1f%%）未通过校验，超过本资源允许的 %.1f%%：整批未入库。请下载错误报告修正后重新提交", l.RowsRead, l.RowsRejected, pct, float64(limit)/10),
			fmt.Sprintf("%d of %d rows (%.1f%%) failed validation, over this resource's limit of %.1f%%: nothing was stored. Download the error report, fix the rows and submit again", l.RowsRejected, l.RowsRead, pct, float64(limit)/10),
			qual)
		return nil
	}
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if len(dupErrs) > 0 {
			if err := insertErrors(ctx, tx, l.ID, stored, dupErrs); err != nil {
				return err
			}
		}
		var closed int64
		switch l.Mode {
		case ModeReplace:
			res, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET _closed = $1 WHERE _closed IS NULL AND _opened < $1`, t), rev)
			if err != nil {
				return err
			}
			closed, _ = res.RowsAffected()
		case ModeUpsert:
			if len(p.keys) == 0 {
				return apperr.New(apperr.Invalid, "目录没有为该资源指定主键数据项，不能按主键更新：请使用全量替换或追加，或在目录中标记主键", "the catalog entry has no key items, so upsert is impossible: use replace or append, or mark key items in the catalog").WithField("mode")
			}
			res, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET _closed = $1 WHERE _closed IS NULL AND _opened < $1 AND _key IN (SELECT _key FROM %s WHERE _opened = $1)`, t, t), rev)
			if err != nil {
				return err
			}
			closed, _ = res.RowsAffected()
		}
		l.RowsClosed = closed
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE datasets SET seq = $1, loading_id = '', row_count = row_count - $2 + $3, last_commit_at = $4, updated_at = $4
			WHERE resource_id = $5 AND seq = $6 AND loading_id = $7`, rev, closed, l.RowsLoaded, now, l.ResourceID, rev-1, l.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "数据集已被另一批次占用：本批次未入库", "the dataset was taken by another load: this load was not stored")
		}
		if l.Mode == ModeReplace {
			// The dataset is now this file: downloads follow its CSV style.
			style := ""
			if st, ok := src.(styler); ok {
				style = st.Style()
			}
			if _, err := tx.ExecContext(ctx, `UPDATE datasets SET csv_style = $1 WHERE resource_id = $2`, style, l.ResourceID); err != nil {
				return err
			}
		}
		if len(p.mapping) > 0 {
			merged := map[string]string{}
			for k, v := range d.Mapping {
				merged[k] = v
			}
			for k, v := range p.mapping {
				merged[k] = v
			}
			mb, _ := json.Marshal(merged)
			if _, err := tx.ExecContext(ctx, `UPDATE datasets SET mapping = $1 WHERE resource_id = $2`, string(mb), l.ResourceID); err != nil {
				return err
			}
		}
		qb, _ := json.Marshal(qual)
		mb, _ := json.Marshal(p.mapping)
		if _, err := tx.ExecContext(ctx, `UPDATE dataset_loads SET status = $1, rows_read = $2, rows_loaded = $3, rows_rejected = $4, rows_closed = $5,
			quality = $6, score = $7, mapping = $8, finished_at = $9, message = $10, message_en = $11 WHERE id = $12`,
			StatusCommitted, l.RowsRead, l.RowsLoaded, l.RowsRejected, closed, string(qb), qual.Score, string(mb), now,
			fmt.Sprintf("已入库 %d 行（第 %d 版），拒绝 %d 行，关闭旧记录 %d 行", l.RowsLoaded, rev, l.RowsRejected, closed),
			fmt.Sprintf("stored %d rows (revision %d), rejected %d, closed %d earlier rows", l.RowsLoaded, rev, l.RowsRejected, closed), l.ID); err != nil {
			return err
		}
		_, err = s.Audit.Append(ctx, tx, audit.Who{ID: l.ActorID, Name: l.ActorName}, audit.Entry{Action: "dataset.load.commit", ObjectType: "resource",
			ObjectID: l.ResourceID, Payload: map[string]any{"load": l.ID, "revision": rev, "mode": l.Mode, "rows": l.RowsLoaded,
				"rejected": l.RowsRejected, "closed": closed, "sha256": l.FileSHA256, "score": qual.Score}})
		return err
	})
}

// rejectStaged deletes staged rows found to be duplicates and counts them as rejected.
func (s *Service) rejectStaged(ctx context.Context, l *Load, q *qualityCounter, del string, args ...any) error {
	res, err := s.DB.ExecContext(ctx, del, args...)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	l.RowsLoaded -= n
	l.RowsRejected += n
	q.duplicates += n
	return nil
}

func keyNames(p *plan) string {
	names := make([]string, len(p.keys))
	for i, k := range p.keys {
		names[i] = p.items[k].Name
	}
	return strings.Join(names, " / ")
}

func (s *Service) storeErrors(ctx context.Context, loadID string, from int, errs []rowError) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error { return insertErrors(ctx, tx, loadID, from, errs) })
}

func insertErrors(ctx context.Context, tx *sql.Tx, loadID string, from int, errs []rowError) error {
	for i, e := range errs {
		if from+i >= MaxStoredErrors {
			break
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_load_errors (load_id, n, line, item, value, reason, reason_en) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
			loadID, from+i+1, e.Line, e.Item, e.Value, e.Reason, e.EN); err != nil {
			return err
		}
	}
	return nil
}
