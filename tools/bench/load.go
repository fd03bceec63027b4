package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// target is one URL to load.
type target struct {
	name, url string
	token     string  // bearer token, if any
	cookie    string  // "name=value" of a session cookie, if any
	wantText  string  // text the body must contain, checked once
	min       float64 // the target ratio to the bare handler (0: the reference)
	wantType  string  // expected Content-Type prefix, checked once
	wantUsers int     // expected length of the "users" array, checked once
	pid       int     // the server process, for its CPU time
	bytes     int     // body size, learnt by check
}

// result is one measurement of one target.
type result struct {
	ok, errors int
	firstErr   string
	measured   time.Duration
	latencies  []time.Duration // sorted; one per request started in the measured window
	cpu        cpuUse          // CPU time spent during the measured window
}

func (r result) rps() float64 { return float64(len(r.latencies)) / r.measured.Seconds() }

// cpuPerRequest is the CPU time of the server and of the load generator
// per request measured.
func (r result) cpuPerRequest() time.Duration {
	return (r.cpu.server + r.cpu.self) / time.Duration(max(1, len(r.latencies)))
}

// percentile returns the nearest-rank q-quantile (0 < q <= 1).
func (r result) percentile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(r.latencies))*q)) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

// loader sends the load: one goroutine per connection, sharing one
// keep-alive transport.
type loader struct {
	client      *http.Client
	transport   *http.Transport
	concurrency int
}

func newLoader(concurrency int) *loader {
	tr := &http.Transport{
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &loader{client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, transport: tr, concurrency: concurrency}
}

func (l *loader) request(ctx context.Context, t target) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
	if err != nil {
		return nil, err
	}
	if t.token != "" {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	if t.cookie != "" {
		req.Header.Set("Cookie", t.cookie)
	}
	return req, nil
}

// check makes one request and verifies that the target answers what it
// should (status, type, number of users), so that the load measures the
// real page and not an error.
func (l *loader) check(ctx context.Context, t *target) error {
	req, err := l.request(ctx, *t)
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %.300s", t.name, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, t.wantType) {
		return fmt.Errorf("%s: Content-Type %q, want %s", t.name, ct, t.wantType)
	}
	if t.wantUsers > 0 {
		var list struct {
			Users []json.RawMessage `json:"users"`
		}
		if err := json.Unmarshal(body, &list); err != nil || len(list.Users) != t.wantUsers {
			return fmt.Errorf("%s: want %d users, got %d (%v)", t.name, t.wantUsers, len(list.Users), err)
		}
	}
	if t.wantText != "" && !strings.Contains(string(body), t.wantText) {
		return fmt.Errorf("%s: the page does not contain %q", t.name, t.wantText)
	}
	t.bytes = len(body)
	return nil
}

// load runs the goroutines for warmup+measure. Requests started during the
// measured window are timed one by one; every response of the whole run,
// warm-up included, must be a 200 with its body read to the end.
func (l *loader) load(ctx context.Context, t target, warmup, measure time.Duration) result {
	begin := time.Now()
	from, until := begin.Add(warmup), begin.Add(warmup+measure)
	var (
		mu  sync.Mutex
		all result
		wg  sync.WaitGroup
	)
	for range l.concurrency {
		wg.Go(func() {
			var mine result
			lat := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(until) {
					break
				}
				err := l.once(ctx, t)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					mine.errors++
					if mine.firstErr == "" {
						mine.firstErr = err.Error()
					}
					continue
				}
				mine.ok++
				if !t0.Before(from) {
					lat = append(lat, d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			all.ok += mine.ok
			all.errors += mine.errors
			if all.firstErr == "" {
				all.firstErr = mine.firstErr
			}
			all.latencies = append(all.latencies, lat...)
		})
	}
	var cpuFrom cpuSnapshot
	if sleep(ctx, time.Until(from)) == nil {
		cpuFrom = takeCPU(t.pid)
	}
	if sleep(ctx, time.Until(until)) == nil {
		all.cpu = cpuFrom.to(takeCPU(t.pid))
	}
	wg.Wait()
	l.transport.CloseIdleConnections()
	slices.Sort(all.latencies)
	all.measured = measure
	return all
}

func (l *loader) once(ctx context.Context, t target) error {
	req, err := l.request(ctx, t)
	if err != nil {
		return err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s after %d bytes", resp.Status, n)
	}
	return nil
}
