package arch

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/churnrisk/churn/"

// row matches a line of the package table: | 3 | `internal/app` | ... |
var row = regexp.MustCompile("^\\|\\s*(\\d+)\\s*\\|\\s*`([a-z0-9_/]+)`\\s*\\|")

// layers reads the package table of docs/architecture.md: package path
// (relative to the module) -> layer.
func layers(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "architecture.md"))
	if err != nil {
		t.Fatalf("the architecture page: %v", err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if _, dup := out[m[2]]; dup {
			t.Errorf("docs/architecture.md:%d: %s listed twice", line, m[2])
		}
		out[m[2]] = n
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("docs/architecture.md has no package table (rows like | 2 | `internal/model` | ... |)")
	}
	return out
}

type pkg struct {
	ImportPath string
	Imports    []string
}

// packages lists the module's packages with their non-test imports.
func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var out []pkg
	dec := json.NewDecoder(strings.NewReader(string(b)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestArchitecturePageListsEveryPackage(t *testing.T) {
	doc := layers(t)
	var listed []string
	for _, p := range packages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module)
		listed = append(listed, rel)
		if _, ok := doc[rel]; !ok {
			t.Errorf("package %s is missing from the table of docs/architecture.md", rel)
		}
	}
	for rel := range doc {
		if !slices.Contains(listed, rel) {
			t.Errorf("docs/architecture.md lists %s, which `go list ./...` does not have", rel)
		}
	}
}

func TestImportsGoDown(t *testing.T) {
	doc := layers(t)
	for _, p := range packages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module)
		from, ok := doc[rel]
		if !ok {
			continue // reported by TestArchitecturePageListsEveryPackage
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(imp, module)
			to, ok := doc[dep]
			if ok && to >= from {
				t.Errorf("%s (layer %d) imports %s (layer %d): a package may import only lower layers", rel, from, dep, to)
			}
		}
	}
}

// TestServingAvoidsFileLoading checks the rule the layers alone do not: the
// HTTP layer, the stores and the model never depend, even indirectly, on the
// file loader or on training.
func TestServingAvoidsFileLoading(t *testing.T) {
	for _, c := range []struct {
		pkg       string
		forbidden []string
	}{
		{"internal/api", []string{"internal/data", "internal/training"}},
		{"internal/store", []string{"internal/data", "internal/training"}},
		{"internal/model", []string{"internal/data", "internal/training", "internal/store"}},
	} {
		cmd := exec.Command("go", "list", "-deps", "./"+c.pkg)
		cmd.Dir = filepath.Join("..", "..")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", c.pkg, err)
		}
		deps := strings.Fields(string(b))
		for _, f := range c.forbidden {
			if slices.Contains(deps, module+f) {
				t.Errorf("%s depends on %s", c.pkg, f)
			}
		}
	}
}
