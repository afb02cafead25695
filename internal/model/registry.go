package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// Status is a model version's place in the lifecycle, as recorded in
// metadata.json ("status") and listed by `train models` and GET /v1/models.
type Status string

// Lifecycle statuses. models/current is the authority on which version is
// current now; a version's own status says what happened to it last.
const (
	// StatusCurrent: the version was promoted (by the gate or by hand).
	StatusCurrent Status = "current"
	// StatusCandidate: the version was saved without being promoted.
	StatusCandidate Status = "candidate"
	// StatusRejected: the promotion gate refused the version.
	StatusRejected Status = "rejected"
)

// ErrBadVersion is returned for a version name that cannot name a version
// directory (empty, hidden, or a path).
var ErrBadVersion = errors.New("bad version")

// CheckVersion returns nil when name can be the name of a version directory,
// else an error wrapping ErrBadVersion that quotes it.
func CheckVersion(name string) error {
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name || name[0] == '.' {
		return fmt.Errorf("%w %q", ErrBadVersion, name)
	}
	return nil
}

// Registry is a models directory: one subdirectory per saved version
// (model.json, metadata.json, report.html), the pointer file current naming
// the version that serves, and the lock file .lock that keeps two training
// runs from writing it at once. Save, Promote, Reject and Rollback write the
// directory: call them while holding Lock. Reading (Load, Current, List) needs
// no lock: every write is atomic.
type Registry struct {
	Dir string
}

// Save writes a as a new version with status candidate (not current) and
// returns its directory; a.Version and a.Meta.Version become the version's
// name, taken from a.Meta.CreatedAt. Files are written and fsynced before
// anything points at them.
func (r Registry) Save(a *Artifact) (string, error) {
	a.Meta.Status = StatusCandidate
	return r.save(a, false)
}

// save writes the artifact as a new version and, if promote is set, makes it
// current, leaving a.Meta.Status as it is.
func (r Registry) save(a *Artifact, promote bool) (string, error) {
	body, err := a.MarshalModel()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	base := a.Meta.CreatedAt.UTC().Format("20060102T150405Z")
	version, dir := base, ""
	for i := 2; ; i++ {
		dir = filepath.Join(r.Dir, version)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i > 1000 {
			return "", fmt.Errorf("save model: %w", err)
		}
		version = fmt.Sprintf("%s-%d", base, i)
	}
	a.Version = version
	a.Meta.Version = version
	meta, err := json.MarshalIndent(a.Meta, "", " ")
	if err != nil {
		return "", fmt.Errorf("save model: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, ModelFile), body); err != nil {
		return "", err
	}
	if err := WriteFileAtomic(filepath.Join(dir, MetadataFile), meta); err != nil {
		return "", err
	}
	if promote {
		if err := r.setCurrent(version); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// Load reads and validates a version, or with version "" the current one.
// A version without model.json gives an error wrapping ErrNoModel, a bad
// name one wrapping ErrBadVersion; a corrupt or incompatible artifact one
// wrapping ErrCorrupt or ErrIncompatible (see the package's Load).
func (r Registry) Load(version string) (*Artifact, error) {
	if version == "" {
		return Load(r.Dir)
	}
	dir, err := r.versionDir(version)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, ModelFile)); err != nil {
		return nil, fmt.Errorf("version %s: %w", version, ErrNoModel)
	}
	return readArtifact(dir)
}

// Current returns the version models/current names, or "" when there is none.
func (r Registry) Current() string {
	b, err := os.ReadFile(filepath.Join(r.Dir, CurrentFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Promote records status current and reason in the metadata of version, then
// makes it current. It returns the error of either step; when the metadata
// cannot be written the version is not made current.
func (r Registry) Promote(version, reason string) error {
	dir, err := r.versionDir(version)
	if err != nil {
		return err
	}
	if err := SetStatus(dir, StatusCurrent, reason); err != nil {
		return err
	}
	return r.setCurrent(version)
}

// Reject records status rejected and reason in the metadata of version;
// models/current is left as it is.
func (r Registry) Reject(version, reason string) error {
	dir, err := r.versionDir(version)
	if err != nil {
		return err
	}
	return SetStatus(dir, StatusRejected, reason)
}

// RollbackResult is what Rollback did.
type RollbackResult struct {
	// Artifact is the version now current.
	Artifact *Artifact
	// Previous is the version that was current before, "" when none.
	Previous string
	// StatusErr is set when the version became current but its metadata
	// could not record it: a warning, since models/current is the authority.
	StatusErr error
}

// Rollback makes a saved version current by hand (to roll back or forward),
// after checking that it loads, and records in its metadata when and over
// which version. A bad name gives an error wrapping ErrBadVersion, a missing
// version one wrapping ErrNoModel, one that does not load the load error;
// models/current is then left as it was.
func (r Registry) Rollback(version string) (RollbackResult, error) {
	if err := CheckVersion(version); err != nil {
		return RollbackResult{}, err
	}
	a, err := r.Load(version)
	if errors.Is(err, ErrNoModel) || errors.Is(err, ErrBadVersion) {
		return RollbackResult{}, err
	}
	if err != nil {
		return RollbackResult{}, fmt.Errorf("version %s is not promoted: %w", version, err)
	}
	res := RollbackResult{Artifact: a, Previous: r.Current()}
	if err := r.setCurrent(version); err != nil {
		return RollbackResult{}, err
	}
	reason := fmt.Sprintf("promoted by hand at %s (was %s)", time.Now().UTC().Format(time.RFC3339), orNone(res.Previous))
	res.StatusErr = SetStatus(a.Dir, StatusCurrent, reason)
	return res, nil
}

// orNone returns s, or "none" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// VersionInfo is one model version of a models directory, as listed by
// `train models` and GET /v1/models.
type VersionInfo struct {
	Version   string        `json:"version"`
	CreatedAt string        `json:"created_at"`
	Mode      features.Mode `json:"mode"`
	Chosen    string        `json:"chosen"`
	ROCAUC    float64       `json:"roc_auc"`
	LogLoss   float64       `json:"log_loss"`
	// Status is a Status value: current, candidate or rejected.
	Status       string `json:"status"`
	StatusReason string `json:"status_reason,omitempty"`
}

// List returns the versions, newest first: every subdirectory with a
// readable metadata.json. The one models/current names is "current"; the
// others keep the status their metadata records (candidate when none, or
// when it says current but another version has been made current since). It
// returns an error only when the directory cannot be read.
func (r Registry) List() ([]VersionInfo, error) {
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		return nil, err
	}
	cur := r.Current()
	var out []VersionInfo
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(r.Dir, e.Name(), MetadataFile))
		if err != nil {
			continue
		}
		var m Metadata
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		status := m.Status
		switch {
		case e.Name() == cur:
			status = StatusCurrent
		case status == "" || status == StatusCurrent:
			status = StatusCandidate
		}
		out = append(out, VersionInfo{Version: e.Name(), CreatedAt: m.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), Mode: m.Mode, Chosen: m.Chosen,
			ROCAUC: m.Validation.ROCAUC, LogLoss: m.Validation.LogLoss, Status: string(status), StatusReason: m.StatusReason})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedAt != out[j].CreatedAt {
			return out[i].CreatedAt > out[j].CreatedAt
		}
		return out[i].Version > out[j].Version
	})
	return out, nil
}

// versionDir returns the directory of version, or an error wrapping
// ErrBadVersion.
func (r Registry) versionDir(version string) (string, error) {
	if err := CheckVersion(version); err != nil {
		return "", err
	}
	return filepath.Join(r.Dir, version), nil
}

// setCurrent atomically points models/current at version.
func (r Registry) setCurrent(version string) error {
	return WriteFileAtomic(filepath.Join(r.Dir, CurrentFile), []byte(version+"\n"))
}
