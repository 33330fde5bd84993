package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
)

// echo answers, on each connection, every request of the form
// [request size][answer size][request bytes] with answer-size bytes: a
// ping-pong over TLS with a gRPC call's payload sizes and no protocol at
// all, the loopback floor that any RPC pays.
func echo(lis net.Listener) {
	for {
		conn, err := lis.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
			var sizes [8]byte
			for {
				if _, err := io.ReadFull(r, sizes[:]); err != nil {
					return
				}
				in, out := binary.BigEndian.Uint32(sizes[:4]), binary.BigEndian.Uint32(sizes[4:])
				if in > 1<<20 || out > 1<<20 {
					return
				}
				if _, err := io.CopyN(io.Discard, r, int64(in)); err != nil {
					return
				}
				if _, err := w.Write(make([]byte, out)); err != nil || w.Flush() != nil {
					return
				}
			}
		}()
	}
}
