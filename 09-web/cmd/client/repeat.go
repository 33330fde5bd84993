package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

// repeatWorkers is how many orders add-order --repeat keeps in flight: a
// little load, so that stopping a replica meets calls on their way.
const repeatWorkers = 4

// placeMany places n orders of items over one connection, each call with its
// own deadline and request id, and reports every failure. It prints its
// progress each quarter of the way, and fails if any order failed.
func placeMany(ctx context.Context, cf *connFlags, items []*ordersv1.OrderItem, n int, stdout, stderr io.Writer) error {
	conn, err := cf.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	client := ordersv1.NewOrderManagementServiceClient(conn)
	var (
		mu             sync.Mutex
		placed, failed int
		next           = make(chan struct{})
		workers        sync.WaitGroup
	)
	step := max(n/4, 1)
	for range repeatWorkers {
		workers.Go(func() {
			for range next {
				callCtx, cancel := cf.withDeadline(ctx)
				_, err := client.CreateOrder(callCtx, &ordersv1.CreateOrderRequest{Items: items, RequestId: newRequestID()})
				cancel()
				mu.Lock()
				if err != nil {
					failed++
					_ = report(stderr, "creating order", err)
				} else if placed++; placed%step == 0 || placed+failed == n {
					fmt.Fprintf(stdout, "placed %d of %d orders\n", placed, n)
				}
				mu.Unlock()
			}
		})
	}
	for range n {
		select {
		case next <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	workers.Wait()
	fmt.Fprintf(stdout, "%d placed, %d failed\n", placed, failed)
	if failed > 0 || placed < n {
		return fmt.Errorf("%d of %d orders were not placed", n-placed, n)
	}
	return nil
}
