package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

// measureHostile tries, on fresh stage-06 processes, what a hostile client
// would: 20,000 watch streams on one connection, eight 64 MiB order bodies
// at once, and a stop with every kind of stream open. It reports how far
// each grew the server's peak memory, and what the clients saw.
func measureHostile(ctx context.Context, l *lab, rep *report) error {
	h := &rep.hostile
	if err := watchFlood(ctx, l, h); err != nil {
		return fmt.Errorf("watch flood: %w", err)
	}
	if err := bodyFlood(ctx, l, h); err != nil {
		return fmt.Errorf("body flood: %w", err)
	}
	if err := stopWithStreams(ctx, l, h); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}

func watchFlood(ctx context.Context, l *lab, h *hostileRow) error {
	p, _, err := l.fresh06("flood06.log")
	if err != nil {
		return err
	}
	defer stopProcess(p)
	before, err := memKB(p, "VmRSS")
	if err != nil {
		return err
	}
	conn, err := grpcConn(l, p.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := catalogv1.NewProductCatalogServiceClient(conn)
	floodCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var opened, refused, other atomic.Int32
	var wg sync.WaitGroup
	for range 20_000 {
		wg.Go(func() {
			s, err := client.WatchProducts(floodCtx, &catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
			if err == nil {
				_, err = s.Recv()
			}
			switch status.Code(err) {
			case codes.OK:
				opened.Add(1)
			case codes.ResourceExhausted:
				refused.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	// A second client, on a connection of its own, while the flood goes on.
	second, err := grpcConn(l, p.addr)
	if err != nil {
		return err
	}
	defer second.Close()
	start := time.Now()
	if _, err := catalogv1.NewProductCatalogServiceClient(second).GetProduct(ctx, &catalogv1.GetProductRequest{Id: "product-123"}); err != nil {
		return fmt.Errorf("the second client was not served: %w", err)
	}
	h.secondClient = time.Since(start)
	wg.Wait()
	peak, err := memKB(p, "VmHWM")
	if err != nil {
		return err
	}
	h.floodOpened, h.floodRefused, h.floodOther = int(opened.Load()), int(refused.Load()), int(other.Load())
	h.floodGrowthMB = float64(peak-before) / 1024
	return nil
}

// zeros is an endless body of zero bytes, generated as it is sent.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func bodyFlood(ctx context.Context, l *lab, h *hostileRow) error {
	p, restAddr, err := l.fresh06("bodies06.log")
	if err != nil {
		return err
	}
	defer stopProcess(p)
	before, err := memKB(p, "VmRSS")
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: l.pool()}}}
	defer client.CloseIdleConnections()
	var statuses sync.Map
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, "POST", "https://"+restAddr+"/v1/orders",
				io.LimitReader(zeros{}, 64<<20))
			if err != nil {
				statuses.Store(i, err.Error())
				return
			}
			req.ContentLength = 64 << 20
			req.Header.Set("Authorization", "Bearer "+l.writeToken)
			resp, err := client.Do(req)
			if err != nil {
				statuses.Store(i, "connection closed: "+err.Error())
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses.Store(i, resp.Status)
		})
	}
	wg.Wait()
	peak, err := memKB(p, "VmHWM")
	if err != nil {
		return err
	}
	h.bodyGrowthMB = float64(peak-before) / 1024
	h.bodyStatuses = map[string]int{}
	statuses.Range(func(_, v any) bool { h.bodyStatuses[v.(string)]++; return true })
	return nil
}

// stopWithStreams opens a health watch, a product watch and a tracker on a
// fresh server, sends SIGTERM, and times the stop (the grace period is the
// default 10 s).
func stopWithStreams(ctx context.Context, l *lab, h *hostileRow) error {
	p, _, err := l.fresh06("stop06.log")
	if err != nil {
		return err
	}
	defer stopProcess(p)
	conn, err := grpcConn(l, p.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	authCtx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+l.writeToken)
	health, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	watch, err := catalogv1.NewProductCatalogServiceClient(conn).WatchProducts(ctx, &catalogv1.WatchProductsRequest{ProductIds: []string{"product-123"}})
	if err != nil {
		return err
	}
	orders := ordersv1.NewOrderManagementServiceClient(conn)
	order, err := orders.CreateOrder(authCtx, &ordersv1.CreateOrderRequest{Items: []*ordersv1.OrderItem{{ProductId: "product-123", Quantity: 1}}})
	if err != nil {
		return err
	}
	tracker, err := orders.TrackOrder(authCtx)
	if err != nil {
		return err
	}
	if err := tracker.Send(&ordersv1.TrackOrderRequest{Kind: &ordersv1.TrackOrderRequest_Start{Start: &ordersv1.StartTracking{OrderId: order.GetOrder().GetId()}}}); err != nil {
		return err
	}
	streams := map[string]interface{ RecvMsg(any) error }{"health watch": health, "product watch": watch, "tracker": tracker}
	for name, s := range streams {
		if err := s.RecvMsg(new(healthpb.HealthCheckResponse)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		return err
	}
	h.stopCodes = map[string]string{}
	for name, s := range streams {
		var err error
		for err == nil {
			err = s.RecvMsg(new(healthpb.HealthCheckResponse))
		}
		h.stopCodes[name] = status.Code(err).String()
	}
	if err := p.cmd.Wait(); err != nil {
		return fmt.Errorf("the server exited with %w", err)
	}
	h.stopTime = time.Since(start)
	return nil
}
