// Package catalogclient is how the orders service and the gateway reach the
// catalog: over one connection balanced across its replicas, with the
// catalog's answers turned back into the errors the orders code knows.
package catalogclient

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/learn-grpc/learn-grpc/09-web/internal/inventory"
	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	inventoryv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/inventory/v1"
)

// Client implements orders.Stock with calls to the catalog. Every call runs on the caller's context: its deadline and its
// cancellation travel to the catalog with it.
type Client struct {
	inventory inventoryv1.InventoryServiceClient
}

// New calls the catalog over conn.
func New(conn grpc.ClientConnInterface) *Client {
	return &Client{inventory: inventoryv1.NewInventoryServiceClient(conn)}
}

// Reserve prices and holds stock for order, and returns each product's unit
// price. A refusal comes back as the error inventory.Reservations gives,
// read from the status's details.
func (c *Client) Reserve(ctx context.Context, order string, quantities map[string]int32) (map[string]*commonv1.Money, error) {
	req := &inventoryv1.ReserveStockRequest{OrderId: order}
	for _, id := range slices.Sorted(maps.Keys(quantities)) {
		req.Items = append(req.Items, &inventoryv1.StockItem{ProductId: id, Quantity: quantities[id]})
	}
	resp, err := c.inventory.ReserveStock(ctx, req)
	if err != nil {
		return nil, reserveError(err)
	}
	prices := make(map[string]*commonv1.Money, len(resp.GetItems()))
	for _, it := range resp.GetItems() {
		prices[it.GetProductId()] = it.GetUnitPrice()
	}
	return prices, nil
}

// Release gives back what order holds, and reports whether it held any.
func (c *Client) Release(ctx context.Context, order string) (bool, error) {
	resp, err := c.inventory.ReleaseStock(ctx, &inventoryv1.ReleaseStockRequest{OrderId: order})
	return resp.GetReleasedNow(), err
}

func reserveError(err error) error {
	st := status.Convert(err)
	switch {
	case rpcerr.Reason(err) == rpcerr.ReasonInsufficientStock:
		return fmt.Errorf("%w: %s", inventory.ErrInsufficientStock, st.Message())
	case rpcerr.Reason(err) == rpcerr.ReasonOrderReleased:
		return inventory.ErrReleased
	case st.Code() == codes.NotFound:
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ResourceInfo); ok {
				return &inventory.UnknownProductError{ID: info.GetResourceName()}
			}
		}
	case st.Code() == codes.InvalidArgument:
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) == 1 &&
				br.GetFieldViolations()[0].GetField() == "order_id" {
				return inventory.ErrOtherItems
			}
		}
	}
	return err // a status the orders code reports as a failure of its own
}
