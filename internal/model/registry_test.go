package model

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegistryLifecycle walks a models directory through the lifecycle: save
// candidates, promote one, reject another, list them, roll back, and refuse
// missing, corrupt and badly named versions.
func TestRegistryLifecycle(t *testing.T) {
	r := Registry{Dir: filepath.Join(t.TempDir(), "models")}
	if _, err := r.Load(""); !errors.Is(err, ErrNoModel) {
		t.Fatalf("load from an empty registry: %v, want ErrNoModel", err)
	}
	if r.Current() != "" {
		t.Fatalf("current of an empty registry: %q", r.Current())
	}
	unlock, err := r.Lock()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	save := func(at time.Time) *Artifact {
		t.Helper()
		a := testArtifact(t)
		a.Meta.CreatedAt = at
		dir, err := r.Save(a)
		if err != nil {
			t.Fatal(err)
		}
		if dir != filepath.Join(r.Dir, a.Version) || a.Meta.Status != StatusCandidate {
			t.Fatalf("saved %s to %s with status %q", a.Version, dir, a.Meta.Status)
		}
		return a
	}
	v1 := save(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Version
	v2 := save(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)).Version
	if r.Current() != "" {
		t.Fatalf("Save made %q current", r.Current())
	}
	if err := r.Promote(v1, "first model"); err != nil {
		t.Fatal(err)
	}
	if err := r.Reject(v2, "ROC AUC worse"); err != nil {
		t.Fatal(err)
	}
	cur, err := r.Load("")
	if err != nil || cur.Version != v1 || r.Current() != v1 {
		t.Fatalf("current after Promote: %v, %v (current %q)", cur, err, r.Current())
	}
	if cur.Meta.Status != StatusCurrent || cur.Meta.StatusReason != "first model" {
		t.Errorf("promoted metadata: %q %q", cur.Meta.Status, cur.Meta.StatusReason)
	}
	// The metadata keeps the status values byte for byte.
	b, err := os.ReadFile(filepath.Join(r.Dir, v2, MetadataFile))
	if err != nil || !strings.Contains(string(b), `"status": "rejected"`) || !strings.Contains(string(b), `"status_reason": "ROC AUC worse"`) {
		t.Errorf("rejected metadata.json: %v\n%s", err, b)
	}

	vs, err := r.List()
	if err != nil || len(vs) != 2 || vs[0].Version != v2 || vs[0].Status != "rejected" || vs[1].Status != "current" {
		t.Fatalf("list: %+v, %v", vs, err)
	}

	res, err := r.Rollback(v2)
	if err != nil || res.StatusErr != nil || res.Previous != v1 || res.Artifact.Version != v2 || r.Current() != v2 {
		t.Fatalf("rollback to %s: %+v, %v (current %q)", v2, res, err, r.Current())
	}
	got, err := r.Load(v2)
	if err != nil || got.Meta.Status != StatusCurrent || !strings.HasPrefix(got.Meta.StatusReason, "promoted by hand at ") || !strings.HasSuffix(got.Meta.StatusReason, "(was "+v1+")") {
		t.Errorf("rolled-back metadata: %+v, %v", got, err)
	}
	// The version promoted before is listed as a candidate again.
	vs, _ = r.List()
	if vs[0].Status != "current" || vs[1].Status != "candidate" {
		t.Errorf("list after rollback: %+v", vs)
	}

	corrupt := filepath.Join(r.Dir, "19990101T000000Z")
	if err := os.CopyFS(corrupt, os.DirFS(filepath.Join(r.Dir, v1))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, ModelFile), []byte(`{"format_version": 1`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		version string
		want    error
		msg     string
	}{
		{"20000101T000000Z", ErrNoModel, "version 20000101T000000Z: no model"},
		{"19990101T000000Z", ErrCorrupt, "version 19990101T000000Z is not promoted: "},
		{"../x", ErrBadVersion, `bad version "../x"`},
		{".lock", ErrBadVersion, `bad version ".lock"`},
		{"", ErrBadVersion, `bad version ""`},
	} {
		_, err := r.Rollback(c.version)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("rollback %q: %v; want %v with %q", c.version, err, c.want, c.msg)
		}
		if r.Current() != v2 {
			t.Errorf("rollback %q moved current to %q", c.version, r.Current())
		}
	}
	for _, v := range []string{"../x", "a/b"} {
		if err := r.Promote(v, "x"); !errors.Is(err, ErrBadVersion) {
			t.Errorf("promote %q: %v", v, err)
		}
		if err := r.Reject(v, "x"); !errors.Is(err, ErrBadVersion) {
			t.Errorf("reject %q: %v", v, err)
		}
	}
}

// TestStatusJSON: the typed statuses write and read the same strings as
// before they were typed.
func TestStatusJSON(t *testing.T) {
	for s, want := range map[Status]string{StatusCurrent: "current", StatusCandidate: "candidate", StatusRejected: "rejected"} {
		b, err := json.Marshal(Metadata{Status: s})
		if err != nil || !strings.Contains(string(b), `"status":"`+want+`"`) {
			t.Errorf("%q: %s %v", s, b, err)
		}
		var m Metadata
		if err := json.Unmarshal(b, &m); err != nil || m.Status != s {
			t.Errorf("%q read back as %q (%v)", s, m.Status, err)
		}
	}
	if b, _ := json.Marshal(Metadata{}); strings.Contains(string(b), `"status"`) {
		t.Errorf("empty status written: %s", b)
	}
}
