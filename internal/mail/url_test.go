package mail_test

import (
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/mail"
)

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url  string
		want mail.SMTPConfig
		bad  bool
	}{
		{url: "smtp://mail.example.org", want: mail.SMTPConfig{Host: "mail.example.org", Port: 587}},
		{url: "smtps://mail.example.org", want: mail.SMTPConfig{Host: "mail.example.org", Port: 465, ImplicitTLS: true}},
		{url: "smtp://relay:25", want: mail.SMTPConfig{Host: "relay", Port: 25}},
		{url: "smtp://mail.example.org?tls=required", want: mail.SMTPConfig{Host: "mail.example.org", Port: 587, RequireTLS: true}},
		{url: "smtp://mail.example.org:2525?tls=opportunistic", want: mail.SMTPConfig{Host: "mail.example.org", Port: 2525}},
		{url: "smtp://[::1]:1025", want: mail.SMTPConfig{Host: "::1", Port: 1025}},
		{url: "smtp://forum:secret@mail.example.org", want: mail.SMTPConfig{Host: "mail.example.org", Port: 587, Username: "forum", Password: "secret"}},
		{
			url:  "smtps://forum%40example.gouv.fr:p%40ss%3Aw%2Frd%25%C3%A9%20x@mail.example.org:465",
			want: mail.SMTPConfig{Host: "mail.example.org", Port: 465, ImplicitTLS: true, Username: "forum@example.gouv.fr", Password: "p@ss:w/rd%é x"},
		},
		{url: "smtp://apikey@mail.example.org", want: mail.SMTPConfig{Host: "mail.example.org", Port: 587, Username: "apikey"}},
		{url: "http://mail.example.org", bad: true},
		{url: "mail.example.org:587", bad: true},
		{url: "", bad: true},
		{url: "smtp://", bad: true},
		{url: "smtp://:587", bad: true},
		{url: "smtp://user:pass@:587", bad: true},
		{url: "smtp://mail.example.org:0", bad: true},
		{url: "smtp://mail.example.org:65536", bad: true},
		{url: "smtp://mail.example.org:smtp", bad: true},
		{url: "smtp://mail.example.org?tls=maybe", bad: true},
		{url: "smtp://forum:s3cret%zz@mail.example.org", bad: true},
		{url: "smtp://forum:s3cret@mail.example.org:port", bad: true},
		{url: "smtp://forum:s3cret@mail.example.org:99999", bad: true},
		{url: "ftp://forum:s3cret@mail.example.org", bad: true},
	}
	for _, c := range cases {
		got, err := mail.ParseSMTPURL(c.url)
		if c.bad {
			if err == nil {
				t.Errorf("ParseSMTPURL(%q) = %+v, want an error", c.url, got)
			} else if strings.Contains(err.Error(), "s3cret") {
				// The message is shown at start-up and logged.
				t.Errorf("ParseSMTPURL(%q): error %q reveals the password", c.url, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}
