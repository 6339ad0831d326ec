import sys

try:
    import h5py  # noqa: F401
    import matplotlib  # noqa: F401
    import numpy  # noqa: F401
except ImportError as e:
    print(f"dtb report: error: Python module '{e.name}' is missing; install Debian's python3-numpy, "
          f"python3-h5py and python3-matplotlib (interpreter {sys.executable})", file=sys.stderr)
    sys.exit(1)

from .command_line import main  # noqa: E402

sys.exit(main())
