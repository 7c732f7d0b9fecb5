// Package server puts the pages and the JSON API behind one set of
// middleware: panic recovery, structured request logs, Prometheus metrics,
// security headers with a strict Content-Security-Policy, request size
// limits, cross-origin (CSRF) protection and authentication by session
// cookie, session token or API key.
package server

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongshu/internal/api"
	"gongshu/internal/apperr"
	"gongshu/internal/identity"
	"gongshu/internal/platform"
	"gongshu/internal/web"
)

// Options configure the HTTP layer.
type Options struct {
	Log *slog.Logger
	// SecureCookies forces the Secure flag; it is also set for requests that
	// arrived over TLS.
	SecureCookies bool
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	Version      string
	// PublicURL is the deployment's public address (https://data.example.gov.cn),
	// used in the DCAT feeds' IRIs; empty uses the request's host.
	PublicURL string
}

// New returns the platform's HTTP handler.
func New(p *platform.Platform, o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gongshu_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gongshu_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: prometheus.DefBuckets}, []string{"route"})
	reg.MustRegister(requests, duration)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := p.DB.PingContext(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable","database":"down"}`))
			return
		}
		w.Write([]byte(`{"status":"ok","database":"` + string(p.DB.Dialect) + `","profile":"` + p.Profile().Name + `"}`))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	api.Register(mux, p, api.Options{Version: o.Version, PublicURL: o.PublicURL})
	api.RegisterCKAN(mux, p)
	api.RegisterFeeds(mux, p, o.PublicURL)
	web.Register(mux, p, web.Options{SecureCookies: o.SecureCookies, Version: o.Version})

	var h http.Handler = mux
	h = authenticate(p, h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = limitBody(o.MaxBodyBytes, p.Datasets.MaxFile(), h)
	h = securityHeaders(h)
	h = observe(o.Log, requests, duration, h)
	return h
}

func authenticate(p *platform.Platform, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := clientIP(r)
		var a *identity.Actor
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			tok := strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
			var err error
			if strings.HasPrefix(tok, "gsk_") {
				a, err = p.Identity.AuthenticateAPIClient(r.Context(), tok, ip)
			} else {
				a, err = p.Identity.Authenticate(r.Context(), tok, ip)
			}
			if err != nil {
				api.WriteError(w, r, err)
				return
			}
		} else if c, err := r.Cookie(api.SessionCookieName); err == nil && c.Value != "" {
			a, _ = p.Identity.Authenticate(r.Context(), c.Value, ip) // an expired cookie is simply anonymous
		}
		ctx := r.Context()
		if a != nil {
			ctx = identity.WithActor(ctx, a)
		}
		r2 := r.WithContext(ctx)
		next.ServeHTTP(w, r2)
		r.Pattern = r2.Pattern // for the metrics label
	})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// uploadPaths may carry files up to api.MaxUploadBytes.
var uploadPaths = map[string]bool{"/api/v1/catalog/import": true, "/catalog/import": true}

func limitBody(n, dataMax int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := n
		if uploadPaths[r.URL.Path] {
			n = api.MaxUploadBytes
		}
		switch {
		case r.Method == http.MethodPost && api.IsUploadPath(r.URL.Path):
			// Data files: up to the configured limit (plus the form's
			// envelope), with time to arrive over slow links.
			n = dataMax + 1<<20
			rc := http.NewResponseController(w)
			rc.SetReadDeadline(time.Now().Add(time.Hour))
			rc.SetWriteDeadline(time.Now().Add(time.Hour))
		case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/datasets/") && strings.HasSuffix(r.URL.Path, "/push"):
			n = min(dataMax, api.MaxPushBytes) // up to 10,000 records a batch
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/download."):
			// Whole datasets stream for longer than the server's write timeout.
			http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
		}
		if r.ContentLength > n {
			if r.Method == http.MethodPost && api.IsUploadPath(r.URL.Path) {
				api.WriteError(w, r, apperr.Newf(apperr.TooLarge, "文件超过 %d MB 上限：请拆分后分批上传（追加方式），或改用定时拉取",
					"the file exceeds the %d MB limit: split it and upload the parts in append mode, or use a scheduled pull", dataMax>>20).WithField("file"))
				return
			}
			api.WriteError(w, r, &http.MaxBytesError{Limit: n})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func observe(log *slog.Logger, requests *prometheus.CounterVec, duration *prometheus.HistogramVec, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				log.Error("panic serving request", "path", r.URL.Path, "panic", v)
				if rec.status == 0 {
					http.Error(rec, "内部错误 / internal error", http.StatusInternalServerError)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
			// Only the path is logged: query strings and bodies may carry personal data.
			log.Info("request", "method", r.Method, "path", r.URL.Path, "route", route, "status", rec.status,
				"ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rec, r)
	})
}
