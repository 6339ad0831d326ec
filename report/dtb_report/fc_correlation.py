"""Functional connectivity (FC) of BOLD signals, and how alike two FC
matrices are: the numbers the assimilation view reports.

FC is the Pearson correlation matrix between regions over time. Two FC
matrices are compared by the Pearson correlation of their entries above the
diagonal (the diagonal is 1 by definition and the matrix is symmetric, so
only those entries carry information). Pure numpy."""
import numpy as np


def functional_connectivity(bold):
    """FC matrix [regions x regions] of `bold` [time x regions].

    A region whose signal is constant has no correlation: its row and column
    are NaN (as numpy.corrcoef gives), its diagonal entry too."""
    bold = np.asarray(bold, dtype=np.float64)
    if bold.ndim != 2 or bold.shape[0] < 2:
        raise ValueError(f"bold must be [time x regions] with at least 2 time points, got shape {bold.shape}")
    centred = bold - bold.mean(axis=0)
    norms = np.sqrt(np.einsum("tr,tr->r", centred, centred))
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = centred / norms
        fc = unit.T @ unit
    fc[:, norms == 0] = np.nan
    fc[norms == 0, :] = np.nan
    np.clip(fc, -1.0, 1.0, out=fc)
    return fc


def upper_triangle(matrix):
    """Entries above the diagonal of a square matrix, row by row."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {matrix.shape}")
    return matrix[np.triu_indices(matrix.shape[0], k=1)]


def pearson(a, b):
    """Pearson correlation of two equally long vectors; NaN if either is constant."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"expected two vectors of the same length, got {a.shape} and {b.shape}")
    a = a - a.mean()
    b = b - b.mean()
    denominator = np.sqrt(np.dot(a, a) * np.dot(b, b))
    return float(np.dot(a, b) / denominator) if denominator > 0 else float("nan")


def fc_correlation(fc_a, fc_b):
    """Similarity of two FC matrices: Pearson correlation of their upper
    triangles, over the region pairs that are defined (not NaN) in both."""
    a = upper_triangle(fc_a)
    b = upper_triangle(fc_b)
    if a.shape != b.shape:
        raise ValueError(f"FC matrices differ in size: {np.shape(fc_a)} and {np.shape(fc_b)}")
    defined = ~(np.isnan(a) | np.isnan(b))
    if np.count_nonzero(defined) < 2:
        return float("nan")
    return pearson(a[defined], b[defined])


def bold_fc_correlation(observed_bold, simulated_bold):
    """FC correlation between an observed and a simulated BOLD [time x regions]."""
    return fc_correlation(functional_connectivity(observed_bold), functional_connectivity(simulated_bold))
