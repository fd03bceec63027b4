// Package config reads ogforum's settings from flags, each with an
// OGFORUM_* environment variable, and validates them so that a bad value
// stops the start with one clear line naming the setting.
package config

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ogmail "github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
)

// Config is the whole configuration of a process.
type Config struct {
	Addr          string
	DataDir       string
	Database      string
	BaseURL       string
	SMTPURL       string
	MailFrom      string
	SecureCookies bool
	RateLimit     int
	LogFormat     string
	LogLevel      string
	MetricsToken  string
	MetricsPublic bool
	TrustProxy    bool
	Workers       int
	Timezone      string
	// Location is Timezone loaded: the team's time zone.
	Location *time.Location

	SMTP *ogmail.SMTPConfig // parsed SMTPURL, nil when mail goes to files
}

// setting describes one flag and its environment variable.
type setting struct {
	flag, env, def, help string
	kind                 string // "string", "bool", "int"
}

var settings = []setting{
	{"addr", "OGFORUM_ADDR", "127.0.0.1:8080", "address to listen on (host:port)", "string"},
	{"data-dir", "OGFORUM_DATA_DIR", "./data", "directory for the SQLite file, mail files and uploads", "string"},
	{"database", "OGFORUM_DATABASE", "", "database: a postgres:// URL, or an SQLite file path (default: ogforum.db in the data directory)", "string"},
	{"base-url", "OGFORUM_BASE_URL", "", "public URL of the site, used in links in mail (default: http://ADDR)", "string"},
	{"smtp-url", "OGFORUM_SMTP_URL", "", "SMTP server: smtp://user:pass@host:port (STARTTLS when offered; ?tls=required to insist) or smtps:// for implicit TLS; unset: mail is written to files", "string"},
	{"mail-from", "OGFORUM_MAIL_FROM", "ogforum <noreply@localhost>", "sender address of outgoing mail", "string"},
	{"secure-cookies", "OGFORUM_SECURE_COOKIES", "false", "mark cookies Secure (set true behind HTTPS)", "bool"},
	{"rate-limit", "OGFORUM_RATE_LIMIT", "10", "requests per minute per IP on public forms (sign-in, registration, questions); 0 turns limits off", "int"},
	{"log-format", "OGFORUM_LOG_FORMAT", "text", "log format: text or json", "string"},
	{"log-level", "OGFORUM_LOG_LEVEL", "info", "log level: debug, info, warn or error", "string"},
	{"metrics-token", "OGFORUM_METRICS_TOKEN", "", "bearer token that lets a scraper read /metrics (admins can always)", "string"},
	{"metrics-public", "OGFORUM_METRICS_PUBLIC", "false", "serve /metrics to anyone", "bool"},
	{"trust-proxy", "OGFORUM_TRUST_PROXY", "false", "take the client address from X-Forwarded-For (behind a load balancer)", "bool"},
	{"workers", "OGFORUM_WORKERS", "2", "number of background job workers in this process", "int"},
	{"timezone", "OGFORUM_TIMEZONE", "Europe/Paris", "the team's time zone (an IANA name such as Europe/Paris or America/Montreal): times on pages, the day that makes a milestone late, new forums' zone", "string"},
}

// Register adds the settings as flags on fs, with defaults taken from the
// environment (looked up with getenv). It returns a function that builds
// and validates the Config after fs.Parse.
func Register(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	raw := map[string]*string{}
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		p := new(string)
		fs.StringVar(p, s.flag, def, s.help+" ["+s.env+"]")
		raw[s.flag] = p
	}
	return func() (*Config, error) { return build(raw) }
}

// Usage prints the settings table (for --help and the README).
func Usage(w io.Writer) {
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = "(unset)"
		}
		fmt.Fprintf(w, "  --%-15s %-24s default %s\n      %s\n", s.flag, s.env, def, s.help)
	}
}

func bad(s setting, format string, args ...any) error {
	return fmt.Errorf("invalid setting %s (--%s): %s", s.env, s.flag, fmt.Sprintf(format, args...))
}

func find(name string) setting {
	for _, s := range settings {
		if s.flag == name {
			return s
		}
	}
	panic("unknown setting " + name)
}

func build(raw map[string]*string) (*Config, error) {
	c := &Config{}
	get := func(n string) string { return strings.TrimSpace(*raw[n]) }
	boolean := func(n string) (bool, error) {
		b, err := strconv.ParseBool(get(n))
		if err != nil {
			return false, bad(find(n), "want true or false, got %q", get(n))
		}
		return b, nil
	}
	integer := func(n string, lo, hi int) (int, error) {
		i, err := strconv.Atoi(get(n))
		if err != nil || i < lo || i > hi {
			return 0, bad(find(n), "want a whole number from %d to %d, got %q", lo, hi, get(n))
		}
		return i, nil
	}
	var err error
	c.Addr = get("addr")
	if _, port, e := net.SplitHostPort(c.Addr); e != nil || port == "" {
		return nil, bad(find("addr"), "want host:port such as 127.0.0.1:8080, got %q", c.Addr)
	}
	c.DataDir = get("data-dir")
	if c.DataDir == "" {
		return nil, bad(find("data-dir"), "must not be empty")
	}
	c.Database = get("database")
	if c.Database == "" {
		c.Database = filepath.Join(c.DataDir, "ogforum.db")
	} else if strings.Contains(c.Database, "://") && !store.IsPostgresURL(c.Database) {
		return nil, bad(find("database"), "want a postgres:// URL or an SQLite file path, got a %q URL", strings.SplitN(c.Database, "://", 2)[0])
	} else if store.IsPostgresURL(c.Database) {
		if _, e := url.Parse(c.Database); e != nil {
			return nil, bad(find("database"), "not a valid URL: %v", e)
		}
	}
	c.BaseURL = strings.TrimRight(get("base-url"), "/")
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	} else if u, e := url.Parse(c.BaseURL); e != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad(find("base-url"), "want an http:// or https:// URL, got %q", c.BaseURL)
	}
	c.SMTPURL = get("smtp-url")
	if c.SMTPURL != "" {
		sc, e := ogmail.ParseSMTPURL(c.SMTPURL)
		if e != nil {
			return nil, bad(find("smtp-url"), "%v", e)
		}
		c.SMTP = &sc
	}
	c.MailFrom = get("mail-from")
	if _, e := mail.ParseAddress(c.MailFrom); e != nil {
		return nil, bad(find("mail-from"), "not a valid address: %q", c.MailFrom)
	}
	if c.SecureCookies, err = boolean("secure-cookies"); err != nil {
		return nil, err
	}
	if c.RateLimit, err = integer("rate-limit", 0, 1000000); err != nil {
		return nil, err
	}
	c.Timezone = get("timezone")
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" || c.Timezone == "Local" {
		return nil, bad(find("timezone"), "want an IANA time zone name such as Europe/Paris, got %q", c.Timezone)
	}
	c.LogFormat = get("log-format")
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, bad(find("log-format"), "want text or json, got %q", c.LogFormat)
	}
	c.LogLevel = get("log-level")
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, bad(find("log-level"), "want debug, info, warn or error, got %q", c.LogLevel)
	}
	c.MetricsToken = get("metrics-token")
	if c.MetricsPublic, err = boolean("metrics-public"); err != nil {
		return nil, err
	}
	if c.TrustProxy, err = boolean("trust-proxy"); err != nil {
		return nil, err
	}
	if c.Workers, err = integer("workers", 0, 64); err != nil {
		return nil, err
	}
	return c, nil
}

// MailDir is where mail goes when no SMTP server is set.
func (c *Config) MailDir() string { return filepath.Join(c.DataDir, "mail") }
