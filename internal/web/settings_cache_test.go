package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ogforum/ogforum/internal/auth"
	"github.com/ogforum/ogforum/internal/settings"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
	"github.com/ogforum/ogforum/internal/web/webtest"
)

// The site settings are kept between requests (see Server.settings); these
// tests check that a saved change still shows when it should.

func homeShows(t *testing.T, env *webtest.Env, text string) bool {
	t.Helper()
	resp, err := http.Get(env.HTTP.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %v %v", resp.Status, err)
	}
	return strings.Contains(string(b), text)
}

func TestSettingsSavedShowOnTheNextPage(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		admin := env.SignedIn(t, auth.Admin, "admin@example.org")
		if !homeShows(t, env, settings.Defaults.SiteName) { // the defaults are now kept
			t.Fatalf("home page without the default site name")
		}
		req, _ := http.NewRequest(http.MethodPut, env.HTTP.URL+"/api/v1/settings", strings.NewReader(`{"site_name": "Forum renommé"}`))
		req.Header.Set("Authorization", "Bearer "+admin.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT /api/v1/settings: %s", resp.Status)
		}
		if !homeShows(t, env, "Forum renommé") {
			t.Errorf("the home page right after the save does not show the new site name")
		}
	})
}

func TestSettingsSavedElsewhereShowWithinSeconds(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		env := webtest.New(t, db)
		if !homeShows(t, env, settings.Defaults.SiteName) {
			t.Fatalf("home page without the default site name")
		}
		// Another process sharing the database saves a change.
		st := settings.Defaults
		st.SiteName = "Forum d'un autre processus"
		if fe, err := settings.Save(context.Background(), db, st); err != nil || len(fe) > 0 {
			t.Fatal(fe, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !homeShows(t, env, "Forum d&#39;un autre processus") {
			if time.Now().After(deadline) {
				t.Fatal("a change saved by another process does not show after 5 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
