"""Small multiples: one histogram panel per population of a per-neuron
quantity (ISI CV, firing rate). Up to MAX_PANELS populations get a panel
each; with more, the first MAX_PANELS - 1 do and the last panel pools all
populations."""
import math

import numpy as np

from .figure_canvas import new_figure, population_colours, save_figure

WIDTH_PX = 1200
PANEL_HEIGHT_PX = 240
TITLE_HEIGHT_PX = 50
COLUMNS = 4
MAX_PANELS = 16


def histogram_panels(series):
    """[(label, values)] to draw, from [(population name, values)]."""
    if len(series) <= MAX_PANELS:
        return list(series)
    pooled = np.concatenate([values for _, values in series])
    return list(series[:MAX_PANELS - 1]) + [(f"all {len(series)} populations", pooled)]


def figure_height_px(panel_count):
    return TITLE_HEIGHT_PX + PANEL_HEIGHT_PX * math.ceil(panel_count / COLUMNS)


def draw_population_histograms(directory, file, title, caption, series, edges, xlabel, note_of):
    """series: [(name, per-neuron values)]; edges: the bin edges, values
    beyond them are counted in the first or last bin; note_of(name, values)
    -> text under each panel's title."""
    panels = histogram_panels(series)
    columns = min(COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    height_px = figure_height_px(len(panels))
    figure = new_figure(WIDTH_PX, height_px)
    top = 1 - TITLE_HEIGHT_PX / height_px
    figure.subplots_adjust(left=0.06, right=0.98, bottom=0.14 / rows + 0.02, top=top - 0.06 / rows,
                           wspace=0.25, hspace=0.75)
    figure.suptitle(title, y=1 - 12 / height_px, verticalalignment="top")
    value_range = (edges[0], edges[-1])
    colours = population_colours(len(panels))
    for index, ((label, values), colour) in enumerate(zip(panels, colours)):
        axes = figure.add_subplot(rows, columns, index + 1)
        clipped = np.clip(values, edges[0], edges[-1])
        axes.hist(clipped, bins=edges, color=colour)
        axes.set_title(f"{label}\n{note_of(label, values)}", fontsize=8)
        axes.set_xlim(value_range)
        axes.tick_params(labelsize=7)
        axes.set_xlabel(xlabel, fontsize=8)
        if index % columns == 0:
            axes.set_ylabel("neurons", fontsize=8)
    if len(panels) < len(series):
        caption += (f" {len(series)} populations: the first {len(panels) - 1} have a panel each, "
                    "the last panel pools all of them.")
    return save_figure(figure, directory, file, title, caption)
