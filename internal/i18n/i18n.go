// Package i18n holds the interface's strings in French (the default) and
// English, embedded as flat JSON files of key → text, one file per domain
// under locales/<lang>/ (platform.json, directory.json...). Texts may hold
// named placeholders such as {name}, filled by T's arguments.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales
var files embed.FS

// Languages lists the supported languages, default first.
var Languages = []string{"fr", "en"}

// Default is the language of a visitor who states no preference.
const Default = "fr"

// Catalog holds every language's strings.
type Catalog struct {
	texts   map[string]map[string]string
	matcher language.Matcher
}

// Load reads the embedded catalogs.
func Load() (*Catalog, error) {
	c := &Catalog{texts: map[string]map[string]string{}}
	var tags []language.Tag
	for _, lang := range Languages {
		names, err := fs.Glob(files, "locales/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no locale files for %s", lang)
		}
		m := map[string]string{}
		for _, name := range names {
			raw, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(raw, &part); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("%s: key %q is defined twice in %s", name, k, lang)
				}
				m[k] = v
			}
		}
		c.texts[lang] = m
		tags = append(tags, language.Make(lang))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// MustLoad is Load for program start.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Supported tells whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Match picks the best supported language for an Accept-Language header.
func (c *Catalog) Match(acceptLanguage string) string {
	if acceptLanguage == "" {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[idx]
}

// Has tells whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.texts[lang][key]
	return ok
}

// T returns the text of key in lang, with {placeholders} replaced by the
// name/value pairs in args. A missing key shows as the key itself (tests
// make sure none is missing).
func (c *Catalog) T(lang, key string, args ...any) string {
	s, ok := c.texts[lang][key]
	if !ok {
		s, ok = c.texts[Default][key]
		if !ok {
			return key
		}
	}
	if len(args) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Keys lists the keys of a language, sorted.
func (c *Catalog) Keys(lang string) []string {
	var out []string
	for k := range c.texts[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
