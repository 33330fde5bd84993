package orders

import (
	"fmt"
	"math"
	"strings"

	"github.com/learn-grpc/learn-grpc/09-web/internal/rpcerr"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

const (
	// MaxItems bounds the lines of one order.
	MaxItems = 100
	// MaxQuantity bounds the units of one product in one order, over all
	// the lines that name it.
	MaxQuantity = 10_000
)

// The resource types that ResourceInfo details name.
const (
	orderType   = "ecommerce.orders.v1.Order"
	productType = "ecommerce.catalog.v1.Product"
)

// validateCreateOrder returns the units wanted of each product and the
// request_id, or the InvalidArgument naming the first field at fault.
func validateCreateOrder(req *ordersv1.CreateOrderRequest) (map[string]int32, string, error) {
	items := req.GetItems()
	switch {
	case len(items) == 0:
		return nil, "", rpcerr.Invalid(rpcerr.Violation{Field: "items", Description: "an order needs at least one item"})
	case len(items) > MaxItems:
		return nil, "", rpcerr.Invalid(rpcerr.Violation{Field: "items",
			Description: fmt.Sprintf("an order has at most %d items, got %d", MaxItems, len(items))})
	}
	requestID := strings.TrimSpace(req.GetRequestId())
	if requestID != "" {
		if v, ok := rpcerr.CheckID("request_id", "request", requestID); !ok {
			return nil, "", rpcerr.Invalid(v)
		}
	}
	want := map[string]int32{}
	for i, it := range items {
		id := strings.TrimSpace(it.GetProductId())
		if v, ok := rpcerr.CheckID(fmt.Sprintf("items[%d].product_id", i), "product", id); !ok {
			return nil, "", rpcerr.Invalid(v)
		}
		field := fmt.Sprintf("items[%d].quantity", i)
		// Each quantity is checked on its own before it is added, so the sum
		// of two stays far from overflowing an int32.
		switch q := it.GetQuantity(); {
		case q <= 0:
			return nil, "", rpcerr.Invalid(rpcerr.Violation{Field: field,
				Description: fmt.Sprintf("quantity of %s must be at least 1, got %d", id, q)})
		case q > MaxQuantity || want[id]+q > MaxQuantity:
			return nil, "", rpcerr.Invalid(rpcerr.Violation{Field: field,
				Description: fmt.Sprintf("at most %d units of %s per order", MaxQuantity, id)})
		}
		want[id] += it.GetQuantity()
	}
	return want, requestID, nil
}

// validateGetOrder returns the order id, trimmed.
func validateGetOrder(req *ordersv1.GetOrderRequest) (string, error) {
	id := strings.TrimSpace(req.GetId())
	if v, ok := rpcerr.CheckID("id", "order", id); !ok {
		return "", rpcerr.Invalid(v)
	}
	return id, nil
}

const nanosPerUnit = 1_000_000_000

// orderTotal adds up price times quantity over the lines, in nanos of one
// currency, refusing any step that would overflow an int64 rather than
// wrapping around to a wrong total.
func orderTotal(lines []*ordersv1.OrderItem, prices []*commonv1.Money) (*commonv1.Money, error) {
	var total int64
	currency := ""
	for i, line := range lines {
		price := prices[i]
		if currency == "" {
			currency = price.GetCurrencyCode()
		}
		if price.GetCurrencyCode() != currency {
			return nil, rpcerr.Invalid(rpcerr.Violation{Field: "items",
				Description: "all items of an order must be priced in one currency"})
		}
		unit, ok1 := mul(price.GetUnits(), nanosPerUnit)
		unit, ok2 := add(unit, int64(price.GetNanos()))
		cost, ok3 := mul(unit, int64(line.GetQuantity()))
		sum, ok4 := add(total, cost)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return nil, rpcerr.Invalid(rpcerr.Violation{Field: "items",
				Description: "the order's total is too large to represent"})
		}
		total = sum
	}
	return &commonv1.Money{CurrencyCode: currency, Units: total / nanosPerUnit, Nanos: int32(total % nanosPerUnit)}, nil
}

func add(a, b int64) (int64, bool) {
	if b > 0 && a > math.MaxInt64-b || b < 0 && a < math.MinInt64-b {
		return 0, false
	}
	return a + b, true
}

func mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || a == -1 && b == math.MinInt64 || b == -1 && a == math.MinInt64 {
		return 0, false
	}
	return c, true
}
