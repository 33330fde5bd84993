package main

import (
	"fmt"
	"math"
	"runtime"
	"time"

	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/catalog/v1"
	commonv1 "github.com/learn-grpc/learn-grpc/06-gateway/gen/ecommerce/common/v1"
)

// A host can slow a virtual machine down without stealing from it (bench
// README, "steal"). So the run also times a fixed piece of work before and
// after every step, and reports how fast the machine was against the first
// reading.

// The speeds, against the run's first reading, between which a step's
// figures count as measured on a quiet machine. Above the top, the first
// reading was the slow one.
const (
	quietSpeed = 0.85
	quietTop   = 1.18
)

// speedProduct is what the reading encodes and decodes: the lab's product.
var speedProduct = &catalogv1.Product{
	Id: "product-123", Name: "The Rust Programming Language Book",
	Description: "The official guide to Rust, from ownership to fearless concurrency.",
	Price:       &commonv1.Money{CurrencyCode: "USD", Units: 25, Nanos: 990_000_000},
	Categories:  []string{"books", "programming"},
}

// workTime times 10,000 marshals and unmarshals of the product, about 6 ms
// on a quiet machine, and keeps the fastest of five: a reading is the
// machine's speed when it runs, not a pause the scheduler happened to take.
// It collects garbage first, so that what a step left on labbench's heap
// does not slow the reading after it.
func workTime() time.Duration {
	runtime.GC()
	best := time.Duration(0)
	for range 5 {
		start := time.Now()
		for range 10_000 {
			b, err := proto.Marshal(speedProduct)
			if err == nil {
				err = proto.Unmarshal(b, &catalogv1.Product{})
			}
			if err != nil {
				panic(err) // a fixed message that cannot round-trip is a bug here
			}
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	return best
}

// speedMeter follows the machine's speed over a run and within each step.
type speedMeter struct {
	first time.Duration
	read  func() time.Duration // workTime, or a test's
	step  speedRange           // since startStep
	run   speedRange
	// the steps of the run's slowest and fastest readings
	lowStep, highStep string
}

// speedRange is the slowest and fastest readings, against the first.
type speedRange struct{ low, high float64 }

func (r *speedRange) add(speed float64) { r.low, r.high = min(r.low, speed), max(r.high, speed) }

// quiet reports whether the machine held its speed: never below quietSpeed
// and never above quietTop, since a slow first reading makes later ones fast.
func (r speedRange) quiet() bool { return r.low >= quietSpeed && r.high <= quietTop }

func newSpeedMeter(read func() time.Duration) *speedMeter {
	return &speedMeter{first: read(), read: read, run: speedRange{1, 1}}
}

// now is the speed of the machine against the first reading: 0.5 is half as
// fast. It is rounded as the report prints it, so that what it prints and
// what it judges agree.
func (m *speedMeter) now() float64 {
	return math.Round(100*float64(m.first)/float64(m.read())) / 100
}

func (m *speedMeter) startStep() { s := m.now(); m.step = speedRange{s, s} }

// endStep returns the step's range, from its readings at its start and end.
func (m *speedMeter) endStep(number string) speedRange {
	m.step.add(m.now())
	if m.step.low < m.run.low {
		m.lowStep = number
	}
	if m.step.high > m.run.high {
		m.highStep = number
	}
	m.run.add(m.step.low)
	m.run.add(m.step.high)
	return m.step
}

// summary is the run's speed for the report's first line.
func (m *speedMeter) summary() string { return describeSpeed(m.run, m.lowStep, m.highStep) }

// describeSpeed is the report's phrase for a run whose readings spanned r,
// its slowest in step lowStep and its fastest in highStep.
func describeSpeed(r speedRange, lowStep, highStep string) string {
	s := fmt.Sprintf("; speed %.2f-%.2fx the run's first reading", r.low, r.high)
	if r.quiet() {
		return s
	}
	if r.low < quietSpeed {
		s += fmt.Sprintf(", %.2fx in step %s", r.low, lowStep)
	}
	if r.high > quietTop {
		s += fmt.Sprintf(", %.2fx in step %s (or that first reading was slow)", r.high, highStep)
	}
	return s + ": not a quiet machine"
}

// describeStepSpeed is a step's progress phrase.
func describeStepSpeed(r speedRange) string {
	s := fmt.Sprintf("speed %.2f-%.2fx the run's first reading", r.low, r.high)
	if !r.quiet() {
		s += ": not a quiet machine"
	}
	return s
}
