// Command server is deliberately broken: it crashes before it serves.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "panic: database unreachable")
	os.Exit(2)
}
