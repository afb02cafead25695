package features

// Mode says how the rows of a training run are built, and so how its model
// scores: ModeTime builds point-in-time snapshots from timestamps, ModeStatic
// has one row per customer labelled by the churned column. Its value is the
// "mode" of a model's metadata.json and of the training reports.
type Mode string

// Modes.
const (
	ModeTime   Mode = "time"
	ModeStatic Mode = "static"
)
