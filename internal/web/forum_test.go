package web_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

type regAnswer struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	WaitlistPosition int    `json:"waitlist_position"`
	ManageToken      string `json:"manage_token"`
}

// openForum creates a series and an open forum of capacity seats through
// the API, as the organiser.
func openForum(t *testing.T, e *webtest.Env, org *webtest.Person, capacity int) string {
	t.Helper()
	a := send(t, e, "POST", "/api/v1/series", bearer(org.Token), jsonBody(`{"title":"Forum OGP","weekday":2,"week_of_month":3,"first_month":"2026-01","capacity":80,"venue":"Ministère"}`))
	var series struct{ ID string }
	decode(t, a, http.StatusCreated, &series)
	start := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Hour)
	body, _ := json.Marshal(map[string]any{
		"title": "Forum de mars", "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339),
		"venue": "Salle Émile-Zola", "address": "1 rue de Grenelle, Paris", "capacity": capacity, "series_id": series.ID,
	})
	a = send(t, e, "POST", "/api/v1/forums", bearer(org.Token), jsonBody(string(body)))
	var f struct{ ID, Status string }
	decode(t, a, http.StatusCreated, &f)
	if f.Status != "draft" {
		t.Fatalf("new forum status %q", f.Status)
	}
	if a := send(t, e, "GET", "/api/v1/forums/"+f.ID); a.StatusCode != http.StatusNotFound {
		t.Fatalf("draft visible to the public: %s", a)
	}
	decode(t, send(t, e, "POST", "/api/v1/forums/"+f.ID+"/open", bearer(org.Token)), http.StatusOK, &f)
	if f.Status != "open" {
		t.Fatalf("opened forum status %q", f.Status)
	}
	return f.ID
}

func registerAPI(t *testing.T, e *webtest.Env, forumID, first, last, email string) regAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"first_name": first, "last_name": last, "email": email, "organisation": "Asso " + last,
		"college": "civil_society", "consent": true, "needs": "rampe"})
	var r regAnswer
	decode(t, send(t, e, "POST", "/api/v1/forums/"+forumID+"/registrations", jsonBody(string(body))), http.StatusCreated, &r)
	return r
}

func TestForumAPIAndPages(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		e := webtest.New(t, db)
		org := e.SignedIn(t, auth.Organiser, "orga@example.org")
		member := e.SignedIn(t, auth.Member, "member@example.org")

		// Access: creating is for organisers.
		errorOf(t, send(t, e, "POST", "/api/v1/forums", jsonBody(`{}`)), http.StatusUnauthorized)
		errorOf(t, send(t, e, "POST", "/api/v1/forums", bearer(member.Token), jsonBody(`{}`)), http.StatusForbidden)
		bad := errorOf(t, send(t, e, "POST", "/api/v1/forums", bearer(org.Token), jsonBody(`{"title":"","capacity":0}`)), http.StatusUnprocessableEntity)
		if bad.Fields["title"] == "" || bad.Fields["capacity"] == "" {
			t.Errorf("422 without the fields: %+v", bad)
		}
		errorOf(t, send(t, e, "GET", "/api/v1/forums/"+store.NewID()), http.StatusNotFound)

		id := openForum(t, e, org, 2)
		a := registerAPI(t, e, id, "Ana", "Martin", "ana@example.org")
		b := registerAPI(t, e, id, "Bruno", "Petit", "bruno@example.org")
		c := registerAPI(t, e, id, "Chloé", "Durand", "chloe@example.org")
		if a.Status != "confirmed" || b.Status != "confirmed" || c.Status != "waitlisted" || c.WaitlistPosition != 1 || a.ManageToken == "" {
			t.Fatalf("statuses %+v %+v %+v", a, b, c)
		}
		// The same address twice: 409 with the existing status.
		dup := send(t, e, "POST", "/api/v1/forums/"+id+"/registrations", jsonBody(`{"name":"Chloé Durand","email":"CHLOE@example.org","college":"civil_society","consent":true}`))
		var d struct {
			Error            apiError
			Status           string
			WaitlistPosition int `json:"waitlist_position"`
		}
		decode(t, dup, http.StatusConflict, &d)
		if d.Status != "waitlisted" || d.WaitlistPosition != 1 || d.Error.Code == "" {
			t.Errorf("duplicate answer %s", dup.Body)
		}
		// Refusals with their fields.
		noConsent := errorOf(t, send(t, e, "POST", "/api/v1/forums/"+id+"/registrations", jsonBody(`{"name":"Dan Roux","email":"not-an-address","college":"civil_society"}`)), http.StatusUnprocessableEntity)
		if noConsent.Fields["consent"] == "" || noConsent.Fields["email"] == "" {
			t.Errorf("refusal fields %+v", noConsent)
		}

		// The public read carries seats and no personal data.
		pub := send(t, e, "GET", "/api/v1/forums/"+id)
		var pf struct {
			SeatsLeft int `json:"seats_left"`
			Status    string
		}
		decode(t, pub, http.StatusOK, &pf)
		if pf.SeatsLeft != 0 || pf.Status != "open" {
			t.Errorf("public forum %s", pub.Body)
		}
		for _, secret := range []string{"ana@example.org", "Martin", a.ManageToken, "rampe"} {
			if strings.Contains(pub.Body, secret) || strings.Contains(send(t, e, "GET", "/forums/"+id).Body, secret) {
				t.Errorf("public answer shows %q", secret)
			}
		}
		errorOf(t, send(t, e, "GET", "/api/v1/forums/"+id+"/registrations"), http.StatusUnauthorized)
		errorOf(t, send(t, e, "GET", "/api/v1/forums/"+id+"/registrations", bearer(member.Token)), http.StatusForbidden)
		if l := send(t, e, "GET", "/api/v1/forums/"+id+"/registrations", bearer(org.Token)); l.StatusCode != 200 || !strings.Contains(l.Body, "ana@example.org") {
			t.Errorf("organiser list %s", l)
		}

		// A wrong token changes nothing; the right one frees the seat for
		// the first person waiting.
		errorOf(t, send(t, e, "DELETE", "/api/v1/registrations/"+a.ID+"?token=wrong"), http.StatusForbidden)
		errorOf(t, send(t, e, "DELETE", "/api/v1/registrations/"+a.ID), http.StatusUnauthorized)
		var cancelled struct {
			Status   string
			Promoted []string
		}
		decode(t, send(t, e, "DELETE", "/api/v1/registrations/"+a.ID+"?token="+url.QueryEscape(a.ManageToken)), http.StatusOK, &cancelled)
		if cancelled.Status != "cancelled" || len(cancelled.Promoted) != 1 || cancelled.Promoted[0] != c.ID {
			t.Errorf("cancel answer %+v", cancelled)
		}
		// Promotion mails a new personal link: the old one no longer opens.
		if p := send(t, e, "GET", "/registrations/"+c.ID+"?token="+url.QueryEscape(c.ManageToken)); p.StatusCode != http.StatusNotFound {
			t.Errorf("promoted person's old link: %s", p)
		}
		if l := send(t, e, "GET", "/api/v1/forums/"+id+"/registrations?status=confirmed", bearer(org.Token)); !strings.Contains(l.Body, "chloe@example.org") {
			t.Errorf("Chloé not confirmed: %s", l.Body)
		}

		// The public form: a name that looks like markup is shown as text.
		f := send(t, e, "POST", "/forums/"+id+"/register", form("first_name", "<script>alert(1)</script>", "last_name", "Zoé",
			"email", "zoe@example.org", "college", "civil_society", "consent", "1"))
		if f.StatusCode != http.StatusSeeOther {
			t.Fatalf("form registration: %s", f)
		}
		page := send(t, e, "GET", f.Header.Get("Location"))
		if strings.Contains(page.Body, "<script>alert") || !strings.Contains(page.Body, "&lt;script&gt;") || !strings.Contains(page.text(), fr("forumweb.reg.waiting", "position", 1)) {
			t.Errorf("registration page: %s", page.Body)
		}
		again := send(t, e, "POST", "/forums/"+id+"/register", form("first_name", "Zoé", "last_name", "Zoé", "email", "zoe@example.org", "college", "civil_society", "consent", "1"))
		if again.StatusCode != http.StatusConflict || !strings.Contains(again.text(), fr("forumweb.duplicate_waiting", "position", 1)) {
			t.Errorf("duplicate form: %s", again)
		}
		noConsentForm := send(t, e, "POST", "/forums/"+id+"/register", form("first_name", "Yves", "last_name", "Roy", "email", "yves@example.org", "college", "civil_society"))
		if noConsentForm.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(noConsentForm.text(), fr("error.consent_required")) {
			t.Errorf("no consent: %s", noConsentForm)
		}

		// Check-in by the API, then the organiser's pages.
		if ci := send(t, e, "POST", "/api/v1/registrations/"+b.ID+"/check-in", bearer(org.Token)); ci.StatusCode != http.StatusOK {
			t.Errorf("check-in %s", ci)
		}
		for _, p := range []string{"/forums/" + id + "/registrations", "/forums/" + id + "/checkin?q=petit", "/forums/" + id + "/agenda", "/series", "/forums/" + id + "/edit"} {
			if a := send(t, e, "GET", p, withCookie(org.Cookie)); a.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %s", p, a)
			}
		}

		checkCalendarAndFeed(t, e, id)
		checkAttendance(t, e, org, id)
	})
}

func checkCalendarAndFeed(t *testing.T, e *webtest.Env, id string) {
	t.Helper()
	for _, p := range []string{"/forums/" + id + "/calendar.ics", "/forums/calendar.ics"} {
		a := send(t, e, "GET", p)
		if a.StatusCode != 200 || !strings.HasPrefix(a.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("%s: %s", p, a)
		}
		lines := strings.Split(strings.TrimSuffix(a.Body, "\r\n"), "\r\n")
		if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
			t.Errorf("%s: not a calendar: %q", p, a.Body)
		}
		props := map[string]bool{}
		for _, l := range lines {
			if strings.Contains(l, "\n") {
				t.Errorf("%s: bare LF in %q", p, l)
			}
			name, _, _ := strings.Cut(l, ":")
			props[strings.SplitN(name, ";", 2)[0]] = true
		}
		for _, want := range []string{"BEGIN", "UID", "DTSTAMP", "DTSTART", "DTEND", "LOCATION", "URL", "SUMMARY"} {
			if !props[want] {
				t.Errorf("%s: no %s", p, want)
			}
		}
	}
	a := send(t, e, "GET", "/forums/feed.atom")
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Entries []struct {
			ID, Title, Updated string
			Link               struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(a.Body), &feed); err != nil || a.StatusCode != 200 {
		t.Fatalf("atom: %v %s", err, a)
	}
	if feed.ID == "" || feed.Title == "" || len(feed.Entries) != 1 || !strings.HasSuffix(feed.Entries[0].Link.Href, "/forums/"+id) {
		t.Errorf("atom feed %+v", feed)
	}
	if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil {
		t.Errorf("atom updated %q", feed.Updated)
	}
}

func checkAttendance(t *testing.T, e *webtest.Env, org *webtest.Person, id string) {
	t.Helper()
	if a := send(t, e, "GET", "/forums/"+id+"/attendance.pdf"); !a.redirectsTo("/sign-in") {
		t.Errorf("public PDF: %s", a)
	}
	pdf := send(t, e, "GET", "/forums/"+id+"/attendance.pdf", bearer(org.Token))
	if pdf.StatusCode != 200 || !strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("pdf: %s", pdf)
	}
	if path, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command(path, "-", "-")
		cmd.Stdin = strings.NewReader(pdf.Body)
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), "Chloé") || !strings.Contains(string(out), "Salle Émile-Zola") {
			t.Errorf("pdf text (%v): %s", err, out)
		}
	}
	excel := send(t, e, "GET", "/forums/"+id+"/attendance.csv", withCookie(org.Cookie))
	if !strings.HasPrefix(excel.Body, "\ufeff") || !strings.Contains(excel.Body, ";Durand;Chloé;") {
		t.Errorf("excel csv: %q", excel.Body)
	}
	open := send(t, e, "GET", "/forums/"+id+"/attendance.csv?format=open", bearer(org.Token))
	if strings.HasPrefix(open.Body, "\ufeff") || !strings.Contains(open.Body, ",Durand,Chloé,") {
		t.Errorf("open csv: %q", open.Body)
	}
	x := send(t, e, "GET", "/forums/"+id+"/attendance.xlsx", bearer(org.Token))
	book, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil || len(rows) < 3 {
		t.Fatalf("xlsx rows %v %v", rows, err)
	}
}
