package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

// topology07 is stage 07 as go tool lab up runs it, without the gateway:
// two catalog replicas and orders in front of them.
type topology07 struct {
	pki      string
	token    string
	catalogs []*process
	orders   *process
}

// deepStock starts 06 and 07 alike with stock no load run can sell out.
const deepStock = "-stock=1000000000"

func start07(ctx context.Context, root, tmp string) (*topology07, error) {
	bin := func(name string) string { return filepath.Join(tmp, "07-"+name) }
	for _, cmd := range []string{"catalog", "orders", "devcerts", "token"} {
		if err := build(ctx, filepath.Join(root, "07-microservices"), "./cmd/"+cmd, bin(cmd)); err != nil {
			return nil, err
		}
	}
	t := &topology07{pki: filepath.Join(tmp, "pki07")}
	if out, err := exec.CommandContext(ctx, bin("devcerts"), "-dir", t.pki).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("devcerts: %v\n%s", err, out)
	}
	tok, err := exec.CommandContext(ctx, bin("token"), "-key", filepath.Join(t.pki, "jwt-signing.key"), "-subject", "bench",
		"-scopes", "orders:write").Output()
	if err != nil {
		return nil, fmt.Errorf("token: %v", err)
	}
	t.token = strings.TrimSpace(string(tok))
	files := func(service string) []string {
		return []string{"-tls-cert=" + filepath.Join(t.pki, service+".crt"), "-tls-key=" + filepath.Join(t.pki, service+".key"),
			"-tls-ca=" + filepath.Join(t.pki, "ca.crt"), "-jwt-public-key=" + filepath.Join(t.pki, "jwt-signing.pub")}
	}
	var addrs []string
	for i := range 2 {
		p, err := start(ctx, bin("catalog"), filepath.Join(tmp, fmt.Sprintf("catalog-%d.log", i+1)), 1,
			append(files("catalog"), "-addr=127.0.0.1:0", deepStock)...)
		if err != nil {
			t.stop()
			return nil, err
		}
		t.catalogs = append(t.catalogs, p)
		addrs = append(addrs, p.addr)
	}
	if t.orders, err = start(ctx, bin("orders"), filepath.Join(tmp, "orders.log"), 1,
		append(files("orders"), "-addr=127.0.0.1:0", "-catalog="+strings.Join(addrs, ","))...); err != nil {
		t.stop()
		return nil, err
	}
	return t, nil
}

func (t *topology07) stop() {
	stopProcess(t.orders)
	for _, p := range t.catalogs {
		stopProcess(p)
	}
}

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
func measureSplit(ctx context.Context, root string, l *lab, window time.Duration, rep *report) error {
	s06, _, err := l.fresh06("split06.log", deepStock)
	if err != nil {
		return err
	}
	defer stopProcess(s06)
	t, err := start07(ctx, root, l.tmp)
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
	for _, c := range []int{1, 16} {
		one := load(ctx, c, window, call06)
		split := load(ctx, c, window, call07)
		if one.errors > 0 || split.errors > 0 {
			return fmt.Errorf("orders failed at concurrency %d: 06 %d, 07 %d", c, one.errors, split.errors)
		}
		rep.split = append(rep.split, protocolRow{conc: c, grpc: one, rest: split})
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
func killUnderLoad(ctx context.Context, t *topology07, call func(context.Context) error, window time.Duration) (killRow, error) {
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
