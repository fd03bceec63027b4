// Package web is ogforum's HTTP layer: one route table for the HTML site
// and the JSON API, the middleware every request passes, the templates and
// the static files. It calls the domain packages and owns no SQL of its own.
package web

import (
	"context"
	"github.com/ogforum/ogforum/internal/zone"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ogforum/ogforum/internal/config"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/ratelimit"
	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
)

// Server holds what handlers need.
type Server struct {
	cfg     *config.Config
	db      *store.DB
	log     *slog.Logger
	i18n    *i18n.Catalog
	views   *views
	assets  *assets
	limiter *ratelimit.Limiter
	metrics *Metrics
	routes  []route
	handler http.Handler
	// settingsCache keeps the site settings between requests.
	settingsCache settingsCache
	// pages keeps public pages for visitors who are not signed in.
	pages pageCache
	// forums runs the forum operations that lock seats and queue mail
	// (see SetForums and forum_service.go).
	forums forumService
	// Version is shown in the footer and by /api/v1/version.
	Version string
}

// New builds the server: it parses every template and fails if one is
// missing or broken, so that such mistakes stop the start, not a request.
func New(cfg *config.Config, db *store.DB, log *slog.Logger, metrics *Metrics, version string) (*Server, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, db: db, log: log, i18n: cat, metrics: metrics, Version: version,
		limiter: &ratelimit.Limiter{DB: db, PerMinute: cfg.RateLimit},
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.views, err = parseViews(s.assets, s.zone()); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	s.handler = s.build()
	return s, nil
}

// zone is the team's time zone (OGFORUM_TIMEZONE, see package zone).
func (s *Server) zone() *time.Location { return zone.Get() }

// ServeHTTP serves the whole site.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes lists the route table (for tests that walk every route).
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, len(s.routes))
	for i, rt := range s.routes {
		out[i] = RouteInfo{Pattern: rt.pattern, Access: rt.access}
	}
	return out
}

// settings loads the editable site settings, falling back to defaults if
// the database cannot be read (pages still render). Every page shows them,
// so they are kept for settingsTTL rather than read at each request: a
// save in this process is seen at once, one made by another process
// sharing the database within settingsTTL.
func (s *Server) settings(ctx context.Context) settings.Settings {
	c := &s.settingsCache
	c.mu.Lock()
	st, fresh, gen := c.value, time.Now().Before(c.until), c.gen
	c.mu.Unlock()
	if fresh {
		return st
	}
	st, err := settings.Load(ctx, s.db)
	if err != nil {
		s.log.Error("load settings", "err", err)
		return st
	}
	c.mu.Lock()
	if c.gen == gen { // no save since the read began
		c.value, c.until = st, time.Now().Add(settingsTTL)
	}
	c.mu.Unlock()
	return st
}

// forgetSettings makes the next request read the settings again; it is
// called after a save.
func (s *Server) forgetSettings() {
	c := &s.settingsCache
	c.mu.Lock()
	c.gen++
	c.until = time.Time{}
	c.mu.Unlock()
	s.pages.clear()
}

const settingsTTL = 2 * time.Second

type settingsCache struct {
	mu    sync.Mutex
	value settings.Settings
	until time.Time
	gen   uint64 // counts saves
}

// HTTPServer wraps the handler with the timeouts a public server needs.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}
