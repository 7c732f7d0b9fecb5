package dataset

import (
	"context"
	"database/sql"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"gongshu/internal/apperr"
	"gongshu/internal/audit"
	"gongshu/internal/catalog"
	"gongshu/internal/identity"
)

// PullClient fetches a pull endpoint.
type PullClient interface {
	Do(*http.Request) (*http.Response, error)
}

// PullConfig is a resource's scheduled pull (C1: 定时拉取).
type PullConfig struct {
	URL    string `json:"url"`    // http(s) endpoint serving CSV or JSON; empty stops pulling
	Format string `json:"format"` // csv or json; empty: from the response's type
	Mode   string `json:"mode"`
}

// SetPull configures (or, with an empty URL, stops) a resource's pull; the
// first pull is due at once, then on the catalog's update frequency.
func (s *Service) SetPull(ctx context.Context, resourceID string, c PullConfig) (*Dataset, error) {
	r, _, err := s.target(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	var next any
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, apperr.New(apperr.Invalid, "拉取地址应为 http:// 或 https:// 开头的完整网址", "the pull URL must be a full http:// or https:// address").WithField("url")
		}
		if u.User != nil {
			return nil, apperr.New(apperr.Invalid, "拉取地址中不能包含用户名或密码", "the pull URL must not contain a user name or password").WithField("url")
		}
		if c.Format != "" && c.Format != FormatCSV && c.Format != FormatJSON {
			return nil, apperr.New(apperr.Invalid, "拉取格式应为 csv 或 json", "the pull format must be csv or json").WithField("format")
		}
		if c.Mode, err = checkMode(c.Mode); err != nil {
			return nil, err
		}
		if Interval(r.Entry.UpdateFrequency) == 0 {
			return nil, apperr.New(apperr.Invalid, "目录的更新频率为“不定期”，无法定时拉取：请在目录中设定更新频率，或手动上传", "the catalog's update frequency is irregular, so there is no schedule: set a frequency in the catalog or upload by hand").WithField("url")
		}
		next = s.now()
	}
	a := identity.ActorFrom(ctx)
	err = s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET pull_url = $1, pull_format = $2, pull_mode = $3, pull_next_at = $4, pull_status = '', updated_at = $5
			WHERE resource_id = $6`, c.URL, c.Format, c.Mode, next, s.now(), resourceID); err != nil {
			return err
		}
		_, err := s.Audit.Append(ctx, tx, a.Who(), audit.Entry{Action: "dataset.pull.set", ObjectType: "resource", ObjectID: resourceID, Payload: c})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, resourceID)
}

// RunPulls starts the pulls that are due; it returns how many it started.
// Several nodes may run it: each due pull is claimed by moving its next time.
func (s *Service) RunPulls(ctx context.Context) (int, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT d.resource_id, d.pull_url, d.pull_format, d.pull_mode, r.update_frequency, r.provider_org_id
		FROM datasets d JOIN resources r ON r.id = d.resource_id WHERE d.pull_url <> '' AND d.pull_next_at <= $1`, s.now())
	if err != nil {
		return 0, err
	}
	type due struct{ id, url, format, mode, freq, org string }
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.url, &d.format, &d.mode, &d.freq, &d.org); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	n := 0
	for _, d := range list {
		next := s.now().Add(Interval(catalog.Frequency(d.freq)))
		res, err := s.DB.ExecContext(ctx, `UPDATE datasets SET pull_next_at = $1 WHERE resource_id = $2 AND pull_next_at <= $3`, next, d.id, s.now())
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			continue // another node claimed it
		}
		status := "ok"
		if err := s.pull(ctx, d.id, d.org, d.url, d.format, d.mode); err != nil {
			status = "error: " + err.Error()
			if ae := apperr.As(err); ae != nil {
				status = ae.Message
			}
		}
		s.DB.ExecContext(ctx, `UPDATE datasets SET pull_status = $1 WHERE resource_id = $2`, clip(status), d.id)
		n++
	}
	return n, nil
}

// PullNow pulls a resource at once (the provider's button).
func (s *Service) PullNow(ctx context.Context, resourceID string) (*Load, error) {
	r, d, err := s.target(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if d.PullURL == "" {
		return nil, apperr.New(apperr.Invalid, "尚未设置拉取地址", "no pull URL is set").WithField("url")
	}
	return s.pullAs(ctx, r.ID, d.PullURL, d.PullFormat, d.PullMode)
}

func (s *Service) pull(ctx context.Context, resourceID, orgID, rawURL, format, mode string) error {
	sys := identity.WithActor(ctx, &identity.Actor{UserID: "system:pull", Username: "system", Name: "定时拉取",
		Kind: identity.KindStaff, Grants: []identity.Grant{{OrgID: orgID, Role: identity.RoleDataOfficer}}})
	_, err := s.pullAs(sys, resourceID, rawURL, format, mode)
	return err
}

func (s *Service) pullAs(ctx context.Context, resourceID, rawURL, format, mode string) (*Load, error) {
	client := s.PullClient
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			return nil
		}}
	}
	ctx2, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx2, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "拉取地址无效", "invalid pull URL")
	}
	req.Header.Set("Accept", "text/csv, application/json;q=0.9")
	req.Header.Set("User-Agent", "gongshu-pull/1")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return nil, apperr.New(apperr.Unavailable, "拉取超时：对方接口在规定时间内没有返回数据，请检查接口是否可用", "the pull timed out: the endpoint did not answer in time; check that it works")
		}
		return nil, apperr.New(apperr.Unavailable, "无法连接拉取地址："+err.Error(), "cannot reach the pull endpoint: "+err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apperr.Newf(apperr.Unavailable, "拉取地址返回 HTTP %d，而不是数据", "the pull endpoint answered HTTP %d instead of data", resp.StatusCode)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return nil, apperr.New(apperr.Invalid, "拉取地址返回的是网页（HTML），不是 CSV 或 JSON 数据：请检查地址是否指向数据接口、是否需要登录", "the pull endpoint returned a web page (HTML), not CSV or JSON: check that the URL is the data interface and needs no login")
	case format == "" && (mt == "application/json" || strings.HasSuffix(mt, "+json")):
		format = FormatJSON
	case format == "":
		format = FormatCSV
	}
	id := identity.NewID()
	path, size, sum, head, err := s.store(id, resp.Body)
	if err != nil {
		if ctx2.Err() != nil {
			return nil, apperr.New(apperr.Unavailable, "拉取超时：数据未能在规定时间内下载完毕", "the pull timed out before the data was downloaded")
		}
		return nil, err
	}
	trimmed := strings.TrimSpace(strings.ToLower(string(head[:min(len(head), 512)])))
	if strings.HasPrefix(trimmed, "<!doctype html") || strings.HasPrefix(trimmed, "<html") {
		os.Remove(path)
		return nil, apperr.New(apperr.Invalid, "拉取地址返回的是网页（HTML），不是 CSV 或 JSON 数据", "the pull endpoint returned a web page (HTML), not CSV or JSON data")
	}
	r, err := s.Catalog.Published(ctx, resourceID)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	name := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		u.RawQuery = "" // query strings may hold tokens: never stored
		name = u.String()
	}
	l, err := s.insertLoad(ctx, r, id, name, path, size, sum, Options{Mode: mode, Format: format, kind: KindPull})
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	s.Start(l.ID)
	return l, nil
}
