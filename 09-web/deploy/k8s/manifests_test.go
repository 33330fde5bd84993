// Package k8s holds the stage's Kubernetes manifests and the test that
// checks them against the binaries, since no cluster runs them here.
package k8s

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/learn-grpc/learn-grpc/09-web/internal/watchhub"
)

// manifest is one file: a Deployment and its Service.
type manifest struct {
	deploy  *appsv1.Deployment
	service *corev1.Service
}

// load decodes every document of a file strictly: a misspelt or misplaced
// field is an error, as it would be for kubectl apply --validate=strict.
func load(t *testing.T, name string) manifest {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	for i, doc := range bytes.Split(data, []byte("\n---\n")) {
		var meta struct{ Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("%s, document %d: %v", name, i+1, err)
		}
		var into any
		switch meta.Kind {
		case "Deployment":
			m.deploy = &appsv1.Deployment{}
			into = m.deploy
		case "Service":
			m.service = &corev1.Service{}
			into = m.service
		default:
			t.Fatalf("%s, document %d: unexpected kind %q", name, i+1, meta.Kind)
		}
		if err := yaml.UnmarshalStrict(doc, into); err != nil {
			t.Fatalf("%s, document %d: %v", name, i+1, err)
		}
	}
	if m.deploy == nil || m.service == nil {
		t.Fatalf("%s: want a Deployment and a Service", name)
	}
	return m
}

// flagsOf builds the command and reads the flags its -h lists.
func flagsOf(t *testing.T, cmd string) map[string]bool {
	t.Helper()
	bin := filepath.Join(t.TempDir(), cmd)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/"+cmd)
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", cmd, err, out)
	}
	out, _ := exec.Command(bin, "-h").CombinedOutput() // -h exits 2 after the usage
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = true
	}
	if len(flags) == 0 {
		t.Fatalf("%s -h listed no flags:\n%s", cmd, out)
	}
	return flags
}

// procfilePorts reads the port each service listens on in the Procfile.
func procfilePorts(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../Procfile")
	if err != nil {
		t.Fatal(err)
	}
	ports := map[string]string{}
	re := regexp.MustCompile(`(?m)go run \./cmd/(\w+) -(?:http-)?addr=localhost:(\d+)`)
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		if _, seen := ports[m[1]]; !seen { // the first replica's
			ports[m[1]] = m[2]
		}
	}
	return ports
}

func args(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, a := range c.Args {
		name, value, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		out[name] = value
	}
	return out
}

func port(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func TestCheckDatabase(t *testing.T) {
	fromSecret := corev1.Container{Env: []corev1.EnvVar{{Name: "DB_URL", ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{Key: "url"}}}}}
	plainEnv := corev1.Container{Env: []corev1.EnvVar{{Name: "DB_URL", Value: "/data/catalog.db"}}}
	tests := []struct {
		name     string
		replicas int32
		c        corev1.Container
		db       string
		ok       bool
	}{
		{"a SQLite file with two replicas is refused", 2, corev1.Container{}, "/data/catalog.db", false},
		{"a SQLite file with one replica is fine", 1, corev1.Container{}, "/data/catalog.db", true},
		{"a postgres:// URL with two replicas is fine", 2, corev1.Container{}, "postgres://db:5432/catalog", true},
		{"a URL from a Secret is fine", 2, fromSecret, "$(DB_URL)", true},
		{"a variable not from a Secret is refused", 2, plainEnv, "$(DB_URL)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDatabase(tt.replicas, tt.c, map[string]string{"db": tt.db})
			if (err == nil) != tt.ok {
				t.Errorf("checkDatabase = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestManifestsAgreeWithTheBinaries(t *testing.T) {
	ports := procfilePorts(t)
	for _, svc := range []string{"catalog", "orders", "gateway"} {
		t.Run(svc, func(t *testing.T) {
			m := load(t, svc+".yaml")
			pod := m.deploy.Spec.Template.Spec
			if len(pod.Containers) != 1 {
				t.Fatalf("want one container, got %d", len(pod.Containers))
			}
			c := pod.Containers[0]
			a := args(c)
			flags := flagsOf(t, svc)
			for name := range a {
				if !flags[name] {
					t.Errorf("argument -%s is not a flag of %s", name, svc)
				}
			}

			listen, main := a["addr"], "grpc"
			if svc == "gateway" {
				listen, main = a["http-addr"], "https"
			}
			if want := fmt.Sprintf(":%d", port(c, main)); listen != want || !strings.HasSuffix(listen, ports[svc]) {
				t.Errorf("listens on %q; want %s, the %s containerPort, and the Procfile's port %s",
					listen, want, main, ports[svc])
			}
			if sp := m.service.Spec.Ports; len(sp) != 1 || sp[0].TargetPort.String() != main ||
				fmt.Sprint(sp[0].Port) != ports[svc] {
				t.Errorf("Service ports %+v; want one, port %s, to the %s port", sp, ports[svc], main)
			}
			for k, v := range m.service.Spec.Selector {
				if m.deploy.Spec.Template.Labels[k] != v {
					t.Errorf("the Service selects %s=%s, which the pods do not carry", k, v)
				}
			}

			if want := fmt.Sprintf(":%d", port(c, "metrics")); a["metrics-addr"] != want {
				t.Errorf("-metrics-addr=%q, want %s, the metrics containerPort", a["metrics-addr"], want)
			}
			checkProbes(t, svc, c, a)
			checkTargets(t, svc, a, ports)
			checkSecrets(t, pod, c, a)
			checkHardening(t, pod, c)
			if err := checkDatabase(*m.deploy.Spec.Replicas, c, a); err != nil {
				t.Error(err)
			}
		})
	}
}

// viewerBytes is the most one Connect viewer adds to the gateway's
// resident memory. Bench step 12 (bench/RESULTS.md, 2026-12-02) measured
// 46.9 KB a viewer with four on each connection, the connection most of
// it; a viewer alone on its connection costs at most four times that.
const viewerBytes = 4 * 48 << 10

// TestTheGatewaysMemoryLimitHoldsItsViewers: a gateway at its cap of
// viewers must fit its memory limit, with 64 MiB for everything else, or
// the cap would end in the kernel killing the pod and every stream with it.
func TestTheGatewaysMemoryLimitHoldsItsViewers(t *testing.T) {
	c := load(t, "gateway.yaml").deploy.Spec.Template.Spec.Containers[0]
	need := int64(watchhub.MaxViewers)*viewerBytes + 64<<20
	if got := c.Resources.Limits.Memory().Value(); got < need {
		t.Errorf("memory limit %d MiB; %d viewers at up to %d KB need %d MiB", got>>20, watchhub.MaxViewers,
			viewerBytes>>10, need>>20)
	}
}

// checkProbes: gRPC services are probed on the plaintext health port with
// their own health service name for readiness; the gateway over HTTPS.
func checkProbes(t *testing.T, svc string, c corev1.Container, a map[string]string) {
	t.Helper()
	for _, p := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		if p == nil {
			t.Fatal("want a readiness and a liveness probe")
		}
	}
	if svc == "gateway" {
		for _, p := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
			if g := p.HTTPGet; g == nil || g.Path != "/healthz" || g.Scheme != corev1.URISchemeHTTPS {
				t.Errorf("gateway probe %+v, want HTTPS GET /healthz", p.ProbeHandler)
			}
		}
		return
	}
	probePort := port(c, "probe")
	if a["health-addr"] != fmt.Sprintf(":%d", probePort) {
		t.Errorf("-health-addr=%q, want the probe containerPort %d", a["health-addr"], probePort)
	}
	want := map[string]string{"catalog": "ecommerce.catalog.v1.ProductCatalogService",
		"orders": "ecommerce.orders.v1.OrderManagementService"}[svc]
	r, l := c.ReadinessProbe.GRPC, c.LivenessProbe.GRPC
	switch {
	case r == nil || l == nil:
		t.Errorf("want gRPC probes, got %+v and %+v", c.ReadinessProbe.ProbeHandler, c.LivenessProbe.ProbeHandler)
	case r.Port != probePort || l.Port != probePort:
		t.Errorf("probes on ports %d and %d, want %d", r.Port, l.Port, probePort)
	case r.Service == nil || *r.Service != want:
		t.Errorf("readiness asks for service %v, want %s", r.Service, want)
	}
}

// checkTargets: a client's dns:/// target names a Service and its port.
func checkTargets(t *testing.T, svc string, a map[string]string, ports map[string]string) {
	t.Helper()
	for _, dep := range []string{"catalog", "orders"} {
		target, ok := a[dep]
		if !ok {
			continue
		}
		if want := "dns:///" + dep + ":" + ports[dep]; target != want {
			t.Errorf("-%s=%s, want %s", dep, target, want)
		}
		if dep == "catalog" {
			if s := load(t, "catalog.yaml").service; s.Spec.ClusterIP != corev1.ClusterIPNone {
				t.Errorf("the catalog Service must be headless, so that dns:/// sees every replica")
			}
		}
	}
}

// checkSecrets: every file a flag names lies in a mounted Secret, under a
// key of that Secret's files.
func checkSecrets(t *testing.T, pod corev1.PodSpec, c corev1.Container, a map[string]string) {
	t.Helper()
	mounts := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.MountPath] = vm.Name
	}
	for _, flag := range []string{"tls-cert", "tls-key", "tls-ca", "jwt-public-key"} {
		path, ok := a[flag]
		if !ok {
			if flag != "jwt-public-key" {
				t.Errorf("no -%s", flag)
			}
			continue
		}
		vol := mounts[filepath.ToSlash(filepath.Dir(path))]
		found := false
		for _, v := range pod.Volumes {
			if v.Name == vol && v.Secret != nil && v.Secret.SecretName != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("-%s=%s is not in a mounted Secret", flag, path)
		}
	}
}

// checkDatabase: replicas on more than one node cannot share a SQLite file,
// so a Deployment of several replicas takes its -db URL from a Secret (the
// URL holds a password) or names a postgres:// URL.
func checkDatabase(replicas int32, c corev1.Container, a map[string]string) error {
	dsn, ok := a["db"]
	if !ok {
		return nil
	}
	if name, found := strings.CutPrefix(dsn, "$("); found {
		name = strings.TrimSuffix(name, ")")
		for _, e := range c.Env {
			if e.Name == name && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				return nil
			}
		}
		return fmt.Errorf("-db=%s: the variable %s does not come from a Secret", dsn, name)
	}
	if replicas > 1 && !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return fmt.Errorf("-db=%s is a SQLite file, which %d replicas on different nodes cannot share; "+
			"use a postgres:// URL from a Secret", dsn, replicas)
	}
	return nil
}

// checkHardening: requests and limits, and a container that cannot become
// root or write to its image.
func checkHardening(t *testing.T, pod corev1.PodSpec, c corev1.Container) {
	t.Helper()
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("want CPU and memory requests and a memory limit, got %+v", c.Resources)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("the pod must run as non-root")
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("the container needs a read-only root filesystem and no privilege escalation")
	}
	if pod.TerminationGracePeriodSeconds == nil || *pod.TerminationGracePeriodSeconds < 20 {
		t.Error("the grace period must outlast -drain-delay plus -shutdown-timeout")
	}
}
