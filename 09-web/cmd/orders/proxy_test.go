package main

import (
	"io"
	"net"
	"sync"
	"testing"
)

// proxy forwards TCP connections to a server and can go down and come back
// on the same address: to its clients, the server's outage, while the
// server keeps its state.
type proxy struct {
	Addr, to string
	mu       sync.Mutex
	lis      net.Listener
	conns    map[net.Conn]bool
	wg       sync.WaitGroup
}

// newProxy starts a proxy to the server at to, and stops it when the test ends.
func newProxy(t *testing.T, to string) *proxy {
	t.Helper()
	p := &proxy{Addr: "127.0.0.1:0", to: to, conns: map[net.Conn]bool{}}
	p.Up(t)
	p.Addr = p.lis.Addr().String()
	t.Cleanup(func() { p.Down(); p.wg.Wait() })
	return p
}

// Up listens again: new connections reach the server.
func (p *proxy) Up(t *testing.T) {
	t.Helper()
	lis, err := net.Listen("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.lis = lis
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.forward(c) })
		}
	})
}

// Down refuses new connections and cuts the open ones.
func (p *proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lis != nil {
		p.lis.Close()
		p.lis = nil
	}
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) forward(c net.Conn) {
	s, err := net.Dial("tcp", p.to)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, s) {
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src) // either side closing ends both
		done <- struct{}{}
	}
	go pipe(s, c)
	go pipe(c, s)
	<-done
	c.Close()
	s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// track registers an open pair, unless the proxy went down meanwhile.
func (p *proxy) track(c, s net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lis == nil {
		c.Close()
		s.Close()
		return false
	}
	p.conns[c], p.conns[s] = true, true
	return true
}
