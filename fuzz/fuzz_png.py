"""Coverage-guided fuzz target for PNG inputs (atheris)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _target import main

if __name__ == "__main__":
    main(b"\x89PNG\r\n\x1a\n")
