package web

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMoneyIsFormattedExactly runs the page's formatMoney under Node: prices
// are int64 units (a bigint in TypeScript) and nanos, never a double.
func TestMoneyIsFormattedExactly(t *testing.T) {
	if err := checkNode(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("%v: the page's formatter is not run", err)
	}
	module := filepath.Join(t.TempDir(), "money.mjs")
	esbuild := goTool(t, filepath.Join(labRoot(t), "tools"), "esbuild")
	run(t, ".", esbuild, "src/money.ts", "--bundle", "--format=esm", "--platform=node",
		"--log-level=warning", "--outfile="+module)

	type amount struct {
		Currency string `json:"currency"`
		Units    string `json:"units"` // a decimal string, as JSON carries an int64
		Nanos    int32  `json:"nanos"`
	}
	tests := []struct {
		name string
		in   amount
		want string
	}{
		{"cents come from nanos", amount{"USD", "25", 990_000_000}, "$25.99"},
		{"a whole amount shows the currency's digits", amount{"USD", "19", 0}, "$19.00"},
		{"a fraction finer than a cent is kept", amount{"USD", "0", 5_000_000}, "$0.005"},
		{"a negative amount keeps its sign", amount{"USD", "-1", -500_000_000}, "-$1.50"},
		{"units past 2^53 stay exact", amount{"USD", "9223372036854775807", 999_999_999},
			"$9,223,372,036,854,775,807.999999999"},
		{"a currency without minor units shows none", amount{"JPY", "100", 0}, "¥100"},
		{"a code Intl does not know is written after the amount", amount{"Q1", "1", 500_000_000}, "1.5 Q1"},
	}
	var in []amount
	for _, tt := range tests {
		in = append(in, tt.in)
	}
	arg, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	script := `const { formatMoney } = await import(process.argv[1]);
const out = JSON.parse(process.argv[2]).map((a) =>
  formatMoney({ currencyCode: a.currency, units: BigInt(a.units), nanos: a.nanos }));
console.log(JSON.stringify(out));`
	raw, err := exec.Command("node", "--input-type=module", "-e", script, "file://"+filepath.ToSlash(module), string(arg)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []string
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != len(tests) {
		t.Fatalf("node printed %q, want %d strings (%v)", raw, len(tests), err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got[i] != tt.want {
				t.Errorf("formatMoney(%+v) = %q, want %q", tt.in, got[i], tt.want)
			}
		})
	}
}
