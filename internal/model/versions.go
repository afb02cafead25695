package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// VersionInfo is one model version of a models directory, as listed by
// `train models` and GET /v1/models.
type VersionInfo struct {
	Version      string  `json:"version"`
	CreatedAt    string  `json:"created_at"`
	Mode         string  `json:"mode"`
	Chosen       string  `json:"chosen"`
	ROCAUC       float64 `json:"roc_auc"`
	LogLoss      float64 `json:"log_loss"`
	Status       string  `json:"status"` // current, candidate or rejected
	StatusReason string  `json:"status_reason,omitempty"`
}

// Current returns the version models/current names, or "" when there is none.
func Current(modelsDir string) string {
	b, err := os.ReadFile(filepath.Join(modelsDir, CurrentFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// List returns the versions of a models directory, newest first: every
// subdirectory with a readable metadata.json. "current" comes from
// models/current; the others keep the status their metadata records
// (candidate when none). It returns an error only when the directory cannot
// be read.
func List(modelsDir string) ([]VersionInfo, error) {
	entries, err := os.ReadDir(modelsDir)
	if err != nil {
		return nil, err
	}
	cur := Current(modelsDir)
	var out []VersionInfo
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(modelsDir, e.Name(), MetadataFile))
		if err != nil {
			continue
		}
		var m Metadata
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		v := VersionInfo{Version: e.Name(), CreatedAt: m.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), Mode: string(m.Mode), Chosen: m.Chosen,
			ROCAUC: m.Validation.ROCAUC, LogLoss: m.Validation.LogLoss, Status: m.Status, StatusReason: m.StatusReason}
		switch {
		case e.Name() == cur:
			v.Status = "current"
		case v.Status == "" || v.Status == "current":
			v.Status = "candidate"
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedAt != out[j].CreatedAt {
			return out[i].CreatedAt > out[j].CreatedAt
		}
		return out[i].Version > out[j].Version
	})
	return out, nil
}
