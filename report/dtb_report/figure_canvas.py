"""Figures of an exact pixel size, saved as PNG with matplotlib's Agg
backend (no display needed). Sizes are stated up front so the page and
report.json can give them, and the tests can check the files against them."""
import os
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

DPI = 100


@dataclass
class FigureFile:
    file: str        # name inside the report directory
    title: str
    caption: str
    width_px: int
    height_px: int


def new_figure(width_px, height_px):
    return plt.figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)


def save_figure(figure, directory, file, title, caption):
    """Writes `figure` to directory/file (never with bbox 'tight', which would
    change the size) and closes it."""
    width_px, height_px = (int(round(v)) for v in figure.get_size_inches() * DPI)
    try:
        figure.savefig(os.path.join(directory, file), dpi=DPI, format="png")
    finally:
        plt.close(figure)
    return FigureFile(file=file, title=title, caption=caption, width_px=width_px, height_px=height_px)


def population_colours(count):
    """One colour per population, distinct for up to 10, cycling beyond."""
    cycle = plt.get_cmap("tab10").colors
    return [cycle[i % len(cycle)] for i in range(count)]
