package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/store"
)

// Metrics are the Prometheus series of one process.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	jobsDone *prometheus.CounterVec
	jobFails *prometheus.CounterVec
}

// NewMetrics registers the series; the queue depth is read from db at each
// scrape, so every process reports the shared outbox.
func NewMetrics(db *store.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ogforum_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "ogforum_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	m.jobsDone = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ogforum_jobs_done_total", Help: "Jobs completed, by kind.",
	}, []string{"kind"})
	m.jobFails = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ogforum_job_failures_total", Help: "Job attempts that failed, by kind; final=true when no retry is left.",
	}, []string{"kind", "final"})
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ogforum_outbox_depth", Help: "Mails waiting to be sent (all processes).",
	}, func() float64 {
		if db == nil {
			return 0
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		d, err := jobs.Depth(ctx, db)
		if err != nil {
			return -1
		}
		return float64(d["mail.send"])
	})
	m.reg.MustRegister(m.requests, m.latency, m.jobsDone, m.jobFails, depth,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// JobHooks feeds the job queue's events into the metrics.
func (m *Metrics) JobHooks() jobs.Hooks {
	return jobs.Hooks{
		Done:   func(kind string, _ time.Duration) { m.jobsDone.WithLabelValues(kind).Inc() },
		Failed: func(kind string, final bool) { m.jobFails.WithLabelValues(kind, strconv.FormatBool(final)).Inc() },
	}
}

// instrument counts and times the requests of one route.
func (s *Server) instrument(pattern string, h http.Handler) http.Handler {
	if s.metrics == nil {
		return h
	}
	lat := s.metrics.latency.WithLabelValues(pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		h.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		lat.Observe(time.Since(start).Seconds())
		s.metrics.requests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
	})
}

func (s *Server) metricsHandler() http.HandlerFunc {
	if s.metrics == nil {
		return func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
	}
	h := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	return h.ServeHTTP
}

// metricsBypass lets a scraper in with the configured token, or anyone
// when metrics are public.
func (s *Server) metricsBypass(r *http.Request) bool {
	if s.cfg.MetricsPublic {
		return true
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.cfg.MetricsToken != "" &&
		subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.MetricsToken)) == 1
}
