package directory_test

import (
	"testing"

	"github.com/ogforum/ogforum/internal/directory"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Hélène":                  "helene",
		"Hélène DUBOIS":           "helene dubois",
		"ŒUVRE":                   "oeuvre",
		"Ølsen Łukasiewicz Đorđe": "olsen lukasiewicz dorde",
		"cœur":                    "coeur",
		"Æsop":                    "aesop",
		"Straße":                  "strasse",
		"  Jean   \t Dupont \n ":  "jean dupont",
		"Jean\u00a0Dupont":        "jean dupont",
		"L’Œuvre d’Art":           "l'oeuvre d'art",
		"l'oeuvre d'art":          "l'oeuvre d'art",
		"Ça  va":                  "ca va",
		"ÉCOLOGIE ET SANTÉ":       "ecologie et sante",
		"Collectif 100%_Logement": "collectif 100%_logement",
		"":                        "",
		"   ":                     "",
	}
	for in, want := range cases {
		if got := directory.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	// What the user types and what is stored compare equal once folded.
	if directory.Fold("helene dubois") != directory.Fold(" Hélène  Dubois") {
		t.Error(`"helene dubois" and " Hélène  Dubois" fold differently`)
	}
}

func TestSplitName(t *testing.T) {
	cases := []struct{ full, first, last string }{
		{"Jean-Pierre de La Fontaine", "Jean-Pierre de La", "Fontaine"},
		{"Hélène Dubois", "Hélène", "Dubois"},
		{"  Hélène   Dubois  ", "Hélène", "Dubois"},
		{"Dubois", "", "Dubois"},
		{" Dubois ", "", "Dubois"},
		{"Marie\u00a0Curie", "Marie", "Curie"}, // no-break space, common in spreadsheets
		{"Marie\tCurie", "Marie", "Curie"},
		{"", "", ""},
	}
	for _, c := range cases {
		first, last := directory.SplitName(c.full)
		if first != c.first || last != c.last {
			t.Errorf("SplitName(%q) = (%q, %q), want (%q, %q)", c.full, first, last, c.first, c.last)
		}
	}
}
