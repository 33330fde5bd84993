// Command client is deliberately broken: it misspells its greeting, and
// "fail" succeeds when it should not, and "hang" never ends.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fail" {
		fmt.Println("everything is fine")
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "hang" {
		fmt.Println("Watching products...")
		time.Sleep(time.Hour)
	}
	fmt.Println("Hello, wrold")
}
