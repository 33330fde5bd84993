// Package web serves the storefront page: the HTML, style sheet and script
// that dist/ holds, built from src/ and committed, so that serving the page
// needs Go alone. The gateway mounts Handler at "/".
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:generate go test -run TestPageIsFresh -update

//go:embed dist
var dist embed.FS

// ContentSecurityPolicy lets the page load its own script, style sheet and
// images, and call its own origin, and nothing else: no inline script, no
// eval, no other origin, no framing. The DOM sinks that take HTML are
// closed too (Trusted Types): the page builds its nodes with textContent.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'"

// contentTypes are set here rather than looked up with mime.TypeByExtension,
// which reads the system's tables: some map .js to text/plain, and a browser
// refuses a module script served as text/plain when nosniff is set.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
}

// asset is one file, with the ETag a browser revalidates it with.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves index.html at "/" and each other file of dist/ at its
// name, to GET and HEAD; any other path is 404. Every answer carries the
// security headers, and every file is "no-cache": the names do not change
// when the contents do, so a browser asks again each time, and an unchanged
// file costs a 304.
func Handler() http.Handler {
	assets := load()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		a, ok := assets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		// ServeContent answers If-None-Match, HEAD and ranges from the bytes.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
}

// load reads dist/ once into the paths it is served at. A file whose type
// is not in contentTypes is not served: dist/ holds the page's files only.
func load() map[string]asset {
	assets := map[string]asset{}
	err := fs.WalkDir(dist, "dist", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(name)]
		if !ok {
			return nil
		}
		body, err := dist.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		urlPath := strings.TrimPrefix(name, "dist")
		if urlPath == "/index.html" {
			urlPath = "/"
		}
		assets[urlPath] = asset{body: body, contentType: ct,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		panic("web: reading the embedded dist/: " + err.Error()) // cannot happen: the files are compiled in
	}
	return assets
}
