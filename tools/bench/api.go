package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// apiClient calls the ogforum API as an organiser's script would: JSON
// bodies, the admin's bearer token, one shared keep-alive transport.
type apiClient struct {
	base, token string
	client      *http.Client
}

func newAPIClient(base, token string) *apiClient {
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute, DisableCompression: true}
	return &apiClient{base: base, token: token, client: &http.Client{
		Transport: tr, Timeout: 60 * time.Second,
		// The HTML forms answer 303; the caller reads the Location itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// call sends body (JSON for any value, form-encoded for url.Values, none
// for nil) and decodes a JSON answer into out when out is not nil. The
// status must be want; the answer's headers are returned.
func (a *apiClient) call(ctx context.Context, method, path string, body any, want int, out any) (http.Header, error) {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	res, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if res.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %s, want %d: %.400s", method, path, res.Status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return res.Header, nil
}

// create POSTs a JSON body that must answer 201 and returns the new "id".
func (a *apiClient) create(ctx context.Context, path string, body any) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if _, err := a.call(ctx, http.MethodPost, path, body, http.StatusCreated, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("POST %s: no id in the answer", path)
	}
	return out.ID, nil
}

// parallel runs do(0..n-1) on workers goroutines and returns the first
// error; the others stop taking work after it.
func parallel(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	for range min(workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}
