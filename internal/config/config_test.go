package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func parse(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	build := Register(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return build()
}

func TestDefaults(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Database != "data/ogforum.db" || c.BaseURL != "http://127.0.0.1:8080" || c.SMTP != nil || c.RateLimit != 10 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestEnvironmentAndFlags(t *testing.T) {
	c, err := parse(t, map[string]string{"OGFORUM_RATE_LIMIT": "0", "OGFORUM_DATABASE": "postgres://u@h/db", "OGFORUM_SMTP_URL": "smtps://a:b@mail.example.org"}, "--addr", ":9000")
	if err != nil {
		t.Fatal(err)
	}
	if c.Location == nil || c.Location.String() != "Europe/Paris" {
		t.Errorf("time zone %v, want Europe/Paris by default", c.Location)
	}
	if c, err = parse(t, map[string]string{"OGFORUM_TIMEZONE": "America/Montreal"}); err != nil || c.Location.String() != "America/Montreal" {
		t.Errorf("OGFORUM_TIMEZONE=America/Montreal: %v, %v", c, err)
	}
	c, _ = parse(t, map[string]string{"OGFORUM_RATE_LIMIT": "0", "OGFORUM_DATABASE": "postgres://u@h/db", "OGFORUM_SMTP_URL": "smtps://a:b@mail.example.org"}, "--addr", ":9000")
	if c.RateLimit != 0 || c.Addr != ":9000" || c.SMTP == nil || !c.SMTP.ImplicitTLS || c.SMTP.Port != 465 || c.SMTP.Username != "a" {
		t.Fatalf("unexpected config: %+v %+v", c, c.SMTP)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	cases := map[string]string{
		"OGFORUM_RATE_LIMIT":     "many",
		"OGFORUM_ADDR":           "localhost",
		"OGFORUM_SMTP_URL":       "http://mail",
		"OGFORUM_SECURE_COOKIES": "perhaps",
		"OGFORUM_BASE_URL":       "ftp://x",
		"OGFORUM_DATABASE":       "mysql://x",
		"OGFORUM_MAIL_FROM":      "not an address",
		"OGFORUM_LOG_FORMAT":     "xml",
		"OGFORUM_TIMEZONE":       "Paris",
	}
	for env, val := range cases {
		_, err := parse(t, map[string]string{env: val})
		if err == nil || !strings.Contains(err.Error(), env) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s=%q: error %v, want one line naming the setting", env, val, err)
		}
	}
}
