package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

func createOrder(client ordersv1.OrderManagementServiceClient, token string) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		_, err := client.CreateOrder(ctx, &ordersv1.CreateOrderRequest{
			Items: []*ordersv1.OrderItem{{ProductId: "product-321", Quantity: 1}}})
		return err
	}
}

// measureSplit compares CreateOrder on the stage-06 server, which takes
// stock in its own memory, with stage 07's orders, which asks a catalog
// replica over mutual TLS for the price and the stock; then kills one
// replica under load.
//
// With baseline, a lab checkout of another commit, its stage 07 is measured
// too, side by side with this one: the price of a change to stage 07.
func measureSplit(ctx context.Context, root, baseline string, l *lab, window time.Duration, rep *report) error {
	s06, _, err := l.fresh06("split06.log", deepStock)
	if err != nil {
		return err
	}
	defer stopProcess(s06)
	t, err := startStage(ctx, root, l.tmp, "07-microservices", "07", false, nil)
	if err != nil {
		return err
	}
	defer t.stop()
	conn06, err := grpcConn(l, s06.addr)
	if err != nil {
		return err
	}
	defer conn06.Close()
	conn07, err := grpcConnCA(filepath.Join(t.pki, "ca.crt"), t.orders.addr)
	if err != nil {
		return err
	}
	defer conn07.Close()
	call06 := createOrder(ordersv1.NewOrderManagementServiceClient(conn06), l.writeToken)
	call07 := createOrder(ordersv1.NewOrderManagementServiceClient(conn07), t.token)
	var callBefore func(context.Context) error
	if baseline != "" {
		before, err := startStage(ctx, baseline, l.tmp, "07-microservices", "07before", false, nil)
		if err != nil {
			return fmt.Errorf("stage 07 of %s: %w", baseline, err)
		}
		defer before.stop()
		conn, err := grpcConnCA(filepath.Join(before.pki, "ca.crt"), before.orders.addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		callBefore = createOrder(ordersv1.NewOrderManagementServiceClient(conn), before.token)
	}
	for _, c := range []int{1, 16} {
		one := load(ctx, c, window, call06)
		split := load(ctx, c, window, call07)
		if one.errors > 0 || split.errors > 0 {
			return fmt.Errorf("orders failed at concurrency %d: 06 %d, 07 %d", c, one.errors, split.errors)
		}
		rep.split = append(rep.split, protocolRow{conc: c, grpc: one, rest: split})
		if callBefore != nil {
			before := load(ctx, c, window, callBefore)
			if before.errors > 0 {
				return fmt.Errorf("orders of the baseline failed at concurrency %d: %d", c, before.errors)
			}
			rep.splitBefore = append(rep.splitBefore, protocolRow{conc: c, grpc: before, rest: split})
		}
	}
	rep.kill, err = killUnderLoad(ctx, t, call07, window)
	return err
}

// killRow is what the callers of orders saw when a catalog replica died.
type killRow struct {
	calls, failed, slowed int
	codes                 map[string]int // of the failed calls
	baseP50, lastHit      time.Duration  // lastHit: from the kill to the end of the last failed or slowed call
}

// killUnderLoad places orders from 16 callers, kills catalog-1 (SIGKILL) a
// third of the way through, and counts the calls that failed, and those
// that took over 10 times the median of the calls before the kill: the
// ones a retry inside orders had to rescue.
func killUnderLoad(ctx context.Context, t *topology, call func(context.Context) error, window time.Duration) (killRow, error) {
	type result struct {
		start, end time.Time
		err        error
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	end := time.Now().Add(window)
	killAt := time.Now().Add(window / 3)
	for range 16 {
		wg.Go(func() {
			for time.Now().Before(end) {
				r := result{start: time.Now()}
				r.err = call(ctx)
				r.end = time.Now()
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		})
	}
	time.Sleep(time.Until(killAt))
	killed := time.Now()
	if err := t.catalogs[0].cmd.Process.Kill(); err != nil {
		return killRow{}, err
	}
	wg.Wait()
	_ = t.catalogs[0].cmd.Wait()

	var before []time.Duration
	for _, r := range results {
		if r.end.Before(killed) {
			before = append(before, r.end.Sub(r.start))
		}
	}
	if len(before) == 0 {
		return killRow{}, fmt.Errorf("no call ended before the kill")
	}
	slices.Sort(before)
	k := killRow{calls: len(results), baseP50: before[len(before)/2], codes: map[string]int{}}
	for _, r := range results {
		slow := r.end.Sub(r.start) > 10*k.baseP50
		if r.err == nil && !slow || r.end.Before(killed) {
			continue
		}
		if r.err != nil {
			k.failed++
			k.codes[status.Code(r.err).String()]++
		} else {
			k.slowed++
		}
		k.lastHit = max(k.lastHit, r.end.Sub(killed))
	}
	return k, nil
}
