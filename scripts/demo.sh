#!/usr/bin/env bash
# Set up, then merge the bundled sample files (samples/) into out/merged.pdf.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p out
.venv/bin/msp-docs merge samples/1-id-card-photo.jpg samples/2-scan-grey.png \
  samples/3-screenshot-rgba.png samples/4-letter.pdf \
  --title "Sample wallet document" -o out/merged.pdf
cat >&2 <<'TEXT'

msp-docs is installed in .venv (not on your PATH). Run it as
  .venv/bin/msp-docs --help
or activate the environment first:
  source .venv/bin/activate && msp-docs --help
TEXT
