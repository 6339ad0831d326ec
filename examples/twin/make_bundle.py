#!/usr/bin/env python3
"""Writes the twin experiment's tiny brain bundle (brain.h5 next to this file):
REGIONS regions on a ring of radius 30 mm, E + I neurons each, in-degree K
(default 4 regions x (160 E + 40 I), K = 40; arguments: REGIONS E I K),
long-range weights by the exponential distance rule (lambda 0.05/mm), delays
distance / 3 m/s. Layout: docs/brain_bundle.md. Run again to regenerate."""
import math
import os

import h5py
import numpy as np

import sys
REGIONS, E, I, K = (int(x) for x in (sys.argv[1:5] if len(sys.argv) > 4 else (4, 160, 40, 40)))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "brain.h5")
angles = 2 * math.pi * np.arange(REGIONS) / REGIONS
centres = np.stack([30 * np.cos(angles), 30 * np.sin(angles), np.zeros(REGIONS)], axis=1)
row_ptr, source, weight, delay = [0], [], [], []
for v in range(REGIONS):
    others = [u for u in range(REGIONS) if u != v]
    d = np.array([np.linalg.norm(centres[v] - centres[u]) for u in others])
    w = np.exp(-0.05 * d)
    w /= w.sum()
    source += others
    weight += list(w)
    delay += list(d / 3.0)
    row_ptr.append(len(source))
tmp = out + ".partial"
with h5py.File(tmp, "w") as f:
    g = f.create_group("voxels")
    g["count_e"] = np.full(REGIONS, E, dtype=np.uint64)
    g["count_i"] = np.full(REGIONS, I, dtype=np.uint64)
    g["indegree"] = np.full(REGIONS, K, dtype=np.uint32)
    g["centre_mm"] = centres.astype(np.float64)
    g["label"] = np.arange(1, REGIONS + 1, dtype=np.int64)
    g["grey_matter"] = np.full(REGIONS, 1000.0)
    g["density"] = np.ones(REGIONS)
    g.attrs["voxel_mm"] = 0.0
    c = f.create_group("connectivity")
    c["row_ptr"] = np.array(row_ptr, dtype=np.uint64)
    c["source"] = np.array(source, dtype=np.uint32)
    c["weight"] = np.array(weight, dtype=np.float64)
    c["delay_ms"] = np.array(delay, dtype=np.float64)
    c.attrs["kind"] = "exponential_distance_rule"
    c.attrs["velocity_m_per_s"] = 3.0
os.replace(tmp, out)
print(out)
