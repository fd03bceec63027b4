package web

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// pageCache keeps, for a couple of seconds, the public pages rendered for
// visitors who are not signed in, per language and address: a crowd
// reading the home page or the plan costs one render every pageTTL instead
// of one per request. Signed-in people always get a fresh page. Any change
// made through this process empties the cache; another process's changes
// show within pageTTL, as settings do.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]cachedPage
	// rendering holds, per key, a channel closed when the render under
	// way ends, so that a crowd arriving at an expired page waits for one
	// render instead of each making its own.
	rendering map[string]chan struct{}
	// gen counts clears: a render that began before a clear is not kept.
	gen uint64
}

type cachedPage struct {
	body        []byte
	contentType string
	disposition string // Content-Disposition of downloads (calendars)
	expires     time.Time
}

const (
	pageTTL        = 2 * time.Second
	pageCacheLimit = 2000
)

func (c *pageCache) get(key string) (cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.entries[key]
	if !ok || time.Now().After(p.expires) {
		return cachedPage{}, false
	}
	return p, true
}

func (c *pageCache) put(key string, body []byte, contentType, disposition string, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // the data changed while this page was rendered
	}
	if c.entries == nil || len(c.entries) >= pageCacheLimit {
		c.entries = map[string]cachedPage{}
	}
	c.entries[key] = cachedPage{body: body, contentType: contentType, disposition: disposition, expires: time.Now().Add(pageTTL)}
}

func (c *pageCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.gen++
	c.mu.Unlock()
}

// serveCached answers a public page from the cache, or renders it and
// keeps it when it is a 200. It reports whether it handled the request.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, h http.Handler) bool {
	st := state(r)
	if r.Method != http.MethodGet || st.User != nil || st.Bearer {
		return false
	}
	key := st.Lang + " " + r.URL.RequestURI()
	var gen uint64
	for range 2 {
		if p, ok := s.pages.get(key); ok {
			w.Header().Set("Content-Type", p.contentType)
			if p.disposition != "" {
				w.Header().Set("Content-Disposition", p.disposition)
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Write(p.body)
			return true
		}
		wait, mine, g := s.pages.begin(key)
		gen = g
		if mine {
			defer s.pages.done(key, wait)
			break
		}
		select { // another request is rendering this page: wait for it
		case <-wait:
		case <-r.Context().Done():
			return true
		case <-time.After(pageTTL):
		}
	}
	rec := &teeWriter{ResponseWriter: w}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusOK && rec.Header().Get("Set-Cookie") == "" {
		s.pages.put(key, rec.buf.Bytes(), rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"), gen)
	}
	return true
}

// begin registers a render of key; it reports false, with the channel of
// the render under way, when there is one already. It also gives the
// cache's generation, which put checks.
func (c *pageCache) begin(key string) (chan struct{}, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.rendering[key]; ok {
		return ch, false, c.gen
	}
	if c.rendering == nil {
		c.rendering = map[string]chan struct{}{}
	}
	ch := make(chan struct{})
	c.rendering[key] = ch
	return ch, true, c.gen
}

func (c *pageCache) done(key string, ch chan struct{}) {
	c.mu.Lock()
	delete(c.rendering, key)
	c.mu.Unlock()
	close(ch)
}

// teeWriter passes a response through and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.buf.Write(b)
	return t.ResponseWriter.Write(b)
}
