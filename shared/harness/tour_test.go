package harness

import (
	"strings"
	"testing"
)

// TestATourShowsTheReadmesPortsAndHidesRawSpans holds what a tour prints:
// a server's free port shown as the README's, a Procfile's port likewise,
// and span JSON counted instead of printed; a check's report is untouched.
func TestATourShowsTheReadmesPortsAndHidesRawSpans(t *testing.T) {
	lines := func(rep *Reporter) {
		rep.alias("23456", "50061")
		rep.Program("server", "gRPC server listening on 127.0.0.1:41234")
		rep.Program("client", "dialing 127.0.0.1:41234")
		rep.Program("catalog-1", "gRPC server listening on 127.0.0.1:23456")
		rep.Program("orders", `{"Name":"ecommerce.orders.v1.OrderManagementService/CreateOrder","SpanContext":{}}`)
	}
	var check, tour strings.Builder
	lines(NewReporter(&check))
	rep := NewReporter(&tour)
	rep.Tour()
	lines(rep)
	wantCheck := "[server] gRPC server listening on 127.0.0.1:41234\n[client] dialing 127.0.0.1:41234\n" +
		"[catalog-1] gRPC server listening on 127.0.0.1:23456\n" +
		`[orders] {"Name":"ecommerce.orders.v1.OrderManagementService/CreateOrder","SpanContext":{}}` + "\n"
	if check.String() != wantCheck {
		t.Errorf("a check printed:\n%s\nwant:\n%s", check.String(), wantCheck)
	}
	wantTour := "[server] gRPC server listening on 127.0.0.1:50051\n[client] dialing 127.0.0.1:50051\n" +
		"[catalog-1] gRPC server listening on 127.0.0.1:50061\n"
	if tour.String() != wantTour {
		t.Errorf("a tour printed:\n%s\nwant:\n%s", tour.String(), wantTour)
	}
	if n := rep.hiddenSpans(true); n != 1 {
		t.Errorf("a tour hid %d span lines, want 1", n)
	}
}
