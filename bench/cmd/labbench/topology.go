package main

import (
	"context"
	"fmt"
	"os"
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

// deepStock seeds every catalog with stock no load run can sell out. From
// stage 07's shared store on, it is stored, and every order really takes
// from it.
const deepStock = "-stock=1000000000"

// startStage builds stage's services from the lab at root and starts them
// with env added to their environment. label names its binaries and logs in
// tmp, so that two labs' copies of one stage can run side by side. A stage
// with a database (internal/db) gets its stores in tmp: one file the two
// catalog replicas share, and one for orders.
func startStage(ctx context.Context, root, tmp, stage, label string, gateway bool, env []string) (*topology, error) {
	bin := func(name string) string { return filepath.Join(tmp, label+"-"+name) }
	var catalogDB, ordersDB []string
	if _, err := os.Stat(filepath.Join(root, stage, "internal", "db")); err == nil {
		catalogDB = []string{"-db=" + filepath.Join(tmp, label+"-catalog.db")}
		ordersDB = []string{"-db=" + filepath.Join(tmp, label+"-orders.db")}
	}
	cmds := []string{"catalog", "orders", "devcerts", "token"}
	if gateway {
		cmds = append(cmds, "gateway")
	}
	for _, cmd := range cmds {
		if err := build(ctx, filepath.Join(root, stage), "./cmd/"+cmd, bin(cmd)); err != nil {
			return nil, err
		}
	}
	t := &topology{pki: filepath.Join(tmp, "pki"+label)}
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
		return startEnv(ctx, bin(name), filepath.Join(tmp, fmt.Sprintf("%s-%s-%d.log", label, name, len(t.catalogs))), lines, env, args...)
	}
	var addrs []string
	for range 2 {
		p, err := run("catalog", 1, append(append(files("catalog"), "-addr=127.0.0.1:0", deepStock), catalogDB...)...)
		if err != nil {
			t.stop()
			return nil, err
		}
		t.catalogs = append(t.catalogs, p)
		addrs = append(addrs, p.addr)
	}
	if t.orders, err = run("orders", 1, append(append(files("orders"), "-addr=127.0.0.1:0",
		"-catalog="+strings.Join(addrs, ",")), ordersDB...)...); err != nil {
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
