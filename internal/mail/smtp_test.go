package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

// received is one message as the test SMTP server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the session was encrypted when DATA came
	User string // the authenticated user, if any
}

// smtpServer is a real SMTP server (go-smtp) that keeps what it receives.
type smtpServer struct {
	Addr string
	Port int

	user, pass string // when set, AUTH PLAIN with these is required

	mu       sync.Mutex
	messages []received
	authSeen int // AUTH attempts, successful or not
}

func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.messages...)
}

func (s *smtpServer) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authSeen
}

func (s *smtpServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{srv: s, conn: c}, nil
}

type smtpSession struct {
	srv  *smtpServer
	conn *smtp.Conn
	user string
	cur  received
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.srv.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		s.srv.mu.Lock()
		s.srv.authSeen++
		s.srv.mu.Unlock()
		if username != s.srv.user || password != s.srv.pass {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = received{From: from}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = data
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.User = s.user
	s.srv.mu.Lock()
	s.srv.messages = append(s.srv.messages, s.cur)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }

type tlsMode int

const (
	plainOnly   tlsMode = iota // no TLS at all
	startTLS                   // STARTTLS offered
	implicitTLS                // TLS from the first byte (smtps)
)

// startSMTP runs a server on a free local port until the test ends.
func startSMTP(t *testing.T, mode tlsMode, cert tls.Certificate, user, pass string) *smtpServer {
	t.Helper()
	s := &smtpServer{user: user, pass: pass}
	srv := smtp.NewServer(s)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = mode == plainOnly
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch mode {
	case startTLS:
		srv.TLSConfig = tlsConf
	case implicitTLS:
		ln = tls.NewListener(ln, tlsConf)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	return s
}

// testCert makes a self-signed certificate for 127.0.0.1 and the pool that
// trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ogforum test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// sender parses rawURL as OGFORUM_SMTP_URL would be and trusts pool.
func sender(t *testing.T, rawURL string, pool *x509.CertPool) *mail.SMTPSender {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(rawURL)
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", rawURL, err)
	}
	if pool != nil {
		cfg.TLSConfig = &tls.Config{RootCAs: pool}
	}
	return mail.NewSMTPSender(cfg, "forum@example.gouv.fr")
}

func storedMail(to string) *mail.Stored {
	id := store.NewID()
	return &mail.Stored{
		ID:        id,
		Recipient: to,
		Subject:   frenchSubject,
		Text:      frenchText,
		HTML:      "<p>Votre inscription est <strong>confirmée</strong>.</p>",
		MessageID: "<" + id + "@ogforum>",
		CreatedAt: store.Now(),
		Attach:    []mail.Attachment{{Filename: "forum.ics", ContentType: "text/calendar", Data: []byte(invitation)}},
	}
}

func sendCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSMTPSenderUpgradesWithSTARTTLS(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	srv := startSMTP(t, startTLS, cert, "", "")
	url := fmt.Sprintf("smtp://127.0.0.1:%d", srv.Port)

	// Without the test CA the certificate is refused: it is checked.
	if err := sender(t, url, nil).Send(sendCtx(t), storedMail("camille@example.org")); err == nil {
		t.Fatal("sent over STARTTLS to a server whose certificate nobody trusts")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("server got %d messages over an untrusted connection", n)
	}

	if err := sender(t, url, pool).Send(sendCtx(t), storedMail("camille@example.org")); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS {
		t.Fatalf("received %+v, want one message over TLS", msgs)
	}
	if msgs[0].From != "forum@example.gouv.fr" || len(msgs[0].To) != 1 || msgs[0].To[0] != "camille@example.org" {
		t.Fatalf("envelope from %q to %v", msgs[0].From, msgs[0].To)
	}
	checkMessage(t, msgs[0].Data, "forum@example.gouv.fr", "camille@example.org")
}

func TestSMTPSenderAuthenticates(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	const user, pass = "forum@example.gouv.fr", "p@ss:w/rd%é"
	srv := startSMTP(t, startTLS, cert, user, pass)
	withCreds := func(password string) string {
		return fmt.Sprintf("smtp://%s@127.0.0.1:%d?tls=required", url.UserPassword(user, password).String(), srv.Port)
	}

	if err := sender(t, withCreds("wrong"), pool).Send(sendCtx(t), storedMail("camille@example.org")); err == nil {
		t.Fatal("sent with a wrong password")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("server accepted %d messages after a failed AUTH", n)
	}

	if err := sender(t, withCreds(pass), pool).Send(sendCtx(t), storedMail("camille@example.org")); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].User != user || !msgs[0].TLS {
		t.Fatalf("received %+v, want one message from %s over TLS", msgs, user)
	}
}

// A password is never sent over a connection without TLS, even to a
// server that would accept it.
func TestSMTPSenderKeepsPasswordOffPlainConnections(t *testing.T) {
	t.Parallel()
	cert, _ := testCert(t)
	srv := startSMTP(t, plainOnly, cert, "forum", "secret")
	err := sender(t, fmt.Sprintf("smtp://forum:secret@127.0.0.1:%d", srv.Port), nil).Send(sendCtx(t), storedMail("camille@example.org"))
	if err == nil {
		t.Fatal("sent with credentials over a plain connection")
	}
	if n := srv.AuthAttempts(); n != 0 {
		t.Fatalf("the client tried AUTH %d times without TLS", n)
	}
}

func TestSMTPSenderImplicitTLS(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	srv := startSMTP(t, implicitTLS, cert, "forum", "secret")
	if err := sender(t, fmt.Sprintf("smtps://forum:secret@127.0.0.1:%d", srv.Port), pool).Send(sendCtx(t), storedMail("dominique@example.org")); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != "forum" || msgs[0].To[0] != "dominique@example.org" {
		t.Fatalf("received %+v, want one authenticated message over TLS", msgs)
	}
}

// With ?tls=required, a server without STARTTLS gets nothing; through the
// queue the mail stays pending with the reason shown in the outbox.
func TestSMTPRequiredTLSFailureStaysPending(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	srv := startSMTP(t, plainOnly, cert, "", "")
	s := sender(t, fmt.Sprintf("smtp://127.0.0.1:%d?tls=required", srv.Port), pool)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		id := queueMail(t, db, invitationMessage("camille@example.org"))
		if worked, err := mailQueue(db, s).RunOnce(sendCtx(t)); !worked || err != nil {
			t.Fatalf("RunOnce: %v, %v", worked, err)
		}
		e := entry(t, db, id)
		if e.Status != "pending" || e.Attempts != 1 || e.SentAt != nil || !strings.Contains(e.LastError, "STARTTLS") {
			t.Fatalf("outbox entry %+v, want pending after 1 attempt with a STARTTLS error", e)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("server got %d messages without TLS", n)
		}
	})
}

func TestSMTPThroughQueueMarksSent(t *testing.T) {
	t.Parallel()
	cert, pool := testCert(t)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		srv := startSMTP(t, startTLS, cert, "", "")
		q := mailQueue(db, sender(t, fmt.Sprintf("smtp://127.0.0.1:%d", srv.Port), pool))
		id := queueMail(t, db, invitationMessage("camille@example.org"))
		if worked, err := q.RunOnce(sendCtx(t)); !worked || err != nil {
			t.Fatalf("RunOnce: %v, %v", worked, err)
		}
		e := entry(t, db, id)
		if e.Status != "done" || e.Attempts != 1 || e.SentAt == nil || e.LastError != "" {
			t.Fatalf("outbox entry %+v, want done and sent", e)
		}
		if worked, err := q.RunOnce(sendCtx(t)); worked || err != nil {
			t.Fatalf("second RunOnce: %v, %v; want nothing left", worked, err)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "camille@example.org" {
			t.Fatalf("received %+v, want one message to camille@example.org", msgs)
		}
		checkMessage(t, msgs[0].Data, "forum@example.gouv.fr", "camille@example.org")
	})
}
