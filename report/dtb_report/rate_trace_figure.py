"""rates.png: population rates over time, from rates.h5. Up to
MAX_LINES populations as lines on one axis; more as a heat map
(one row per population), where lines would be unreadable."""
import numpy as np
from matplotlib.ticker import MaxNLocator

from .figure_canvas import new_figure, population_colours, save_figure

WIDTH_PX = 1200
HEIGHT_PX = 500
MAX_LINES = 12


def draw_rate_traces(directory, rates):
    figure = new_figure(WIDTH_PX, HEIGHT_PX)
    # Lines leave room on the right for the legend, the heat map for its colour bar.
    axes = figure.add_axes([0.07, 0.11, 0.74 if len(rates.traces) <= MAX_LINES else 0.86, 0.8])
    start = rates.t_start_ms
    if len(rates.traces) <= MAX_LINES:
        for trace, colour in zip(rates.traces, population_colours(len(rates.traces))):
            axes.plot(start + trace.times_ms, trace.rates_hz, color=colour, linewidth=1.0,
                      label=f"{trace.name} (mean {trace.mean_rate_hz:.3g} Hz)")
        axes.set_ylabel("rate (Hz)")
        axes.set_ylim(bottom=0)
        axes.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, frameon=False)
        how = "Each line is one population's mean rate per neuron."
    else:
        matrix = np.vstack([t.rates_hz for t in rates.traces])
        image = axes.imshow(matrix, aspect="auto", interpolation="nearest", cmap="viridis",
                            extent=(start, start + rates.recorded_ms, len(rates.traces) - 0.5, -0.5))
        colourbar = figure.colorbar(image, ax=axes, fraction=0.04, pad=0.01)
        colourbar.set_label("rate (Hz)")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(f"population (0..{len(rates.traces) - 1}, model order)")
        how = "Each row is one population (in model order); colour is its mean rate per neuron."
    axes.set_xlim(start, start + rates.recorded_ms)
    axes.set_xlabel("time since start of recording (ms)")
    axes.set_title(f"Population rates ({rates.plotted_bin_ms:.6g} ms bins)")
    caption = (f"{how} Bins of {rates.plotted_bin_ms:.6g} ms"
               + (f" (the run's {rates.bin_ms:.6g} ms bins averaged in groups)"
                  if rates.plotted_bin_ms > rates.bin_ms else "")
               + ". Synchronous events show as sharp peaks; a steady asynchronous state as a flat trace.")
    return save_figure(figure, directory, "rates.png", "Population rates", caption)

