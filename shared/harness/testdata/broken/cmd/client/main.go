// Command client is deliberately broken: it misspells its greeting, and
// "fail" succeeds when it should not.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fail" {
		fmt.Println("everything is fine")
		return
	}
	fmt.Println("Hello, wrold")
}
