package main

import (
	"fmt"

	commonv1 "github.com/learn-grpc/learn-grpc/09-web/gen/ecommerce/common/v1"
)

// formatMoney renders an amount for people: "$25.99" for dollars, "19.00 EUR"
// for other currencies. It works in integers throughout, like Money itself,
// and shows cents, truncating any finer fraction.
func formatMoney(m *commonv1.Money) string {
	if m == nil {
		return "(no price)"
	}
	units, nanos := m.GetUnits(), int64(m.GetNanos())
	sign := ""
	if units < 0 || nanos < 0 {
		sign, units, nanos = "-", -units, -nanos
	}
	digits := fmt.Sprintf("%d.%02d", units, nanos/10_000_000)
	if m.GetCurrencyCode() == "USD" {
		return sign + "$" + digits
	}
	return sign + digits + " " + m.GetCurrencyCode()
}
