package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// startup is one timed start of `ogforum serve` on an empty database.
type startup struct {
	listening time.Duration // exec to the "listening on" line
	ready     time.Duration // exec to the first 200 from /readyz
}

// timeStartups starts the binary n times, each on a fresh data directory,
// and times it from exec to the first 200 from /readyz. The port is
// learnt from the "listening on" line; /readyz is then polled every
// millisecond until it answers 200.
//
// It also returns the CPU time of one start (the server process from exec
// to exit, on average) and the share of the machine other programs used.
func timeStartups(ctx context.Context, bin, work string, n int) ([]startup, time.Duration, float64, error) {
	meter := startOthersMeter()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var out []startup
	for i := range n {
		dir := filepath.Join(work, fmt.Sprintf("start-%02d", i+1))
		cmd := serveCommand(ctx, bin, dir, "")
		t0 := time.Now()
		p, err := start(cmd)
		if err != nil {
			return nil, 0, 0, err
		}
		s := startup{listening: time.Since(t0)}
		for {
			resp, err := client.Get(p.url + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					s.ready = time.Since(t0)
					break
				}
			}
			if time.Since(t0) > 30*time.Second {
				p.stop()
				return nil, 0, 0, fmt.Errorf("/readyz not 200 after 30 s (last: %v)", errOrStatus(resp, err))
			}
			time.Sleep(time.Millisecond)
		}
		if err := p.stop(); err != nil {
			return nil, 0, 0, fmt.Errorf("ogforum serve did not stop cleanly: %w", err)
		}
		out = append(out, s)
		os.RemoveAll(dir)
	}
	return out, meter.children() / time.Duration(n), meter.share(), nil
}

func errOrStatus(resp *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.Status
}

// memFigures are resident set sizes (VmRSS) and their peaks (VmHWM), in
// kB, as /proc/PID/status reports them.
type memFigures struct {
	idle, afterLoad, bare procMem
}

type procMem struct{ rss, hwm int64 }

func readMem(pid int) (procMem, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var m procMem
	for key, dst := range map[string]*int64{"VmRSS": &m.rss, "VmHWM": &m.hwm} {
		v := procField(path, key)
		if _, err := fmt.Sscanf(v, "%d kB", dst); err != nil {
			return m, fmt.Errorf("read %s from %s: %q", key, path, v)
		}
	}
	return m, nil
}

// procField returns the value of the first "key: value" line of a /proc
// file, or "".
func procField(path, key string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
