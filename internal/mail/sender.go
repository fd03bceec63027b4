package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender delivers one stored mail.
type Sender interface {
	Send(ctx context.Context, m *Stored) error
}

// Compose renders m as an RFC 5322 message from the given sender address.
func Compose(from string, m *Stored) ([]byte, error) {
	msg, err := build(from, m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func build(from string, m *Stored) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	if err := msg.To(m.Recipient); err != nil {
		return nil, fmt.Errorf("mail to %q: %w", m.Recipient, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attach {
		msg.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	return msg, nil
}

// FileSender writes each mail as an .eml file in Dir, for machines with no
// SMTP server; admins read them from the outbox page.
type FileSender struct {
	Dir  string
	From string
}

// Send writes the message atomically (temporary file, then rename).
func (f FileSender) Send(_ context.Context, m *Stored) error {
	raw, err := Compose(f.From, m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.Dir, 0o750); err != nil {
		return err
	}
	name := filepath.Join(f.Dir, m.CreatedAt.UTC().Format("20060102T150405Z")+"-"+m.ID+".eml")
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// SMTPSender sends over SMTP as configured by an smtp:// or smtps:// URL.
type SMTPSender struct {
	From string
	cfg  SMTPConfig
}

// SMTPConfig is the parsed OGFORUM_SMTP_URL.
type SMTPConfig struct {
	Host        string
	Port        int
	Username    string
	Password    string
	ImplicitTLS bool // smtps://
	RequireTLS  bool // ?tls=required
	// TLSConfig overrides certificate checks (tests with a self-signed server).
	TLSConfig *tls.Config
}

// ParseSMTPURL reads smtp://user:pass@host:port[?tls=required] or
// smtps://user:pass@host:port.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included, and this
		// message ends up in logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return SMTPConfig{}, fmt.Errorf("not a URL: %v", err)
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return c, fmt.Errorf("scheme must be smtp:// or smtps://, not %q", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, fmt.Errorf("missing host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	switch t := u.Query().Get("tls"); t {
	case "", "opportunistic":
	case "required":
		c.RequireTLS = true
	default:
		return c, fmt.Errorf("tls must be \"required\" or absent, not %q", t)
	}
	return c, nil
}

// NewSMTPSender makes a sender for c.
func NewSMTPSender(c SMTPConfig, from string) *SMTPSender {
	return &SMTPSender{From: from, cfg: c}
}

// Send dials the server, sends m and closes the connection.
func (s *SMTPSender) Send(ctx context.Context, m *Stored) error {
	msg, err := build(s.From, m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(30 * time.Second)}
	switch {
	case s.cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.cfg.RequireTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	tlsConf := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		// STARTTLS checks the certificate against ServerName, which the
		// override may leave empty.
		tlsConf = s.cfg.TLSConfig.Clone()
		if tlsConf.ServerName == "" {
			tlsConf.ServerName = s.cfg.Host
		}
	}
	opts = append(opts, gomail.WithTLSConfig(tlsConf))
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	return client.DialAndSendWithContext(ctx, msg)
}
