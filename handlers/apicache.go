package handlers

import (
	"bytes"
	"container/list"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/openreferral-uk/referrals/models"
)

// apiCache keeps API responses in memory, keyed by the request URL and the
// directory version they were made from. A response is served from memory
// only while the directory version is unchanged; the version is read from
// the database at most once every maxStale, so a response can lag a change
// by up to maxStale (zero reads it on every request). It is bounded in bytes
// and evicts the least recently used responses first.
type apiCache struct {
	h         *Handler
	maxStale  time.Duration
	maxBytes  int
	mu        sync.Mutex
	entries   map[string]*list.Element
	lru       *list.List
	bytes     int
	version   atomic.Int64
	checkedAt atomic.Int64 // unix nanoseconds of the last version read
}

type cachedResponse struct {
	key          string
	version      int64
	body         []byte
	etag         string
	lastModified string
	contentType  string
}

func newAPICache(h *Handler, maxBytes int, maxStale time.Duration) *apiCache {
	return &apiCache{h: h, maxStale: maxStale, maxBytes: maxBytes, entries: map[string]*list.Element{}, lru: list.New()}
}

// currentVersion returns the directory version, reading it from the
// database when the last reading is older than maxStale.
func (ac *apiCache) currentVersion(c echo.Context) (int64, error) {
	now := time.Now().UnixNano()
	if ac.maxStale > 0 && now-ac.checkedAt.Load() < int64(ac.maxStale) {
		return ac.version.Load(), nil
	}
	v, err := models.DirectoryVersion(c.Request().Context(), ac.h.db)
	if err != nil {
		return 0, err
	}
	ac.version.Store(v)
	ac.checkedAt.Store(now)
	return v, nil
}

func (ac *apiCache) get(key string, version int64) *cachedResponse {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	el, ok := ac.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*cachedResponse)
	if e.version != version {
		ac.remove(el)
		return nil
	}
	ac.lru.MoveToFront(el)
	return e
}

func (ac *apiCache) put(e *cachedResponse) {
	size := len(e.body) + len(e.key)
	if size > ac.maxBytes/8 {
		return // one response must not push out most of the others
	}
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if el, ok := ac.entries[e.key]; ok {
		ac.remove(el)
	}
	ac.entries[e.key] = ac.lru.PushFront(e)
	ac.bytes += size
	for ac.bytes > ac.maxBytes {
		ac.remove(ac.lru.Back())
	}
}

func (ac *apiCache) remove(el *list.Element) {
	e := el.Value.(*cachedResponse)
	ac.lru.Remove(el)
	delete(ac.entries, e.key)
	ac.bytes -= len(e.body) + len(e.key)
}

// captureWriter copies what a handler writes so that a 200 can be cached.
type captureWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *captureWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func (w *captureWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	return w.ResponseWriter.Write(p)
}

// middleware serves GET API responses from the cache, and caches the 200
// JSON responses that handlers make. Streams (format=ndjson) pass through.
func (ac *apiCache) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet || r.URL.Query().Get("format") == "ndjson" {
			return next(c)
		}
		version, err := ac.currentVersion(c)
		if err != nil {
			return err
		}
		key := r.URL.RequestURI()
		if e := ac.get(key, version); e != nil {
			hd := c.Response().Header()
			hd.Set("ETag", e.etag)
			hd.Set("Cache-Control", "public, max-age=60")
			if e.lastModified != "" {
				hd.Set("Last-Modified", e.lastModified)
			}
			if notModified(r, e.etag, e.lastModified) {
				return c.NoContent(http.StatusNotModified)
			}
			return c.Blob(http.StatusOK, e.contentType, e.body)
		}
		cw := &captureWriter{ResponseWriter: c.Response().Writer, status: http.StatusOK}
		c.Response().Writer = cw
		if err := next(c); err != nil {
			return err
		}
		hd := c.Response().Header()
		if cw.status == http.StatusOK && hd.Get("ETag") != "" {
			ac.put(&cachedResponse{key: key, version: version, body: bytes.Clone(cw.buf.Bytes()),
				etag: hd.Get("ETag"), lastModified: hd.Get("Last-Modified"), contentType: hd.Get(echo.HeaderContentType)})
		}
		return nil
	}
}

// notModified applies If-None-Match, or If-Modified-Since without it.
func notModified(r *http.Request, etag, lastModified string) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	if lastModified == "" {
		return false
	}
	lm, err1 := http.ParseTime(lastModified)
	since, err2 := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err1 == nil && err2 == nil && !lm.After(since)
}
