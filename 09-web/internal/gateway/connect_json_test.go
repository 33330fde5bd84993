package gateway

import (
	"strings"
	"testing"

	catalogv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
)

func TestConnectJSONIsCompactAndTheSameEveryTime(t *testing.T) {
	res := &catalogv1.GetProductResponse{Product: &catalogv1.Product{Id: "product-123", Name: "A book",
		Price: &commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990000000}}}
	got, err := connectJSON{}.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"product":{"id":"product-123","name":"A book","price":{"currencyCode":"USD","units":"25","nanos":990000000}}}`
	if string(got) != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
}

func TestConnectJSONNeverEchoesALongBadValue(t *testing.T) {
	huge := strings.Repeat("x", 50_000)
	err := connectJSON{}.Unmarshal([]byte(`{"id": `+huge+`}`), &catalogv1.GetProductRequest{})
	if err == nil {
		t.Fatal("Unmarshal of a bad body succeeded")
	}
	if len(err.Error()) > maxDecodeError+3 {
		t.Errorf("the error is %d bytes long: it echoes the body", len(err.Error()))
	}
}

func TestConnectJSONIgnoresUnknownFields(t *testing.T) {
	var req catalogv1.GetProductRequest
	if err := (connectJSON{}).Unmarshal([]byte(`{"id":"product-123","newerField":1}`), &req); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if req.GetId() != "product-123" {
		t.Errorf("id = %q", req.GetId())
	}
}
