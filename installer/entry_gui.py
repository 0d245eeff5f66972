"""Frozen entry point of the desktop application `besace-gui` (see besace.spec).

multiprocessing.freeze_support() comes first: the scan's worker processes are this very
executable started again, and must run their task without ever opening a window. Qt is
imported only after it, so the workers never load it.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from app.ui.application import main

    sys.exit(main(sys.argv[1:]))
