#!/usr/bin/env bash
# Set up everything msp-docs needs on a Debian machine with Python 3.11+:
#   Debian packages (libmagic1 for file naming; qpdf and poppler-utils for tests and benchmarks;
#   ghostscript for the benchmarks, the peer of --fit; chromium for the portal's browser tests,
#   driven by Playwright: its own browser download is not used), a virtual environment in .venv,
#   and the project installed in it (editable).
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test, scripts/setup.sh test,bench,
#   scripts/setup.sh portal (default: no extras; extras are listed in pyproject.toml). pip runs
#   only when pyproject.toml changed or these extras were never installed from it
#   (.venv/.installed remembers).
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"
packages=()
if ! python3 -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("magic") else 1)'; then
  packages+=(libmagic1)
fi
if [ -n "$extras" ]; then
  command -v qpdf >/dev/null 2>&1 || packages+=(qpdf)
  command -v pdftoppm >/dev/null 2>&1 || packages+=(poppler-utils)
  case ",$extras," in
    *,test,*) [ -x /usr/bin/chromium ] || packages+=(chromium fonts-dejavu-core) ;;
  esac
fi
if [[ ",$extras," == *",bench,"* ]]; then
  command -v gs >/dev/null 2>&1 || packages+=(ghostscript)
fi
if [ "${#packages[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${packages[*]}" >&2
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "setup: Python 3.11 or newer is required ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
spec="."
[ -n "$extras" ] && spec=".[$extras]"
# .venv/.installed: one "HASH SPEC" line per install done from this pyproject.toml (HASH).
hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
if grep -qxF "$hash $spec" .venv/.installed 2>/dev/null \
  || { [ "$spec" = "." ] && grep -q "^$hash " .venv/.installed 2>/dev/null; }; then
  exit 0  # already installed from this very pyproject.toml (any extras include the base)
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec"
{ grep "^$hash " .venv/.installed 2>/dev/null || true; echo "$hash $spec"; } > .venv/.installed.new
mv .venv/.installed.new .venv/.installed
