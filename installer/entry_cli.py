"""Frozen entry point of the `besace` command line (see besace.spec).

multiprocessing.freeze_support() comes first: the scan's worker processes are this very
executable started again, and must run their task instead of the command line.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
