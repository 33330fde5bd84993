package harness

import (
	"fmt"
	"strings"
	"testing"
)

// span writes one span as the console exporter does.
func span(service, name string, kind int, id, parent string, startMs, endMs int) string {
	if parent == "" {
		parent = "0000000000000000"
	}
	return fmt.Sprintf(`{"Name":%q,"SpanContext":{"TraceID":"t1","SpanID":%q},"Parent":{"TraceID":"t1","SpanID":%q},`+
		`"SpanKind":%d,"StartTime":"2026-01-01T00:00:00.%03dZ","EndTime":"2026-01-01T00:00:00.%03dZ",`+
		`"Status":{"Code":"Unset"},"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":%q}}]}`,
		name, id, parent, kind, startMs, endMs, service)
}

func TestATraceFromConsoleOutput(t *testing.T) {
	output := strings.Join([]string{
		"gRPC server listening on 127.0.0.1:50051",
		span("catalog", "Reserve", 2, "c2", "c1", 3, 4),
		`time=... level=INFO msg=rpc`,
		span("orders", "Reserve", 3, "c1", "s1", 2, 5),
		span("gateway", "POST /v1/orders", 2, "s1", "", 0, 6),
		`{"Name": cut short by another write`,
	}, "\n")
	spans, err := ParseSpans(strings.NewReader(output))
	if err != nil || len(spans) != 3 {
		t.Fatalf("parsed %d spans, %v; want 3", len(spans), err)
	}
	tr, err := FindTrace(spans, TraceQuery{From: "gateway"})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Complete() {
		t.Error("a trace whose every client span has its server span is not complete")
	}
	lines := strings.Split(tr.Tree(), "\n")
	for i, want := range []string{
		"trace t1: 3 spans, 3 services",
		"gateway POST /v1/orders (server)",
		"└─ orders Reserve (client)",
		"   └─ catalog Reserve (server)",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], want)
		}
	}
	if _, err := FindTrace(spans, TraceQuery{From: "orders"}); err == nil {
		t.Error("found a trace that began at orders; none did")
	}
}

func TestAClientSpanWithoutItsServerSpanIsIncomplete(t *testing.T) {
	spans, _ := ParseSpans(strings.NewReader(span("orders", "Reserve", 3, "c1", "s1", 2, 5) + "\n" +
		span("gateway", "POST /v1/orders", 2, "s1", "", 0, 6)))
	tr, err := FindTrace(spans, TraceQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Complete() {
		t.Error("complete, though the catalog's server span has not arrived")
	}
	if !strings.Contains(tr.Tree(), "incomplete") {
		t.Errorf("the tree does not say it is incomplete:\n%s", tr.Tree())
	}
}

func TestThroughPicksTheLatestTraceHoldingASpanOfThatName(t *testing.T) {
	inTrace := func(id, s string) string { return strings.ReplaceAll(s, `"t1"`, `"`+id+`"`) }
	output := strings.Join([]string{
		inTrace("placed", span("gateway", "CreateOrder", 2, "a1", "", 0, 9)),
		inTrace("placed", span("catalog", "ReserveStock", 2, "a2", "a1", 2, 3)),
		inTrace("refused", span("gateway", "CreateOrder", 2, "b1", "", 10, 11)),
	}, "\n")
	spans, err := ParseSpans(strings.NewReader(output))
	if err != nil {
		t.Fatal(err)
	}
	latest, err := FindTrace(spans, TraceQuery{From: "gateway"})
	if err != nil || latest.ID != "refused" {
		t.Fatalf("latest from the gateway = %v, %v; want the refused order's", latest, err)
	}
	got, err := FindTrace(spans, TraceQuery{From: "gateway", Through: "ReserveStock"})
	if err != nil || got.ID != "placed" {
		t.Fatalf("through ReserveStock = %v, %v; want the placed order's", got, err)
	}
	if _, err := FindTrace(spans, TraceQuery{Through: "ReleaseStock"}); err == nil {
		t.Error("found a trace through ReleaseStock; none holds one")
	}
}
