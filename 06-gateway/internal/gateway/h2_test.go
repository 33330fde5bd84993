package gateway_test

import (
	"bytes"
	"net"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Conn starts HTTP/2 on conn, as a client that sends these settings,
// and returns the framer the test talks through.
func h2Conn(t *testing.T, conn net.Conn, settings ...http2.Setting) *http2.Framer {
	t.Helper()
	if _, err := conn.Write([]byte(http2.ClientPreface)); err != nil {
		t.Fatal(err)
	}
	fr := http2.NewFramer(conn, conn)
	if err := fr.WriteSettings(settings...); err != nil {
		t.Fatal(err)
	}
	return fr
}

// get opens stream id with a GET of path; end says whether the request
// ends with its headers, as a GET's does.
func get(t *testing.T, fr *http2.Framer, id uint32, scheme, path string, end bool, extra ...[2]string) {
	t.Helper()
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	fields := append([][2]string{{":method", "GET"}, {":scheme", scheme}, {":authority", "localhost"},
		{":path", path}}, extra...)
	for _, f := range fields {
		_ = enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block.Bytes(),
		EndHeaders: true, EndStream: end}); err != nil {
		t.Fatal(err)
	}
}
