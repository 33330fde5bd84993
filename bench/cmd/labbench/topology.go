package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// topology is a stage from 07 on as go tool lab up runs it: two catalog
// replicas, orders in front of them, and, if asked for, the gateway.
type topology struct {
	pki      string
	token    string // alice, with orders:write
	catalogs []*process
	orders   *process
	gateway  *process
	restAddr string
}

// deepStock starts every catalog with stock no load run can sell out.
const deepStock = "-stock=1000000000"

// startStage builds stage's services and starts them with env added to
// their environment.
func startStage(ctx context.Context, root, tmp, stage string, gateway bool, env []string) (*topology, error) {
	bin := func(name string) string { return filepath.Join(tmp, stage[:2]+"-"+name) }
	cmds := []string{"catalog", "orders", "devcerts", "token"}
	if gateway {
		cmds = append(cmds, "gateway")
	}
	for _, cmd := range cmds {
		if err := build(ctx, filepath.Join(root, stage), "./cmd/"+cmd, bin(cmd)); err != nil {
			return nil, err
		}
	}
	t := &topology{pki: filepath.Join(tmp, "pki"+stage[:2])}
	if out, err := exec.CommandContext(ctx, bin("devcerts"), "-dir", t.pki).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("devcerts: %v\n%s", err, out)
	}
	tok, err := exec.CommandContext(ctx, bin("token"), "-key", filepath.Join(t.pki, "jwt-signing.key"), "-subject", "alice",
		"-scopes", "orders:write").Output()
	if err != nil {
		return nil, fmt.Errorf("token: %v", err)
	}
	t.token = strings.TrimSpace(string(tok))
	files := func(service string) []string {
		return []string{"-tls-cert=" + filepath.Join(t.pki, service+".crt"), "-tls-key=" + filepath.Join(t.pki, service+".key"),
			"-tls-ca=" + filepath.Join(t.pki, "ca.crt"), "-jwt-public-key=" + filepath.Join(t.pki, "jwt-signing.pub")}
	}
	run := func(name string, lines int, args ...string) (*process, error) {
		return startEnv(ctx, bin(name), filepath.Join(tmp, fmt.Sprintf("%s-%s-%d.log", stage[:2], name, len(t.catalogs))), lines, env, args...)
	}
	var addrs []string
	for range 2 {
		p, err := run("catalog", 1, append(files("catalog"), "-addr=127.0.0.1:0", deepStock)...)
		if err != nil {
			t.stop()
			return nil, err
		}
		t.catalogs = append(t.catalogs, p)
		addrs = append(addrs, p.addr)
	}
	if t.orders, err = run("orders", 1, append(files("orders"), "-addr=127.0.0.1:0", "-catalog="+strings.Join(addrs, ","))...); err != nil {
		t.stop()
		return nil, err
	}
	if !gateway {
		return t, nil
	}
	t.gateway, err = run("gateway", 1, append(files("gateway")[:3], "-http-addr=127.0.0.1:0",
		"-catalog="+strings.Join(addrs, ","), "-orders="+t.orders.addr)...)
	if err != nil {
		t.stop()
		return nil, err
	}
	t.restAddr = t.gateway.addr
	return t, nil
}

func (t *topology) stop() {
	stopProcess(t.gateway)
	stopProcess(t.orders)
	for _, p := range t.catalogs {
		stopProcess(p)
	}
}
