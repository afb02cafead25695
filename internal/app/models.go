package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/churnrisk/churn/internal/model"
)

// Models holds the active model of a models directory: Load reads the
// version models/current names and swaps it in atomically (requests keep
// the model they started with), Watch polls for a new version.
type Models struct {
	dir     string
	poll    time.Duration
	log     *slog.Logger
	active  atomic.Pointer[model.Artifact]
	mu      sync.Mutex    // serialises loads
	changed chan struct{} // a new version became active (see Service.Run)
}

func newModels(dir string, poll time.Duration, log *slog.Logger) *Models {
	return &Models{dir: dir, poll: poll, log: log, changed: make(chan struct{}, 1)}
}

// Dir returns the models directory.
func (m *Models) Dir() string { return m.dir }

// Active returns the active model, or nil before one is loaded.
func (m *Models) Active() *model.Artifact { return m.active.Load() }

// Require returns the active model, or ErrNoModel before one is loaded.
func (m *Models) Require() (*model.Artifact, error) {
	if a := m.active.Load(); a != nil {
		return a, nil
	}
	return nil, ErrNoModel
}

// Load loads models/current and makes it active. On any error (wrapping
// ErrModelRefused, and model.ErrNoModel when no model was trained) the
// previously active model keeps serving.
func (m *Models) Load() (*model.Artifact, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, err := model.Load(m.dir)
	if err != nil {
		return nil, fmt.Errorf("load model from %s: %w: %w", m.dir, ErrModelRefused, err)
	}
	m.Activate(a)
	return a, nil
}

// Activate makes a the active model (Load does after loading it). A new
// version, replacing another, has every customer rescored in the
// background (see Service.Run).
func (m *Models) Activate(a *model.Artifact) {
	old := m.active.Swap(a)
	if old == nil || old.Version != a.Version {
		m.log.Info("model active", "version", a.Version, "learner", a.Meta.Chosen, "features", a.Schema.Len())
	}
	if old != nil && old.Version != a.Version {
		select {
		case m.changed <- struct{}{}:
		default:
		}
	}
}

// List returns every version of the models directory with its figures and
// status, or an error wrapping ErrModelsUnreadable.
func (m *Models) List() ([]model.VersionInfo, error) {
	vs, err := model.List(m.dir)
	if err != nil {
		return nil, fmt.Errorf("list models in %s: %w: %w", m.dir, ErrModelsUnreadable, err)
	}
	if vs == nil {
		vs = []model.VersionInfo{}
	}
	return vs, nil
}

// Report returns the active version's report.html: ErrNoModel without a
// model, a *NotFoundError when the version has no report.
func (m *Models) Report() ([]byte, error) {
	a, err := m.Require()
	if err != nil {
		return nil, err
	}
	page, err := os.ReadFile(filepath.Join(a.Dir, model.ReportFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{What: "model version " + a.Version + " has no report.html"}
	}
	if err != nil {
		return nil, fmt.Errorf("model report: %w", err)
	}
	return page, nil
}

// Watch polls models/current until ctx is done and loads the version it
// names when it differs from the active one, off the request path. A
// version that does not load is logged once and left alone while the old
// model keeps serving. A negative poll interval turns it off.
func (m *Models) Watch(ctx context.Context) {
	if m.poll <= 0 {
		return
	}
	failed := ""
	t := time.NewTicker(m.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v := model.Current(m.dir)
		if v == "" || v == failed {
			continue
		}
		if a := m.Active(); a != nil && a.Version == v {
			continue
		}
		if _, err := m.Load(); err != nil {
			m.log.Warn("new models/current refused; the previous model keeps serving", "version", v, "err", err)
			failed = v
			continue
		}
		failed = ""
	}
}
