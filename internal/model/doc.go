// Package model turns feature vectors into churn probabilities and keeps
// the trained models. It provides:
//
//   - the learners, each a [Learner] (raw log-odds and per-feature
//     contributions) that marshals to JSON and checks itself after loading:
//     gradient-boosted trees ([FitGBT], with monotone constraints, Saabas
//     contributions and exact TreeSHAP), a pure-Go regularised logistic
//     regression ([FitLogistic]) and bagged decision trees whose splits
//     golearn chooses ([FitForest]);
//   - Platt calibration of raw scores into probabilities ([FitPlatt]);
//   - the evaluation of probabilities against observed labels
//     ([Evaluate], [Evaluation]: ROC and PR AUC, Brier, log loss, the
//     figures at a threshold, calibration error and curves) and the model
//     report's figures ([Report], metrics.json);
//   - scoring with explanations: an [Artifact] (schema, learner,
//     calibration and thresholds) gives a [Prediction]: the probability, its
//     risk level and the features that drove it ([Driver]);
//   - drift references of the training distribution ([DriftReference],
//     PSI per feature);
//   - the versioned artifact on disk (model.json and metadata.json, [Save]
//     and [Load]) and the models directory (current version, statuses,
//     listing, lock).
//
// It reads and writes files only in the models directory.
package model
