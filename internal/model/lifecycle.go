package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The functions below are shorthands for a Registry of a directory path, for
// callers that hold a path rather than a Registry (the API, tests).

// Lock is Registry{Dir: modelsDir}.Lock().
func Lock(modelsDir string) (unlock func(), err error) {
	return Registry{Dir: modelsDir}.Lock()
}

// Current is Registry{Dir: modelsDir}.Current(): the version models/current
// names, or "" when there is none.
func Current(modelsDir string) string {
	return Registry{Dir: modelsDir}.Current()
}

// List is Registry{Dir: modelsDir}.List(): the versions, newest first. It
// returns an error only when the directory cannot be read.
func List(modelsDir string) ([]VersionInfo, error) {
	return Registry{Dir: modelsDir}.List()
}

// Save writes the artifact as a new version under modelsDir, with the status
// a.Meta holds, and, if promote is set, makes it current. It returns the
// version directory. Registry.Save is the lifecycle's form (status candidate,
// promotion through Registry.Promote).
func Save(modelsDir string, a *Artifact, promote bool) (string, error) {
	return Registry{Dir: modelsDir}.save(a, promote)
}

// SetCurrent atomically points modelsDir/current at version, without
// touching the version's metadata (Registry.Promote records the status too).
func SetCurrent(modelsDir, version string) error {
	return Registry{Dir: modelsDir}.setCurrent(version)
}

// SetStatus rewrites the metadata.json of versionDir with the given status
// and reason (atomically), in the field order Save writes. Fields this build
// does not know are not kept. It returns an error when the metadata cannot be
// read or parsed (wrapping ErrCorrupt) or written.
func SetStatus(versionDir string, status Status, reason string) error {
	path := filepath.Join(versionDir, MetadataFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("set status: %w", errors.Join(ErrCorrupt, err))
	}
	var m Metadata
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("set status %s: %w", path, errors.Join(ErrCorrupt, err))
	}
	m.Status, m.StatusReason = status, reason
	out, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("set status %s: %w", path, err)
	}
	return WriteFileAtomic(path, out)
}
