package main

import (
	"testing"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
)

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		money *commonv1.Money
		want  string
	}{
		{&commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990_000_000}, "$25.99"},
		{&commonv1.Money{CurrencyCode: "USD", Units: 19}, "$19.00"},
		{&commonv1.Money{CurrencyCode: "USD", Nanos: 50_000_000}, "$0.05"},
		{&commonv1.Money{CurrencyCode: "USD", Units: -5, Nanos: -250_000_000}, "-$5.25"},
		{&commonv1.Money{CurrencyCode: "EUR", Units: 7, Nanos: 999_999_999}, "7.99 EUR"},
		{nil, "(no price)"},
	}
	for _, tt := range tests {
		if got := formatMoney(tt.money); got != tt.want {
			t.Errorf("formatMoney(%v) = %q, want %q", tt.money, got, tt.want)
		}
	}
}
