package dataset

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/catalog"
	"gongshu/internal/db"
	"gongshu/internal/identity"
)

// Load kinds, modes and statuses.
const (
	KindUpload = "upload"
	KindPush   = "push"
	KindPull   = "pull"

	ModeReplace = "replace" // the load is the whole dataset: every current row is closed
	ModeAppend  = "append"  // rows are added; a key already held is a duplicate
	ModeUpsert  = "upsert"  // rows replace the current rows with the same key

	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusCommitted = "committed"
	StatusRefused   = "refused"   // the data did not pass: nothing was stored
	StatusFailed    = "failed"    // an error or an interruption: nothing was stored
	StatusCancelled = "cancelled" // stopped by a person: nothing was stored
)

// MaxStoredErrors is how many rejected rows a load keeps for its report.
const MaxStoredErrors = 10000

// Load is one load of a dataset (a revision when committed).
type Load struct {
	ID             string            `json:"id"`
	ResourceID     string            `json:"resource_id"`
	Revision       int               `json:"revision"`
	Kind           string            `json:"kind"`
	Mode           string            `json:"mode"`
	Format         string            `json:"format"`
	FileName       string            `json:"file_name,omitempty"`
	FileSize       int64             `json:"file_size"`
	FileSHA256     string            `json:"file_sha256,omitempty"`
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	Mapping        map[string]string `json:"mapping,omitempty"`
	ActorID        string            `json:"actor_id"`
	ActorName      string            `json:"actor_name"`
	OrgID          string            `json:"org_id"`
	Status         string            `json:"status"`
	Cancel         bool              `json:"cancel_requested,omitempty"`
	RowsRead       int64             `json:"rows_read"`
	RowsLoaded     int64             `json:"rows_loaded"`
	RowsRejected   int64             `json:"rows_rejected"`
	RowsClosed     int64             `json:"rows_closed"`
	BytesRead      int64             `json:"bytes_read"`
	Message        string            `json:"message,omitempty"`
	MessageEN      string            `json:"message_en,omitempty"`
	Quality        *Quality          `json:"quality,omitempty"`
	Score          int               `json:"score"`
	CreatedAt      time.Time         `json:"created_at"`
	StartedAt      *time.Time        `json:"started_at,omitempty"`
	FinishedAt     *time.Time        `json:"finished_at,omitempty"`
	filePath       string
}

// Done reports whether the load has ended.
func (l *Load) Done() bool {
	return l.Status != StatusQueued && l.Status != StatusRunning
}

const loadColumns = `id, resource_id, seq, kind, mode, format, file_name, file_path, file_size, file_sha256, idempotency_key, mapping,
	actor_id, actor_name, org_id, status, cancel_requested, rows_read, rows_loaded, rows_rejected, rows_closed, bytes_read,
	message, message_en, quality, score, created_at, started_at, finished_at`

func scanLoad(sc db.Scanner) (*Load, error) {
	var l Load
	var mapping, quality string
	var cancel int
	var started, finished sql.NullTime
	if err := sc.Scan(&l.ID, &l.ResourceID, &l.Revision, &l.Kind, &l.Mode, &l.Format, &l.FileName, &l.filePath, &l.FileSize, &l.FileSHA256,
		&l.IdempotencyKey, &mapping, &l.ActorID, &l.ActorName, &l.OrgID, &l.Status, &cancel, &l.RowsRead, &l.RowsLoaded, &l.RowsRejected,
		&l.RowsClosed, &l.BytesRead, &l.Message, &l.MessageEN, &quality, &l.Score, &l.CreatedAt, &started, &finished); err != nil {
		return nil, err
	}
	l.Cancel = cancel != 0
	json.Unmarshal([]byte(mapping), &l.Mapping)
	if quality != "{}" && quality != "" {
		l.Quality = &Quality{}
		json.Unmarshal([]byte(quality), l.Quality)
	}
	l.CreatedAt = l.CreatedAt.UTC()
	l.StartedAt, l.FinishedAt = timePtr(started), timePtr(finished)
	return &l, nil
}

// Options of a load.
type Options struct {
	Mode           string            `json:"mode"`
	Format         string            `json:"format,omitempty"`
	Mapping        map[string]string `json:"mapping,omitempty"` // header → item name ("-" ignores the column)
	IdempotencyKey string            `json:"idempotency_key,omitempty"`
	kind           string
}

func checkMode(m string) (string, error) {
	switch m {
	case "":
		return ModeReplace, nil
	case ModeReplace, ModeAppend, ModeUpsert:
		return m, nil
	}
	return "", apperr.New(apperr.Invalid, "导入方式应为 replace（全量替换）、append（追加）或 upsert（按主键更新）", "mode must be replace, append or upsert").WithField("mode")
}

// target is a published resource ready to receive data, with the actor's right checked.
func (s *Service) target(ctx context.Context, resourceID string) (*catalog.Resource, *Dataset, error) {
	a := identity.ActorFrom(ctx)
	r, err := s.Catalog.Published(ctx, resourceID)
	if err != nil {
		return nil, nil, err
	}
	if !a.StaffOf(r.ProviderOrgID) && !s.Identity.AuthorityOver(a, r.RegionCode) {
		return nil, nil, apperr.ErrNotFound()
	}
	if !canLoad(a, r.ProviderOrgID) {
		return nil, nil, apperr.New(apperr.Forbidden, "只有提供机构的数据专员或管理员可以汇聚数据", "only the providing institution's data officers and admins load its data")
	}
	d, err := s.Get(ctx, resourceID)
	if err != nil {
		return nil, nil, err
	}
	return r, d, nil
}

// Upload stores a file and queues its load; the load runs in the
// background (Wait, or poll GetLoad). The file is on disk and the load
// recorded before Upload returns: a crash after that restarts the load.
func (s *Service) Upload(ctx context.Context, resourceID, name string, body io.Reader, opt Options) (*Load, error) {
	if opt.kind == "" {
		opt.kind = KindUpload
	}
	r, _, err := s.target(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if opt.Mode, err = checkMode(opt.Mode); err != nil {
		return nil, err
	}
	id := identity.NewID()
	path, size, sum, head, err := s.store(id, body)
	if err != nil {
		return nil, err
	}
	if opt.Format == "" {
		opt.Format = detectFormat(name, head)
	}
	if opt.Format != FormatCSV && opt.Format != FormatXLSX && opt.Format != FormatJSON {
		os.Remove(path)
		return nil, apperr.Newf(apperr.Invalid, "不支持的格式 %q：请上传 CSV、XLSX 或 JSON", "unsupported format %q: upload CSV, XLSX or JSON", opt.Format).WithField("format")
	}
	l, err := s.insertLoad(ctx, r, id, name, path, size, sum, opt)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	s.Start(l.ID)
	return l, nil
}

// UploadFile loads a local file (the command line): it is linked into the
// loads directory when the file system allows, else copied.
func (s *Service) UploadFile(ctx context.Context, resourceID, path string, opt Options) (*Load, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s.linkFrom = path
	defer func() { s.linkFrom = "" }()
	return s.Upload(ctx, resourceID, filepath.Base(path), f, opt)
}

// store copies body to the loads directory, refusing it past the limit.
func (s *Service) store(id string, body io.Reader) (path string, size int64, sum string, head []byte, err error) {
	dir := s.loadsDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", 0, "", nil, err
	}
	path = filepath.Join(dir, id)
	if src := s.linkFrom; src != "" {
		if fi, err := os.Stat(src); err == nil && fi.Size() <= s.maxFile() && fi.Size() > 0 && os.Link(src, path) == nil {
			h := sha256.New()
			hb := &headBuf{max: 64 << 10}
			n, err := io.Copy(io.MultiWriter(h, hb), body)
			if err != nil {
				os.Remove(path)
				return "", 0, "", nil, err
			}
			return path, n, hex.EncodeToString(h.Sum(nil)), hb.b, nil
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", 0, "", nil, err
	}
	h := sha256.New()
	hb := &headBuf{max: 64 << 10}
	n, err := io.Copy(io.MultiWriter(f, h, hb), io.LimitReader(body, s.maxFile()+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.maxFile() {
		err = apperr.Newf(apperr.TooLarge, "文件超过 %d MB 上限：请拆分后分批上传（追加方式），或改用定时拉取", "the file exceeds the %d MB limit: split it and upload the parts in append mode, or use a scheduled pull", s.maxFile()>>20)
	}
	if err == nil && n == 0 {
		err = errEmpty
	}
	if err != nil {
		os.Remove(path)
		var mbe interface{ Error() string }
		if errors.As(err, &mbe) && strings.Contains(err.Error(), "request body too large") {
			err = apperr.Newf(apperr.TooLarge, "文件超过 %d MB 上限", "the file exceeds the %d MB limit", s.maxFile()>>20)
		}
		return "", 0, "", nil, err
	}
	return path, n, hex.EncodeToString(h.Sum(nil)), hb.b, nil
}

type headBuf struct {
	b   []byte
	max int
}

func (h *headBuf) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		h.b = append(h.b, p[:room]...)
	}
	return len(p), nil
}

func (s *Service) insertLoad(ctx context.Context, r *catalog.Resource, id, name, path string, size int64, sum string, opt Options) (*Load, error) {
	a := identity.ActorFrom(ctx)
	who := a.Who()
	mapping, _ := json.Marshal(opt.Mapping)
	if opt.Mapping == nil {
		mapping = []byte("{}")
	}
	now := s.now()
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_loads (id, resource_id, kind, mode, format, file_name, file_path, file_size, file_sha256,
			idempotency_key, mapping, actor_id, actor_name, org_id, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
			id, r.ID, opt.kind, opt.Mode, opt.Format, name, path, size, sum, opt.IdempotencyKey, string(mapping), who.ID, who.Name,
			r.ProviderOrgID, StatusQueued, now); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, who, audit.Entry{Action: "dataset.load.accept", ObjectType: "resource", ObjectID: r.ID,
			Payload: map[string]any{"load": id, "kind": opt.kind, "mode": opt.Mode, "file": name, "bytes": size, "sha256": sum}})
		return err
	})
	if err != nil {
		if db.IsUniqueViolation(err) {
			return nil, apperr.New(apperr.Conflict, "该幂等键已用于另一批次", "this idempotency key was used by another load").WithField("idempotency_key")
		}
		return nil, err
	}
	return s.GetLoad(identity.WithActor(ctx, a), id)
}

// GetLoad returns a load visible to the actor: staff of the provider, the
// authority over its region, auditors.
func (s *Service) GetLoad(ctx context.Context, id string) (*Load, error) {
	l, err := scanLoad(s.DB.QueryRowContext(ctx, `SELECT `+loadColumns+` FROM dataset_loads WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound()
	}
	if err != nil {
		return nil, err
	}
	if !s.canSeeLoads(ctx, l.ResourceID, l.OrgID) {
		return nil, apperr.ErrNotFound()
	}
	return l, nil
}

func (s *Service) canSeeLoads(ctx context.Context, resourceID, orgID string) bool {
	a := identity.ActorFrom(ctx)
	if a == nil {
		return false
	}
	if a.StaffOf(orgID) {
		return true
	}
	r, err := s.Catalog.Published(ctx, resourceID)
	if err != nil {
		return false
	}
	return s.Identity.AuthorityOver(a, r.RegionCode) || s.Identity.AuditorOver(a, r.RegionCode)
}

// Loads lists a resource's loads, newest first.
func (s *Service) Loads(ctx context.Context, resourceID string, limit int) ([]*Load, error) {
	r, err := s.Catalog.Published(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if !s.canSeeLoads(ctx, resourceID, r.ProviderOrgID) {
		return nil, apperr.ErrNotFound()
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT `+loadColumns+` FROM dataset_loads WHERE resource_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, resourceID, limit)
	if err != nil {
		return nil, err
	}
	return db.Collect(rows, scanLoad)
}

// Cancel asks a queued or running load to stop; nothing of it is kept.
func (s *Service) Cancel(ctx context.Context, id string) (*Load, error) {
	l, err := s.GetLoad(ctx, id)
	if err != nil {
		return nil, err
	}
	a := identity.ActorFrom(ctx)
	if !canLoad(a, l.OrgID) {
		return nil, apperr.New(apperr.Forbidden, "只有提供机构的数据专员或管理员可以取消导入", "only the providing institution's data officers and admins cancel loads")
	}
	if l.Done() {
		return nil, apperr.New(apperr.Conflict, "该批次已结束，不能取消", "this load has ended and cannot be cancelled")
	}
	if _, err := s.DB.ExecContext(ctx, `UPDATE dataset_loads SET cancel_requested = 1 WHERE id = $1`, id); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if cancel := s.running[id]; cancel != nil {
		cancel()
	}
	s.mu.Unlock()
	return s.GetLoad(ctx, id)
}

// Start runs a queued load in the background.
func (s *Service) Start(id string) {
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	if s.running == nil {
		s.running = map[string]context.CancelFunc{}
	}
	if _, dup := s.running[id]; dup {
		s.mu.Unlock()
		cancel()
		return
	}
	s.running[id] = cancel
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.running, id)
			s.mu.Unlock()
			cancel()
		}()
		s.Run(ctx, id)
	}()
}

// Wait blocks until the background loads of this process have ended.
func (s *Service) Wait() { s.wg.Wait() }

// Stop interrupts the loads running in this process for a shutdown: they
// go back to the queue with their files (nothing staged stays) and the
// next start runs them again. It returns when they have stopped.
func (s *Service) Stop() {
	s.stopping.Store(true)
	s.mu.Lock()
	for _, cancel := range s.running {
		cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// WaitLoad waits for one load to end and returns it.
func (s *Service) WaitLoad(ctx context.Context, id string) (*Load, error) {
	for {
		l, err := scanLoad(s.DB.QueryRowContext(ctx, `SELECT `+loadColumns+` FROM dataset_loads WHERE id = $1`, id))
		if err != nil {
			return nil, err
		}
		if l.Done() {
			return l, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Recover runs at start: loads interrupted by a crash or a kill have their
// staged rows removed (they were never visible) and run again from their
// stored file; pushes, which were never acknowledged, end as failed.
func (s *Service) Recover(ctx context.Context) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+loadColumns+` FROM dataset_loads WHERE status IN ($1, $2) ORDER BY created_at`, StatusQueued, StatusRunning)
	if err != nil {
		return err
	}
	loads, err := db.Collect(rows, scanLoad)
	if err != nil {
		return err
	}
	s.removeOrphans(loads)
	for _, l := range loads {
		if l.Status == StatusRunning {
			if err := s.unstage(ctx, l); err != nil {
				return err
			}
		}
		if _, err := os.Stat(l.filePath); l.filePath == "" || err != nil {
			s.finish(ctx, l, StatusFailed, "导入进程中断，且没有可重新导入的文件：请重新提交", "the load was interrupted and has no stored file to restart from: submit it again", nil)
			continue
		}
		if _, err := s.DB.ExecContext(ctx, `UPDATE dataset_loads SET status = $1, rows_read = 0, rows_loaded = 0, rows_rejected = 0, bytes_read = 0 WHERE id = $2`,
			StatusQueued, l.ID); err != nil {
			return err
		}
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM dataset_load_errors WHERE load_id = $1`, l.ID); err != nil {
			return err
		}
		s.Start(l.ID)
	}
	return nil
}

// removeOrphans deletes files in the loads directory that belong to no
// unfinished load: an upload cut off before it was acknowledged, or a
// file whose load ended while the process was dying.
func (s *Service) removeOrphans(unfinished []*Load) {
	keep := map[string]bool{}
	for _, l := range unfinished {
		keep[filepath.Base(l.filePath)] = true
	}
	entries, err := os.ReadDir(s.loadsDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() && !keep[e.Name()] {
			os.Remove(filepath.Join(s.loadsDir(), e.Name()))
		}
	}
}

func (s *Service) loadsDir() string {
	if s.Dir == "" {
		return filepath.Join(os.TempDir(), "gongshu-loads")
	}
	return s.Dir
}

// unstage removes what an unfinished load wrote and releases the dataset.
func (s *Service) unstage(ctx context.Context, l *Load) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		d, err := s.get(ctx, tx, l.ResourceID, true)
		if err != nil {
			return err
		}
		if err := s.clearStaged(ctx, tx, d); err != nil {
			return err
		}
		if r, err := s.Catalog.Published(ctx, l.ResourceID); err == nil { // a bulk first load drops them
			if err := s.ensureIndexes(ctx, tx, d, &r.Entry); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE datasets SET loading_id = '' WHERE resource_id = $1 AND loading_id = $2`, l.ResourceID, l.ID)
		return err
	})
}

// clearStaged removes every row version above the committed revision.
func (s *Service) clearStaged(ctx context.Context, tx *sql.Tx, d *Dataset) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE _opened > $1`, d.Table), d.Seq); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET _closed = NULL WHERE _closed > $1`, d.Table), d.Seq)
	return err
}

// finish ends a load that did not commit.
func (s *Service) finish(ctx context.Context, l *Load, status, zh, en string, q *Quality) {
	ctx = context.WithoutCancel(ctx)
	qb := []byte("{}")
	if q != nil {
		qb, _ = json.Marshal(q)
	}
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE dataset_loads SET status = $1, message = $2, message_en = $3, finished_at = $4, quality = $5,
			rows_loaded = 0 WHERE id = $6`, status, zh, en, s.now(), string(qb), l.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET loading_id = '' WHERE resource_id = $1 AND loading_id = $2`, l.ResourceID, l.ID); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, audit.Who{ID: l.ActorID, Name: l.ActorName}, audit.Entry{Action: "dataset.load." + status,
			ObjectType: "resource", ObjectID: l.ResourceID, Payload: map[string]any{"load": l.ID, "reason": en}})
		return err
	})
	if err == nil && l.filePath != "" {
		os.Remove(l.filePath)
	}
}
