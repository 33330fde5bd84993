// Package contract_test shows, with the generated code, the two properties
// the lesson relies on: a message survives the wire unchanged, and the wire
// format carries field numbers, not names.
package contract_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
	ordersv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/orders/v1"
)

func sampleProduct() *catalogv1.Product {
	return &catalogv1.Product{
		Id:         "product-123",
		Name:       "The Rust Programming Language Book",
		Price:      &commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990_000_000},
		Categories: []string{"books", "programming"},
		CreatedAt:  timestamppb.New(time.Date(2025, 12, 20, 14, 30, 0, 0, time.UTC)),
	}
}

func TestProductRoundTrip(t *testing.T) {
	want := sampleProduct()
	wire, err := proto.Marshal(want)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got := &catalogv1.Product{}
	if err := proto.Unmarshal(wire, got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !proto.Equal(want, got) {
		t.Errorf("round trip changed the product:\n want %v\n  got %v", want, got)
	}
}

// TestReaderKeepsFieldsItDoesNotKnow decodes a Product with a message that
// only shares its field numbers: the request type has field 1 (id) and nothing
// else, so every other field is unknown to it. Protobuf keeps unknown fields
// and writes them back out, which is why an old service in the middle of a
// call chain does not drop fields a newer client added.
func TestReaderKeepsFieldsItDoesNotKnow(t *testing.T) {
	wire, err := proto.Marshal(sampleProduct())
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	narrow := &catalogv1.GetProductRequest{}
	if err := proto.Unmarshal(wire, narrow); err != nil {
		t.Fatalf("unmarshal into narrow message: %v", err)
	}
	if narrow.GetId() != "product-123" {
		t.Errorf("field 1 read as %q, want product-123: same number, same meaning", narrow.GetId())
	}
	if len(narrow.ProtoReflect().GetUnknown()) == 0 {
		t.Fatal("the fields the narrow message does not know were dropped")
	}
	forwarded, err := proto.Marshal(narrow)
	if err != nil {
		t.Fatalf("re-marshal: %v", err)
	}
	back := &catalogv1.Product{}
	if err := proto.Unmarshal(forwarded, back); err != nil {
		t.Fatalf("unmarshal forwarded bytes: %v", err)
	}
	if !proto.Equal(back, sampleProduct()) {
		t.Errorf("forwarding through an older reader lost data:\n want %v\n  got %v", sampleProduct(), back)
	}
}

// TestUnsetStatusIsUnspecified shows why the enum's zero value is not a real
// status: a freshly decoded order that never had its status set reads as 0.
func TestUnsetStatusIsUnspecified(t *testing.T) {
	wire, err := proto.Marshal(&ordersv1.Order{Id: "order-1"})
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	got := &ordersv1.Order{}
	if err := proto.Unmarshal(wire, got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if got.GetStatus() != ordersv1.OrderStatus_ORDER_STATUS_UNSPECIFIED {
		t.Errorf("status = %v, want ORDER_STATUS_UNSPECIFIED", got.GetStatus())
	}
}
