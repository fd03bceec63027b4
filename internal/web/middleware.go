package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/i18n"
)

// reqState is what the middleware learns about a request.
type reqState struct {
	ID      string
	User    *auth.User
	Session *auth.Session
	Bearer  bool
	Lang    string
}

type stateKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{Lang: i18n.Default}
}

const (
	sessionCookie = "ogforum_session"
	langCookie    = "ogforum_lang"
)

// build assembles the middleware chain around the route table.
func (s *Server) build() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.forbidden(w, r)
	}))
	csrf := cop.Handler(mux)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Bearer-token API calls carry no ambient credentials: exempt.
		if state(r).Bearer {
			mux.ServeHTTP(w, r)
			return
		}
		csrf.ServeHTTP(w, r)
	})
	return s.outer(inner)
}

// outer gives each request an id, a logger line, security headers,
// recovery from panics, and resolves who is asking and in which language.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{ID: requestID(r)}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		sw := &statusWriter{ResponseWriter: w}
		setSecurityHeaders(sw.Header())
		sw.Header().Set("X-Request-Id", st.ID)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", st.ID, "panic", p, "path", r.URL.Path)
				if !sw.wrote {
					s.errorPage(sw, r, http.StatusInternalServerError)
				}
			}
			s.log.LogAttrs(r.Context(), levelFor(sw.status), "request",
				slog.String("request_id", st.ID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)), slog.String("ip", s.clientIP(r)))
		}()
		s.identify(r, st)
		next.ServeHTTP(sw, r)
	})
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// identify finds the signed-in user (session cookie or bearer token) and
// the language: the switcher's cookie, then (on the API) Accept-Language,
// then the user's preference, then Accept-Language, then French.
func (s *Server) identify(r *http.Request, st *reqState) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		if token, ok := strings.CutPrefix(h, "Bearer "); ok {
			st.Bearer = true
			if u, err := auth.UserByAPIToken(ctx, s.db, strings.TrimSpace(token)); err == nil {
				st.User = u
			}
		}
	} else if c, err := r.Cookie(sessionCookie); err == nil {
		if u, sess, err := auth.UserBySession(ctx, s.db, c.Value); err == nil {
			st.User, st.Session = u, sess
		}
	}
	accept := r.Header.Get("Accept-Language")
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		st.Lang = c.Value
	} else if accept != "" && strings.HasPrefix(r.URL.Path, "/api/") {
		// An API caller states its language with each request.
		st.Lang = s.i18n.Match(accept)
	} else if st.User != nil && i18n.Supported(st.User.Language) {
		st.Lang = st.User.Language
	} else {
		st.Lang = s.i18n.Match(accept)
	}
}

func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == "" {
		return id
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// contentSecurityPolicy allows no inline script and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
}

// clientIP is the remote address, or the last X-Forwarded-For hop when the
// process runs behind a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func itoa(i int) string { return strconv.Itoa(i) }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
