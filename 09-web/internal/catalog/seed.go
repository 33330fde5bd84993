package catalog

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
)

// SampleProducts is the catalog the server starts with. Fixed values (not
// random, not time.Now) keep every transcript in the README reproducible.
func SampleProducts() []*catalogv1.Product {
	added := timestamppb.New(time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC))
	return []*catalogv1.Product{
		{
			Id:          "product-123",
			Name:        "The Rust Programming Language Book",
			Description: "The official guide to Rust, from ownership to fearless concurrency.",
			Price:       usd(25, 99),
			Categories:  []string{"books", "programming"},
			CreatedAt:   added,
		},
		{
			Id:          "product-456",
			Name:        "Wireless Mechanical Keyboard",
			Description: "Tenkeyless, hot-swappable switches, Bluetooth and USB-C.",
			Price:       usd(89, 50),
			Categories:  []string{"electronics", "accessories"},
			CreatedAt:   added,
		},
		{
			Id:          "product-789",
			Name:        "The Go Programming Language",
			Description: "A tour of Go by two of the people who know it best.",
			Price:       usd(34, 99),
			Categories:  []string{"books", "programming"},
			CreatedAt:   added,
		},
		{
			Id:          "product-321",
			Name:        "USB-C Hub",
			Description: "Seven ports: HDMI, Ethernet, SD card and four USB.",
			Price:       usd(19, 0),
			Categories:  []string{"electronics", "accessories"},
			CreatedAt:   added,
		},
	}
}

// SampleStock is how many units of each sample product the server starts with.
func SampleStock() map[string]int32 {
	return map[string]int32{"product-123": 100, "product-456": 25, "product-789": 60, "product-321": 200}
}

// StartingStock is the sample stock, or every product at units when units
// is positive: load tests start deep enough never to sell out.
func StartingStock(units int32) map[string]int32 {
	stock := SampleStock()
	if units > 0 {
		for id := range stock {
			stock[id] = units
		}
	}
	return stock
}

// usd builds a Money from dollars and cents, the only place in the program
// where cents are turned into nanos.
func usd(dollars int64, cents int32) *commonv1.Money {
	return &commonv1.Money{CurrencyCode: "USD", Units: dollars, Nanos: cents * 10_000_000}
}
