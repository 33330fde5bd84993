package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
)

// streamsPerConn matches the lab server's cap on watchers per connection,
// so both servers see the same connections.
const streamsPerConn = 32

// measureStreamMemory opens n idle streams on a fresh process of each
// server and reads how much the process's resident memory grew, per
// stream: the lab's WatchProducts (stage 06, every limit and interceptor
// on) against bareserver's Hold, a stream that does nothing at all.
func measureStreamMemory(ctx context.Context, l *lab, n int, rep *report) error {
	lab06, _, err := l.fresh06("memory06.log")
	if err != nil {
		return err
	}
	defer stopProcess(lab06)
	watch := func(ctx context.Context, conn *grpc.ClientConn) error {
		s, err := catalogv1.NewProductCatalogServiceClient(conn).WatchProducts(ctx,
			&catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
		if err == nil {
			_, err = s.Recv()
		}
		return err
	}
	labKB, err := perStream(ctx, l, lab06, n, streamsPerConn, watch)
	if err != nil {
		return fmt.Errorf("stage 06: %w", err)
	}
	bare, err := l.freshBare("memorybare.log")
	if err != nil {
		return err
	}
	defer stopProcess(bare)
	desc := &grpc.StreamDesc{StreamName: "Hold", ServerStreams: true}
	hold := func(ctx context.Context, conn *grpc.ClientConn) error {
		s, err := conn.NewStream(ctx, desc, "/bench.v1.Streams/Hold")
		if err == nil {
			err = s.SendMsg(&catalogv1.WatchProductsRequest{})
		}
		if err == nil {
			err = s.CloseSend()
		}
		if err == nil {
			err = s.RecvMsg(&catalogv1.WatchProductsResponse{})
		}
		return err
	}
	bareKB, err := perStream(ctx, l, bare, n, streamsPerConn, hold)
	if err != nil {
		return fmt.Errorf("bareserver: %w", err)
	}
	rep.memory = memoryRow{streams: n, labKB: labKB, bareKB: bareKB}
	return nil
}

// perStream opens n streams with open, perConn to a connection dialled with
// opts, and returns the growth of p's resident memory divided by n, in KB.
func perStream(ctx context.Context, l *lab, p *process, n, perConn int, open func(context.Context, *grpc.ClientConn) error,
	opts ...grpc.DialOption) (float64, error) {
	before, err := memKB(p, "VmRSS")
	if err != nil {
		return 0, err
	}
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var conns []*grpc.ClientConn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range n {
		if i%perConn == 0 {
			conn, err := grpcConn(l, p.addr, opts...)
			if err != nil {
				return 0, err
			}
			conns = append(conns, conn)
		}
		if err := open(streamCtx, conns[len(conns)-1]); err != nil {
			return 0, fmt.Errorf("stream %d: %w", i, err)
		}
	}
	time.Sleep(time.Second) // let the server settle: every stream is open and idle
	after, err := memKB(p, "VmRSS")
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(n), nil
}

// memKB reads one memory figure of a process from /proc (Linux only):
// VmRSS, resident now; VmHWM, the most it has been resident.
func memKB(p *process, field string) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("reading a server's memory needs Linux's /proc: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
}
