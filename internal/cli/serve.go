package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/demo"
	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/jobs"
	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/plan"
	"github.com/ogforum/ogforum/internal/ratelimit"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/web"
)

func init() {
	register("serve", "run the web application and its background workers", serve)
}

func serve(e *env, args []string) error {
	fs, build := e.flags("serve", "serve [--demo] [settings]")
	withDemo := fs.Bool("demo", false, "fill an empty database with demo data and print a sign-in link for its admin")
	cfg, err := parse(fs, build, args)
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if *withDemo {
		loaded, err := demo.LoadIfEmpty(ctx, db)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if loaded {
			log.Info("demo data loaded")
		}
	}

	metrics := web.NewMetrics(db)
	srv, err := web.New(cfg, db, log, metrics, Version)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (OGFORUM_ADDR): %w", cfg.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	// The default base URL repeats the address asked for; with port 0 only
	// the listener knows the real one, which links in mail must carry.
	if _, port, _ := net.SplitHostPort(cfg.Addr); port == "0" && cfg.BaseURL == "http://"+cfg.Addr {
		cfg.BaseURL = url
	}
	cat := i18n.MustLoad()
	forumCfg := forum.Config{Catalog: cat, BaseURL: cfg.BaseURL}
	srv.SetForums(forum.New(db, forumCfg))
	queue := jobs.New(db, log, metrics.JobHooks())
	var sender mail.Sender = mail.FileSender{Dir: cfg.MailDir(), From: cfg.MailFrom}
	if cfg.SMTP != nil {
		sender = mail.NewSMTPSender(*cfg.SMTP, cfg.MailFrom)
	}
	queue.Register(mail.JobKind, mail.Handler(db, sender))
	queue.Register(auth.LinkJobKind, auth.LinkJob(db, cat, cfg.BaseURL))
	queue.Register(purgeJob, purge(db, cfg.DataDir))
	plan.RegisterJobs(queue, db, cat, cfg.BaseURL, 0)
	forum.RegisterJobs(queue, db, forumCfg)
	registerPersonHooks(db, forumCfg)
	queue.Every(purgeJob, time.Hour)

	httpServer := srv.HTTPServer()
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(ln) }()

	workersCtx, stopWorkers := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	workers.Add(1)
	go func() { defer workers.Done(); queue.Run(workersCtx, cfg.Workers) }()

	fmt.Fprintf(e.stdout, "ogforum %s listening on %s (database: %s)\n", Version, url, db.Dialect)
	if *withDemo {
		printDemoLink(ctx, e, db, cfg.BaseURL)
	}
	log.Info("started", "addr", ln.Addr().String(), "database", string(db.Dialect), "workers", cfg.Workers)

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			stopWorkers()
			return err
		}
	}
	// Graceful stop: HTTP first, then the workers, then the database.
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutCtx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	stopWorkers()
	workers.Wait()
	log.Info("stopped")
	return nil
}

const purgeJob = "maintenance.purge"

// purge removes expired sessions, sign-in tokens, rate-limit windows and
// abandoned import uploads.
func purge(db *store.DB, dataDir string) jobs.Handler {
	return func(ctx context.Context, _ jobs.Job) error {
		now := store.Now()
		if err := auth.Purge(ctx, db, now); err != nil {
			return err
		}
		if err := ratelimit.Purge(ctx, db, now); err != nil {
			return err
		}
		return web.PurgeUploads(dataDir, now)
	}
}

func printDemoLink(ctx context.Context, e *env, db *store.DB, baseURL string) {
	u, err := auth.UserByEmail(ctx, db, demo.AdminEmail)
	if err != nil {
		return
	}
	secret, err := auth.CreateLoginToken(ctx, db, u.ID)
	if err != nil {
		return
	}
	fmt.Fprintf(e.stdout, "Demo admin sign-in link (valid 15 minutes): %s\n", auth.SignInURL(baseURL, secret))
}

var hooksOnce sync.Once

// registerPersonHooks lets the domains that hold personal data take part
// in a person's export, erasure and merge.
func registerPersonHooks(db *store.DB, forumCfg forum.Config) {
	hooksOnce.Do(func() {
		directory.RegisterPersonHooks(plan.PersonHooks())
		forum.RegisterPersonHooks(db, forumCfg)
	})
}
