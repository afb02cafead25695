package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second lock: %v; want ErrLocked naming pid %d", err, os.Getpid())
	}
	unlock()
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !os.IsNotExist(err) {
		t.Fatalf("unlock left the lock file: %v", err)
	}
	path := filepath.Join(dir, LockFile)
	cases := []struct {
		name    string
		content string
		free    bool
	}{
		{"live and fresh", fmt.Sprintf("%d %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339)), false},
		{"older than 6h", fmt.Sprintf("%d %s\n", os.Getpid(), time.Now().Add(-7*time.Hour).UTC().Format(time.RFC3339)), true},
		{"dead pid", fmt.Sprintf("%d %s\n", 0x7ffffff0, time.Now().UTC().Format(time.RFC3339)), true},
		{"garbage", "x y\n", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			unlock, err := Lock(dir)
			if c.free != (err == nil) {
				t.Fatalf("lock over %q: err %v, want free=%v", c.content, err, c.free)
			}
			if err == nil {
				b, _ := os.ReadFile(path)
				if !strings.HasPrefix(string(b), fmt.Sprintf("%d ", os.Getpid())) {
					t.Errorf("taken-over lock holds %q", b)
				}
				unlock()
			} else if !errors.Is(err, ErrLocked) {
				t.Errorf("err %v does not wrap ErrLocked", err)
			}
		})
	}
}

func TestSetStatus(t *testing.T) {
	dir := t.TempDir()
	meta := Metadata{Version: "v1", Chosen: "gbt", Seed: 7, Status: StatusCandidate, Validation: Evaluation{ROCAUC: 0.8, LogLoss: 0.3}}
	b, _ := json.Marshal(meta)
	if err := os.WriteFile(filepath.Join(dir, MetadataFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SetStatus(dir, StatusRejected, "worse: 0.70 vs 0.80"); err != nil {
		t.Fatal(err)
	}
	var got Metadata
	b, _ = os.ReadFile(filepath.Join(dir, MetadataFile))
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusRejected || got.StatusReason != "worse: 0.70 vs 0.80" || got.Chosen != "gbt" || got.Seed != 7 || got.Validation.ROCAUC != 0.8 {
		t.Errorf("after SetStatus: %+v", got)
	}
	if err := SetStatus(dir, StatusCurrent, ""); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, MetadataFile))
	if strings.Contains(string(b), "status_reason") || !strings.Contains(string(b), `"status": "current"`) {
		t.Errorf("empty reason not cleared:\n%s", b)
	}
	for name, content := range map[string]string{"missing": "", "corrupt": "{not json"} {
		d := t.TempDir()
		if content != "" {
			os.WriteFile(filepath.Join(d, MetadataFile), []byte(content), 0o644)
		}
		if err := SetStatus(d, StatusRejected, "x"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s metadata: err %v, want ErrCorrupt", name, err)
		}
	}
}
