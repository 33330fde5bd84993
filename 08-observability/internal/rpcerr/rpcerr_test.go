package rpcerr_test

import (
	"strings"
	"testing"

	"github.com/learn-grpc/learn-grpc/08-observability/internal/rpcerr"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "a short string is quoted whole", in: "product-123", want: `"product-123"`},
		{name: "a long string is cut to 32 characters", in: strings.Repeat("é", 1000), want: `"` + strings.Repeat("é", 32) + `"...`},
		{name: "control characters are escaped", in: "a\x1b[2Jb", want: `"a\x1b[2Jb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rpcerr.Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%.40q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		wantOK bool
	}{
		{name: "a lab id is valid", id: "product-123", wantOK: true},
		{name: "dots and underscores are valid", id: "a.b_c", wantOK: true},
		{name: "64 characters are valid", id: strings.Repeat("x", rpcerr.MaxIDLength), wantOK: true},
		{name: "65 characters are not", id: strings.Repeat("x", rpcerr.MaxIDLength+1)},
		{name: "empty is not", id: ""},
		{name: "a space is not", id: "product 123"},
		{name: "a control character is not", id: "product-\x00"},
		{name: "a quote is not", id: `product"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := rpcerr.CheckID("id", "product", tt.id)
			if ok != tt.wantOK {
				t.Fatalf("CheckID(%q) ok = %v, want %v", tt.id, ok, tt.wantOK)
			}
			if !ok && (v.Field != "id" || len(v.Description) > 100) {
				t.Errorf("violation = %+v, want field id and a short description", v)
			}
		})
	}
}
