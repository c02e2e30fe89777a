"""``python -m msp_docs``: runs the ``msp-docs`` command line, found as an installed command.

The library never imports its command line (the command line depends on the library, not the
reverse): the command is looked up through the console-script entry point that the
distribution declares, so this works wherever ``msp-docs`` is installed.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points


def _main() -> None:
    found = entry_points(group="console_scripts", name="msp-docs")
    if not found:
        sys.stderr.write("msp-docs: the command line is not installed with this library\n")
        sys.exit(1)
    command = next(iter(found)).load()
    command()


if __name__ == "__main__":
    _main()
