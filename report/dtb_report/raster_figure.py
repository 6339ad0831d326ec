"""raster.png: sampled spike raster, populations stacked top to bottom."""
from .figure_canvas import new_figure, population_colours, save_figure

WIDTH_PX = 1200
HEIGHT_PX = 700
MAX_LABELS = 30


def draw_raster(directory, rasters, recording_start_ms, recorded_ms):
    figure = new_figure(WIDTH_PX, HEIGHT_PX)
    axes = figure.add_axes([0.1, 0.09, 0.87, 0.83])
    colours = population_colours(len(rasters))
    window = rasters[0].window_ms
    total_rows = sum(r.neuron_ids.size for r in rasters)
    marker_size = max(1.0, min(4.0, 500.0 / max(total_rows, 1)))
    offset = total_rows
    ticks, labels = [], []
    for raster, colour in zip(rasters, colours):
        rows = raster.neuron_ids.size
        offset -= rows
        times, row = raster.spikes()
        # Populations top to bottom in model order, low ids at the top.
        axes.plot(times - recording_start_ms, offset + rows - 1 - row, linestyle="none", marker="|",
                  markersize=marker_size, markeredgewidth=0.6, color=colour, rasterized=True)
        if offset > 0:
            axes.axhline(offset - 0.5, color="0.8", linewidth=0.6)
        ticks.append(offset + rows / 2 - 0.5)
        labels.append(f"{raster.name}\n{rows} of {raster.size}")
    axes.set_xlim(window[0] - recording_start_ms, window[1] - recording_start_ms)
    axes.set_ylim(-0.5, total_rows - 0.5)
    # Beyond MAX_LABELS populations only every k-th is named, so labels stay legible.
    every = max(1, -(-len(rasters) // MAX_LABELS))
    axes.set_yticks(ticks[::every])
    axes.set_yticklabels(labels[::every], fontsize=8 if len(rasters) <= 10 else 6)
    axes.set_xlabel("time since start of recording (ms)")
    shown_ms = window[1] - window[0]
    axes.set_title(f"Spike raster: sampled neurons, first {shown_ms:.6g} of {recorded_ms:.6g} ms")
    caption = ("Each row is one neuron, each mark one spike. The rows are a fixed sample of each "
               "population, spread evenly over its ids; the label gives sampled / total neurons.")
    if shown_ms < recorded_ms * (1 - 1e-9):
        caption += (f" Only the first {shown_ms:.6g} ms of the {recorded_ms:.6g} ms recording are shown, "
                    "so that the marks stay apart.")
    truncated = [r.name for r in rasters if r.truncated]
    if truncated:
        caption += (" Populations " + ", ".join(truncated) + " spiked far more than their average in this "
                    "window; only their earliest marks are drawn.")
    return save_figure(figure, directory, "raster.png", "Spike raster", caption)
