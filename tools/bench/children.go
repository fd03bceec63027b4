package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/ogforum/ogforum/internal/cli"
)

// serveBare is the reference: a net/http server whose handler writes a
// constant. It stops when its stdin closes or on SIGTERM.
func serveBare(addr string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench -bare:", err)
		return 1
	}
	body := []byte("ok\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(body)
	})}
	go srv.Serve(ln)
	fmt.Printf("bare handler listening on http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() { io.Copy(io.Discard, os.Stdin); stop() }()
	<-ctx.Done()
	srv.Close()
	return 0
}

// serveProfiled runs the ogforum command line (the very code of the
// binary, in this process) under a CPU profile, for -cpuprofile. The
// profile is written when the command returns, after its graceful stop.
func serveProfiled(file string, args []string) int {
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench -serve-profiled:", err)
		return 1
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench -serve-profiled:", err)
		return 1
	}
	code := cli.Main(args, os.Stdout, os.Stderr)
	pprof.StopCPUProfile()
	return code
}
