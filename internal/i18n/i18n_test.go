package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
	"github.com/ogforum/ogforum/internal/forum"
	"github.com/ogforum/ogforum/internal/i18n"
	"github.com/ogforum/ogforum/internal/plan"
)

// Both languages must have exactly the same keys, none empty.
func TestLanguagesHaveTheSameKeys(t *testing.T) {
	c := i18n.MustLoad()
	for _, a := range i18n.Languages {
		for _, b := range i18n.Languages {
			for _, k := range c.Keys(a) {
				if !c.Has(b, k) {
					t.Errorf("key %q is in %s but missing in %s", k, a, b)
				}
			}
		}
		for _, k := range c.Keys(a) {
			if strings.TrimSpace(c.T(a, k)) == "" {
				t.Errorf("key %q is empty in %s", k, a)
			}
		}
	}
}

var (
	templateKey = regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	// Form partials take their label and hint keys as arguments.
	templateArgs = regexp.MustCompile(`\.(?:Field|Select|Checkboxes|Textarea|CollegeOptions)((?: "[^"]*")+)`)
	quotedKey    = regexp.MustCompile(`"([a-z0-9_]+\.[a-z0-9_.]+)"`)
	// Go code names keys as field errors ("error.*") and in calls to T:
	// p.T("key"), cat.T(lang, "key"), s.i18n.T(state(r).Lang, "key").
	goKeys = []*regexp.Regexp{
		regexp.MustCompile(`"(error\.[a-z0-9_.]+)"`),
		regexp.MustCompile(`\.T\("([a-z0-9_.]+)"`),
		regexp.MustCompile(`\.T\([^,()]*(?:\([^()]*\))?[^,()]*, "([a-z0-9_.]+)"`),
	}
)

// Every key used by a template or by Go code exists in every language, and
// so do the keys templates build at run time.
func TestEveryUsedKeyExists(t *testing.T) {
	c := i18n.MustLoad()
	used := map[string]string{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var res []*regexp.Regexp
		switch {
		case strings.HasSuffix(p, ".html"):
			res = []*regexp.Regexp{templateKey}
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			res = goKeys
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, re := range res {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ".") { // a prefix completed at run time
					used[m[1]] = p
				}
			}
		}
		if strings.HasSuffix(p, ".html") {
			for _, m := range templateArgs.FindAllStringSubmatch(string(b), -1) {
				for _, k := range quotedKey.FindAllStringSubmatch(m[1], -1) {
					used[k[1]] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for _, status := range []string{"400", "403", "404", "413", "429", "500"} {
		used["errorpage."+status+".title"] = "error.html"
		used["errorpage."+status+".text"] = "error.html"
		used["error."+status] = "errorPage"
	}
	for _, r := range []string{"admin", "organiser", "agent", "member"} {
		used["role."+r] = "role names"
	}
	for _, s := range []string{"pending", "running", "done", "failed"} {
		used["job.status."+s] = "outbox"
	}
	for _, k := range directory.Kinds {
		used["kind."+k] = "kinds"
	}
	for _, c := range []string{directory.CollegeAdministration, directory.CollegeCivilSociety} {
		used["college."+c] = "colleges"
	}
	for _, m := range []string{directory.MethodForm, directory.MethodImport, directory.MethodInPerson} {
		used["consent.method."+m] = "consent methods"
	}
	for _, c := range directory.ConsentFilters {
		used["consent.filter."+c] = "consent filters"
	}
	for _, c := range []string{directory.PurposeInfo, directory.PurposeInvitations} {
		used["consent.purpose."+c] = "consent purposes"
	}
	for _, f := range directory.ImportFields {
		used["import.field."+f] = "import mapping"
	}
	for _, f := range plan.ImportFields {
		used["plan.import.field."+f] = "import mapping"
	}
	for _, prefix := range []string{"import", "plan.import"} {
		used[prefix+".mapping_intro"] = "import mapping"
		used[prefix+".mapping_caption"] = "import mapping"
	}
	for _, r := range []string{"email", "name"} {
		used["dup.reason."+r] = "duplicates"
	}
	for _, r := range []string{forum.SkipSuppressed, forum.SkipNoConsent, forum.SkipAlreadyInvited, forum.SkipAlreadyRegistered} {
		used["forumweb.invite.skip."+r] = "invitation reports"
	}
	for _, kind := range []string{"invitation", "reminder"} {
		for _, part := range []string{"subject", "intro", "link"} {
			used["mail.forum."+kind+"."+part] = "invitation mails"
		}
	}
	for k, where := range used {
		for _, lang := range i18n.Languages {
			if !c.Has(lang, k) {
				t.Errorf("%s uses key %q, missing in %s", where, k, lang)
			}
		}
	}
}

func TestMatchAndPlaceholders(t *testing.T) {
	c := i18n.MustLoad()
	cases := map[string]string{"": "fr", "en-GB,en;q=0.9": "en", "de-DE": "fr", "fr-CA, en;q=0.5": "fr", "garbage;;;": "fr", "en-US": "en"}
	for header, want := range cases {
		if got := c.Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
	if got := c.T("en", "admin.outbox.waiting", "count", 3); got != "Waiting to be sent: 3" {
		t.Errorf("placeholder: %q", got)
	}
	if got := c.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q", got)
	}
}
