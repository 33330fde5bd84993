package harness

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// loopbackPortRE finds host:port on the loopback interface.
var loopbackPortRE = regexp.MustCompile(`\b(localhost|127\.0\.0\.1):(\d{2,5})\b`)

// Map puts the topology's real ports in place of the Procfile's in s.
func (t *Topology) Map(s string) string { return t.swap(s, t.ports) }

// Unmap puts the Procfile's ports back in place of the real ones.
func (t *Topology) Unmap(s string) string {
	back := map[string]string{}
	for from, to := range t.ports {
		back[to] = from
	}
	return t.swap(s, back)
}

func (t *Topology) swap(s string, ports map[string]string) string {
	return loopbackPortRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := loopbackPortRE.FindStringSubmatch(m)
		if to, ok := ports[sub[2]]; ok {
			return sub[1] + ":" + to
		}
		return m
	})
}

// freePort picks a free loopback port below the range the kernel hands out
// to outgoing connections: a port from that range (what ":0" gives) can be
// taken by any connection before the process gets to bind it.
var freePort = func() (string, error) {
	lo, hi := ephemeralPorts()
	for range 100 {
		port := 10000 + rand.IntN(50000)
		if port >= lo && port <= hi {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		return strconv.Itoa(port), nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// ephemeralPorts is the kernel's range for outgoing connections: Linux says
// which; macOS and Windows use IANA's.
func ephemeralPorts() (lo, hi int) {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if n, _ := fmt.Sscan(string(b), &lo, &hi); n == 2 && lo <= hi {
			return lo, hi
		}
	}
	return 49152, 65535
}

// addrInUse reports whether a process failed because its port was taken,
// as Linux and macOS, or Windows, put it.
func addrInUse(err error) bool {
	return strings.Contains(err.Error(), "address already in use") ||
		strings.Contains(err.Error(), "Only one usage of each socket address")
}
