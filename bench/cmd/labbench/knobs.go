package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/learn-grpc/learn-grpc/bench/internal/knobs"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// knobsResult is step 13: GetProduct on bareserver with each of grpc-go's
// knobs (knobs.Variants), against JSON over HTTP/1.1 and the TLS floor.
type knobsResult struct {
	rows   []knobsRow
	rounds int
	allocs map[string]benchLine // BenchmarkKnobs, by variant name
	connKB map[string]float64   // server memory per connection, by variant name
	conns  int
	// profiles are the CPU profiles of the 1-caller runs, client and server.
	profiles []string
}

// knobsRow is one concurrency: the median round of each variant, in
// knobs.Variants' order, then HTTP/1.1 and the floor.
type knobsRow struct {
	conc      int
	variants  []knobRun
	h1, floor knobRun
}

// knobRun is one load run, with the CPU time and the read and write system
// calls per call that labbench (the client) and the server spent on it.
type knobRun struct {
	loadResult
	clientSys, serverSys float64
	clientCPU, serverCPU time.Duration
}

// counted runs f, and counts the CPU time and system calls of this process
// and of p.
func counted(p *process, f func() loadResult) knobRun {
	self, pid := os.Getpid(), p.cmd.Process.Pid
	client, server := sysCalls(self), sysCalls(pid)
	clientCPU, serverCPU := cpuTime(self), cpuTime(pid)
	r := knobRun{loadResult: f()}
	if n := r.made; n > 0 {
		r.clientSys = float64(sysCalls(self)-client) / float64(n)
		r.serverSys = float64(sysCalls(pid)-server) / float64(n)
		r.clientCPU = (cpuTime(self) - clientCPU) / time.Duration(n)
		r.serverCPU = (cpuTime(pid) - serverCPU) / time.Duration(n)
	}
	return r
}

// cpuTime is the user and system CPU time of process pid, all its threads
// (Linux's /proc/PID/stat, in ticks of 10 ms; 0 elsewhere).
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count from after it.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.Atoi(fields[11])
	stime, _ := strconv.Atoi(fields[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// sysCalls is how many read and write system calls process pid has made
// (Linux's /proc/PID/io; 0 elsewhere).
func sysCalls(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0
	}
	n := 0
	for _, line := range splitLines(string(data)) {
		for _, key := range []string{"syscr", "syscw"} {
			if v, ok := cutPrefixTrim(line, key); ok {
				c, _ := strconv.Atoi(v)
				n += c
			}
		}
	}
	return n
}

// knobServers starts one bareserver for each distinct server side of the
// variants, keyed by its flags; "" is grpc-go's defaults.
func knobServers(l *lab, prefix string, extra ...string) (map[string]*process, func(), error) {
	servers := map[string]*process{}
	stop := func() {
		for _, p := range servers {
			stopProcess(p)
		}
	}
	for _, v := range knobs.Variants {
		key := strings.Join(v.Set.Args(), " ")
		if servers[key] != nil {
			continue
		}
		p, err := l.freshBare(fmt.Sprintf("%s%d.log", prefix, len(servers)), append(v.Set.Args(), extra...)...)
		if err != nil {
			stop()
			return nil, nil, err
		}
		servers[key] = p
	}
	return servers, stop, nil
}

// measureKnobs runs every variant, JSON over HTTP/1.1 and the TLS echo at
// each concurrency in rounds, interleaved (A, B, C, A, B, C...), each round
// a share of window, and keeps each one's median round.
func measureKnobs(ctx context.Context, root string, l *lab, window time.Duration, rounds, conns int,
	profileDir string, rep *report) error {
	servers, stopAll, err := knobServers(l, "knobs")
	if err != nil {
		return err
	}
	defer stopAll()
	res := knobsResult{rounds: rounds, conns: conns}
	var grpcConns []*grpc.ClientConn
	defer func() {
		for _, c := range grpcConns {
			_ = c.Close()
		}
	}()
	dialed := make([][]*grpc.ClientConn, len(knobs.Variants)) // each variant's connections
	for i, v := range knobs.Variants {
		for range v.Set.Connections() {
			conn, err := grpcConn(l, servers[strings.Join(v.Set.Args(), " ")].addr, v.Set.DialOptions()...)
			if err != nil {
				return err
			}
			grpcConns = append(grpcConns, conn)
			dialed[i] = append(dialed[i], conn)
		}
	}
	restAddr, echoAddr := servers[""].bareAddrs()
	url := "https://" + restAddr + "/v1/products/product-123"
	req, _ := proto.Marshal(&catalogv1.GetProductRequest{Id: "product-123"})
	resp, err := catalogv1.NewProductCatalogServiceClient(grpcConns[0]).GetProduct(ctx,
		&catalogv1.GetProductRequest{Id: "product-123"})
	if err != nil {
		return err
	}
	answer := proto.Size(resp)
	for _, c := range concurrencies {
		calls := make([]func(context.Context) error, 0, len(knobs.Variants)+2)
		var procs []*process // the server each call reaches
		var cleanups []func()
		for i, v := range knobs.Variants {
			procs = append(procs, servers[strings.Join(v.Set.Args(), " ")])
			var each []func(context.Context) error
			for _, conn := range dialed[i] {
				each = append(each, getProduct(catalogv1.NewProductCatalogServiceClient(conn), ""))
			}
			call := knobs.Turns(each)
			if v.Set.Stream {
				var cancel context.CancelFunc
				if call, cancel, err = streamCallers(ctx, dialed[i][0], c); err != nil {
					return err
				}
				cleanups = append(cleanups, cancel)
			}
			calls = append(calls, call)
		}
		h1, h1Call := restClient(l, url, c, false)
		echo, done, err := echoCallers(l.pool(), echoAddr, req, answer, c)
		if err != nil {
			return err
		}
		calls = append(calls, h1Call, echo)
		procs = append(procs, servers[""], servers[""])
		got := make([][]knobRun, len(calls))
		for round := range rounds {
			for _, i := range turns(round, rounds, len(calls)) {
				got[i] = append(got[i], counted(procs[i], func() loadResult {
					return load(ctx, c, window/time.Duration(rounds), calls[i])
				}))
			}
		}
		h1.CloseIdleConnections()
		done()
		for _, f := range cleanups {
			f()
		}
		row := knobsRow{conc: c}
		for i := range calls {
			m := middle(got[i], func(r knobRun) float64 { return r.rps })
			if m.errors > 0 {
				return fmt.Errorf("%d calls failed at concurrency %d (row %d)", m.errors, c, i)
			}
			row.variants = append(row.variants, m)
		}
		row.h1, row.floor = row.variants[len(calls)-2], row.variants[len(calls)-1]
		row.variants = row.variants[:len(knobs.Variants)]
		res.rows = append(res.rows, row)
	}
	stopAll()
	if res.connKB, err = memoryPerConn(ctx, l, conns); err != nil {
		return err
	}
	lines, err := goBench(ctx, filepath.Join(root, "bench"), "-bench", "Knobs", "-benchtime", "1s", "./cmd/bareserver")
	if err != nil {
		return err
	}
	res.allocs = map[string]benchLine{}
	for _, line := range lines {
		res.allocs[strings.TrimPrefix(line.name, "BenchmarkKnobs/")] = line
	}
	if profileDir != "" {
		if res.profiles, err = profileOneCaller(ctx, l, window, profileDir); err != nil {
			return err
		}
	}
	rep.knobs = res
	return nil
}

// memoryPerConn opens n connections, each making one GetProduct, on a fresh
// bareserver for each server side, and reads the growth of its resident
// memory per connection.
func memoryPerConn(ctx context.Context, l *lab, n int) (map[string]float64, error) {
	servers, stopAll, err := knobServers(l, "knobsmem")
	if err != nil {
		return nil, err
	}
	defer stopAll()
	byKey := map[string]float64{}
	kb := map[string]float64{}
	for _, v := range knobs.Variants {
		key := strings.Join(v.Set.Args(), " ")
		if v.Set != (knobs.Set{}) && key == "" {
			continue // a client's knob: the server is grpc-go's defaults
		}
		if _, done := byKey[key]; !done {
			call := func(ctx context.Context, conn *grpc.ClientConn) error {
				return getProduct(catalogv1.NewProductCatalogServiceClient(conn), "")(ctx)
			}
			if byKey[key], err = perStream(ctx, l, servers[key], n, 1, call, v.Set.DialOptions()...); err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
		}
		kb[v.Name] = byKey[key]
	}
	return kb, nil
}

// profileOneCaller profiles labbench and a fresh bareserver, each for one
// caller's run: gRPC with grpc-go's defaults, with the chosen knobs, and
// JSON over HTTP/1.1. It returns the files, for go tool pprof -top.
func profileOneCaller(ctx context.Context, l *lab, window time.Duration, dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, run := range []struct {
		name string
		set  knobs.Set
		h1   bool
	}{{"grpc", knobs.Set{}, false}, {"grpc-chosen", knobs.Chosen, false}, {"http1", knobs.Set{}, true}} {
		server := filepath.Join(dir, "server-"+run.name+".pprof")
		p, err := l.freshBare("profile-"+run.name+".log", append(run.set.Args(), "-cpuprofile="+server)...)
		if err != nil {
			return nil, err
		}
		var call func(context.Context) error
		closeClient := func() {}
		if run.h1 {
			rest, _ := p.bareAddrs()
			var tr interface{ CloseIdleConnections() }
			tr, call = restClient(l, "https://"+rest+"/v1/products/product-123", 1, false)
			closeClient = tr.CloseIdleConnections
		} else {
			conn, err := grpcConn(l, p.addr, run.set.DialOptions()...)
			if err != nil {
				stopProcess(p)
				return nil, err
			}
			call, closeClient = getProduct(catalogv1.NewProductCatalogServiceClient(conn), ""), func() { _ = conn.Close() }
		}
		client := filepath.Join(dir, "client-"+run.name+".pprof")
		r, err := profiled(client, func() loadResult { return load(ctx, 1, window, call) })
		closeClient()
		stopProcess(p) // on SIGINT, bareserver writes its profile
		if err != nil {
			return nil, err
		}
		if r.errors > 0 {
			return nil, fmt.Errorf("profile %s: %d calls failed", run.name, r.errors)
		}
		files = append(files, client, server)
	}
	return files, nil
}

// profiled runs f under a CPU profile of this process, written to file.
func profiled(file string, f func() loadResult) (loadResult, error) {
	out, err := os.Create(file)
	if err != nil {
		return loadResult{}, err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return loadResult{}, err
	}
	r := f()
	pprof.StopCPUProfile()
	return r, nil
}
