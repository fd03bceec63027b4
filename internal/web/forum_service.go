package web

import (
	"sync"
	"sync/atomic"

	"github.com/ogforum/ogforum/internal/forum"
)

// forumService holds the forum.Service of the server: set by SetForums at
// wiring, or made at first use from the configuration (tests that build a
// bare server).
type forumService struct {
	svc  atomic.Pointer[forum.Service]
	once sync.Once
}

// SetForums gives the server the forum service built by the program's
// wiring (with the final base URL for the links in mails).
func (s *Server) SetForums(svc *forum.Service) { s.forums.svc.Store(svc) }

// forum is the forum service.
func (s *Server) forum() *forum.Service {
	if f := s.forums.svc.Load(); f != nil {
		return f
	}
	s.forums.once.Do(func() {
		s.forums.svc.CompareAndSwap(nil, forum.New(s.db, forum.Config{Catalog: s.i18n, BaseURL: s.cfg.BaseURL}))
	})
	return s.forums.svc.Load()
}
