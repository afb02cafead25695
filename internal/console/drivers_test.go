package console

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPoints runs the probability-points formatter of the drivers table
// under node: rounded, with a sign, singular for one point, one decimal
// under half a point.
func TestPoints(t *testing.T) {
	node := nodeOrSkip(t)
	dir := jsTree(t)
	script := `
import { points } from './js/format.js';
console.log(JSON.stringify([0.12, -0.031, 0.01, -0.0096, 0.004, -0.004, 0.0004, 0, 0.995, null].map(points)));
`
	if err := os.WriteFile(filepath.Join(dir, "points.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "points.js")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	want := `["+12 pts","−3 pts","+1 pt","−1 pt","+0.4 pts","−0.4 pts","under 0.1 pts","0 pts","+100 pts","—"]`
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("points answered\n%s\nwant\n%s", got, want)
	}
}

// TestDriversShowImpact checks that the customer page renders the drivers'
// impacts in points and the base score (ids the browser test relies on),
// not the raw log-odds.
func TestDriversShowImpact(t *testing.T) {
	page := string(staticFiles(t)["js/pages/customer.js"])
	for _, s := range []string{"'base-score'", "r.base_score", "d.impact", "points(", "'impact-pts'"} {
		if !strings.Contains(page, s) {
			t.Errorf("the customer page lacks %s", s)
		}
	}
	if strings.Contains(page, "label: 'Contribution'") {
		t.Error("the drivers table still shows the log-odds contribution as a column")
	}
}
