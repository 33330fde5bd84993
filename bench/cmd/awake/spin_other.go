//go:build !linux

package main

import (
	"context"
	"errors"
)

func spin(context.Context, int) (func(), error) {
	return nil, errors.New("keeping cores awake needs Linux's SCHED_IDLE")
}

func endWithParent() error { return nil }
