"""Opening an input HDF5 file: a missing or unreadable file is an InputError."""
import h5py

from .input_error import InputError


def first_line(error):
    """The first line of an exception's text (HDF5 errors run to many lines)."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def open_hdf5(path, missing="not found"):
    """h5py.File(path, "r"), or InputError naming the file; `missing` is the
    problem reported when the file does not exist."""
    try:
        return h5py.File(path, "r")
    except FileNotFoundError:
        raise InputError(path, missing)
    except OSError as e:
        raise InputError(path, f"is not a readable HDF5 file ({first_line(e)})")
