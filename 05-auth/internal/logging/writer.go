// Package logging is the servers' log: text lines at a chosen level,
// written in batches so that a line per call does not cost a write
// syscall per call.
package logging

import (
	"io"
	"sync"
	"time"
)

// FlushAfter is how long a line may wait in the buffer. It bounds what a
// process killed outright (SIGKILL, a crash) loses; any other stop writes
// everything, since the server flushes when it returns.
const FlushAfter = 100 * time.Millisecond

// bufferSize is how much is written at once: some 200 access lines.
const bufferSize = 32 << 10

// Writer buffers what is written to it and passes it on to w when the
// buffer fills, FlushAfter after the first line it holds, on Flush and on
// Close. A write never drops a line: a full buffer is written out first.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	timer  *time.Timer // armed while buf holds lines
	closed bool
}

// NewWriter returns a Writer for w. Close it when the program ends.
func NewWriter(w io.Writer) *Writer {
	b := &Writer{w: w, buf: make([]byte, 0, bufferSize)}
	b.timer = time.AfterFunc(time.Hour, func() { _ = b.Flush() })
	b.timer.Stop()
	return b
}

// Write buffers p, one log line. After Close it writes p through.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	if len(b.buf)+len(p) > cap(b.buf) {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(b.buf) {
			return b.w.Write(p)
		}
	}
	if len(b.buf) == 0 {
		b.timer.Reset(FlushAfter)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes what the buffer holds.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *Writer) flushLocked() error {
	if len(b.buf) == 0 {
		return nil
	}
	b.timer.Stop()
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0] // a failed write is not retried: the next lines might fail the same way
	return err
}

// Close writes what is left; later writes go straight to w, so that
// nothing logged while the program stops is lost.
func (b *Writer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.flushLocked()
	b.closed = true
	return err
}
