// Command client is deliberately broken: it misspells its greeting, and
// "fail" succeeds when it should not, and "hang" never ends. "wait-for
// FILE" and "touch FILE" are not broken: one waits for the other.
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
	if len(os.Args) > 2 && os.Args[1] == "wait-for" {
		fmt.Println("waiting for", os.Args[2])
		for _, err := os.Stat(os.Args[2]); err != nil; _, err = os.Stat(os.Args[2]) {
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Println(os.Args[2], "appeared")
		return
	}
	if len(os.Args) > 2 && os.Args[1] == "touch" {
		if err := os.WriteFile(os.Args[2], nil, 0o644); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "hang" {
		fmt.Println("Watching products...")
		time.Sleep(time.Hour)
	}
	fmt.Println("Hello, wrold")
}
