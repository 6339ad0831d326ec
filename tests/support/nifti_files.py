"""A minimal NIfTI-1 writer for the script tests: the 348-byte header written
by hand (the field offsets of the NIfTI-1 standard, nifti1.h), so the tests
need numpy only. The writer under test reads it through libnifti."""
import gzip
import struct

import numpy as np

# numpy dtype -> (NIfTI datatype code, bits per voxel)
DATATYPES = {"<i2": (4, 16), "<i4": (8, 32), "<f4": (16, 32), "<f8": (64, 64)}


def write_nifti1(path, data, affine, dtype="<i2", tr_s=0.0):
    """data: 3-D array indexed [i, j, k] or 4-D [i, j, k, t]; affine: 3 x 4
    voxel-to-world (written as the sform, code 1); tr_s: pixdim[4] in seconds.
    A path ending in .gz is compressed."""
    data = np.asarray(data)
    dims = list(data.shape) + [1] * (4 - data.ndim)
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, data.ndim, *dims, 1, 1, 1)
    code, bits = DATATYPES[dtype]
    struct.pack_into("<hh", header, 70, code, bits)  # datatype, bitpix
    pixdim = [float(np.linalg.norm(np.asarray(affine)[:, c])) for c in range(3)]
    struct.pack_into("<8f", header, 76, 1.0, *pixdim, tr_s, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352.0)  # vox_offset
    struct.pack_into("<ff", header, 112, 1.0, 0.0)  # scl_slope, scl_inter
    struct.pack_into("<B", header, 123, 2 | 8)  # xyzt_units: mm, s
    struct.pack_into("<hh", header, 252, 0, 1)  # qform_code 0, sform_code 1
    struct.pack_into("<12f", header, 280, *np.asarray(affine, dtype=float).ravel())
    header[344:348] = b"n+1\0"
    payload = bytes(header) + b"\0\0\0\0" + np.asarray(data, dtype=dtype).tobytes(order="F")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)
