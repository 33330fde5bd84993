// Package bench measures the lab's claims. This file: the cost of encoding
// the lab's own messages as protobuf, as JSON with encoding/json, and as
// protobuf's JSON mapping (protojson).
//
//	go test -run '^$' -bench Encoding -benchmem
package bench

import (
	"encoding/json"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/orders/v1"
)

var at = timestamppb.New(time.Date(2025, 12, 20, 14, 30, 0, 0, time.UTC))

func sampleProduct() *catalogv1.Product {
	return &catalogv1.Product{
		Id: "product-123", Name: "The Rust Programming Language Book",
		Description: "The official guide to Rust, from ownership to fearless concurrency.",
		Price:       &commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990_000_000},
		Categories:  []string{"books", "programming"}, CreatedAt: at,
	}
}

func sampleOrder() *ordersv1.Order {
	return &ordersv1.Order{
		Id: "order-1042", CustomerId: "alice",
		Items: []*ordersv1.OrderItem{
			{ProductId: "product-123", Quantity: 2}, {ProductId: "product-456", Quantity: 1}, {ProductId: "product-789", Quantity: 3},
		},
		Status:    ordersv1.OrderStatus_ORDER_STATUS_IN_TRANSIT,
		Total:     &commonv1.Money{CurrencyCode: "USD", Units: 246, Nanos: 450_000_000},
		CreatedAt: at,
	}
}

// codec is one way of turning a message into bytes and back.
type codec struct {
	name      string
	marshal   func(proto.Message) ([]byte, error)
	unmarshal func([]byte, proto.Message) error
}

var codecs = []codec{
	{"protobuf", proto.Marshal, proto.Unmarshal},
	{"protojson", protojson.Marshal, protojson.Unmarshal},
	// encoding/json on the generated structs: what code that ignores the
	// protobuf runtime would do. It works for these messages because their
	// fields are plain Go values with json tags.
	{"encoding-json", func(m proto.Message) ([]byte, error) { return json.Marshal(m) },
		func(b []byte, m proto.Message) error { return json.Unmarshal(b, m) }},
}

func BenchmarkEncoding(b *testing.B) {
	messages := []struct {
		name  string
		value proto.Message
		empty func() proto.Message
	}{
		{"Product", sampleProduct(), func() proto.Message { return &catalogv1.Product{} }},
		{"Order", sampleOrder(), func() proto.Message { return &ordersv1.Order{} }},
	}
	for _, msg := range messages {
		for _, c := range codecs {
			wire, err := c.marshal(msg.value)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(msg.name+"/"+c.name+"/marshal", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.marshal(msg.value); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(wire)), "bytes")
			})
			b.Run(msg.name+"/"+c.name+"/unmarshal", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.unmarshal(wire, msg.empty()); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(wire)), "bytes")
			})
		}
	}
}

// TestCodecsRoundTrip makes sure every codec measured above really carries
// the messages: a fast codec that loses data would make the numbers lie.
func TestCodecsRoundTrip(t *testing.T) {
	for _, m := range []proto.Message{sampleProduct(), sampleOrder()} {
		for _, c := range codecs {
			wire, err := c.marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			back := m.ProtoReflect().New().Interface()
			if err := c.unmarshal(wire, back); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !proto.Equal(m, back) {
				t.Errorf("%s lost data:\n%v\n%v", c.name, m, back)
			}
		}
	}
}
