package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/mail"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

const (
	frenchSubject = "Inscription confirmée — forum de décembre"
	frenchText    = "Bonjour Camille,\n\nVotre inscription au forum du 12 décembre est confirmée. À bientôt !\n"
	invitation    = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ogforum//test//FR\r\nBEGIN:VEVENT\r\nUID:forum-12@ogforum\r\nDTSTART:20301212T090000Z\r\nSUMMARY:Forum de décembre\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

func invitationMessage(to string) mail.Message {
	return mail.Message{
		To:      to,
		Subject: frenchSubject,
		Text:    frenchText,
		HTML:    "<p>Votre inscription est <strong>confirmée</strong>.</p>",
		Attachments: []mail.Attachment{
			{Filename: "forum.ics", ContentType: "text/calendar", Data: []byte(invitation)},
		},
	}
}

// part is one leaf of a parsed MIME message, decoded.
type part struct {
	ContentType string
	Filename    string
	Body        []byte
}

// leaves walks a MIME entity and returns its decoded leaf parts.
func leaves(t *testing.T, header map[string][]string, body io.Reader) []part {
	t.Helper()
	h := netmail.Header(header)
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		var out []part
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			out = append(out, leaves(t, p.Header, p)...)
		}
	}
	var dec io.Reader = body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		dec = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(dec)
	if err != nil {
		t.Fatalf("decode %s part: %v", mediaType, err)
	}
	p := part{ContentType: mediaType, Body: data}
	if _, dparams, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		p.Filename = dparams["filename"]
	}
	return []part{p}
}

// checkMessage parses raw as a mail and checks it carries the invitation.
func checkMessage(t *testing.T, raw []byte, from, to string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a mail: %v\n%s", err, raw)
	}
	if a, err := netmail.ParseAddress(msg.Header.Get("From")); err != nil || a.Address != from {
		t.Errorf("From %q (%v), want %s", msg.Header.Get("From"), err, from)
	}
	if a, err := netmail.ParseAddress(msg.Header.Get("To")); err != nil || a.Address != to {
		t.Errorf("To %q (%v), want %s", msg.Header.Get("To"), err, to)
	}
	rawSubject := msg.Header.Get("Subject")
	for _, r := range rawSubject {
		if r > 127 {
			t.Errorf("Subject header is not MIME-encoded: %q", rawSubject)
			break
		}
	}
	if s, err := new(mime.WordDecoder).DecodeHeader(rawSubject); err != nil || s != frenchSubject {
		t.Errorf("Subject decodes to %q (%v), want %q", s, err, frenchSubject)
	}
	if msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" {
		t.Errorf("missing Message-Id or Date: %v", msg.Header)
	}
	var text, html, ics *part
	parts := leaves(t, msg.Header, msg.Body)
	for i, p := range parts {
		switch {
		case p.Filename == "forum.ics":
			ics = &parts[i]
		case p.ContentType == "text/plain":
			text = &parts[i]
		case p.ContentType == "text/html":
			html = &parts[i]
		}
	}
	if text == nil || strings.ReplaceAll(string(text.Body), "\r\n", "\n") != frenchText {
		t.Errorf("text part %+v, want %q", text, frenchText)
	}
	if html == nil || !strings.Contains(string(html.Body), "<strong>confirmée</strong>") {
		t.Errorf("html part %+v", html)
	}
	if ics == nil || ics.ContentType != "text/calendar" || string(ics.Body) != invitation {
		t.Errorf("attachment %+v, want text/calendar forum.ics with the invitation", ics)
	}
}

func TestFileSenderWritesOneParseableMessagePerMail(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := filepath.Join(t.TempDir(), "outbox")
		q := mailQueue(db, mail.FileSender{Dir: dir, From: "ogforum <forum@example.gouv.fr>"})
		ids := []string{
			queueMail(t, db, invitationMessage("camille@example.org")),
			queueMail(t, db, invitationMessage("dominique@example.org")),
		}
		for range ids {
			if worked, err := q.RunOnce(ctx); !worked || err != nil {
				t.Fatalf("RunOnce: %v, %v", worked, err)
			}
		}
		for _, id := range ids {
			if e := entry(t, db, id); e.Status != "done" || e.SentAt == nil {
				t.Errorf("mail %s after writing: %+v", id, e)
			}
		}
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != len(ids) {
			t.Fatalf("%d files in the outbox directory, want %d: %v", len(files), len(ids), files)
		}
		for i, id := range ids {
			matches, _ := filepath.Glob(filepath.Join(dir, "*-"+id+".eml"))
			if len(matches) != 1 {
				t.Fatalf("mail %s: files %v", id, matches)
			}
			raw, err := os.ReadFile(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			checkMessage(t, raw, "forum@example.gouv.fr", []string{"camille@example.org", "dominique@example.org"}[i])
		}
	})
}
