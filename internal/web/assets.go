package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// assets serves the embedded static files under URLs that carry a hash of
// their content, so browsers may cache them for a year.
type assets struct {
	byName map[string]string // "app.css" → "/static/app.1a2b3c4d5e.css"
	byURL  map[string]asset
}

type asset struct {
	body        []byte
	contentType string
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, byURL: map[string]asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byName[name] = hashed
		a.byURL[hashed] = asset{body: body, contentType: ct}
		return nil
	})
	return a, err
}

// URL returns the hashed URL of a static file; it panics on an unknown
// name, which template parsing at start-up catches.
func (a *assets) URL(name string) string {
	u, ok := a.byName[name]
	if !ok {
		panic("unknown static file " + name)
	}
	return u
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.body)
}
