"""`python -m app`: the desktop window; `python -m app COMMAND …`: the command line.

multiprocessing.freeze_support() comes first: the scan's worker processes are this very
program started again, and must run their task, never a window nor a command.
"""

import multiprocessing
import sys
from pathlib import Path

GUI_OPTIONS = ("--demo", "--lang", "--smoke-test")


def _wants_window(args: list[str]) -> bool:
    """No argument, a window option, or a mission file: the window; anything else: the CLI."""
    if not args:
        return True
    first = args[0]
    if first.split("=", 1)[0] in GUI_OPTIONS:
        return True
    return first.endswith(".besace") or Path(first).is_file()


def main() -> int:
    args = sys.argv[1:]
    if _wants_window(args):
        from app.ui.application import main as gui_main

        return gui_main(args)
    from app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
