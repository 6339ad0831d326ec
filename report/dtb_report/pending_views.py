"""Views that depend on outputs other issues will add. Each is detected by
file presence; until it is implemented the report says what it found, so a
user knows the view is coming rather than missing. The file names are the
ones docs/report.md lists under "Pending views"."""
import os

# (view, issue, files relative to the run directory, what the view will show)
PENDING_VIEWS = [
    ("brain", 4, ["brain/voxels.h5", "voxel_rates.h5"],
     "per-region mean rate as a bar chart and as three glass-brain projections"),
    ("assimilation", 5, ["assimilation.h5"],
     "observed vs forecast vs open-loop replay BOLD, observed and simulated FC side by side "
     "with their correlation, hyperparameter trajectories with ensemble spread"),
]


def model_bundle_voxels(summary_record, run_dir):
    """BUNDLE/voxels.h5 next to the model file of the run, if the run's model
    is a brain bundle (summary.json 'model' = BUNDLE/model.yaml)."""
    model = summary_record.get("model")
    if not isinstance(model, str) or not model:
        return None
    if not os.path.isabs(model):
        model = os.path.join(run_dir, model) if not os.path.exists(model) else model
    candidate = os.path.join(os.path.dirname(model), "voxels.h5")
    return candidate if os.path.isfile(candidate) else None


def detect_pending_views(run_dir, summary_record):
    """[{view, issue, found: [paths], status}] for the views whose inputs are present."""
    found_views = []
    for view, issue, files, shows in PENDING_VIEWS:
        found = [os.path.join(run_dir, f) for f in files if os.path.isfile(os.path.join(run_dir, f))]
        if view == "brain":
            bundle = model_bundle_voxels(summary_record, run_dir)
            if bundle:
                found.append(bundle)
        if found:
            found_views.append({
                "view": view, "issue": issue, "found": found, "status": "pending",
                "message": f"Found {', '.join(found)}: the {view} view ({shows}) is not implemented yet "
                           f"(issue {issue}).",
            })
    return found_views
