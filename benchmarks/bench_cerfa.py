"""Fill every field of the real CERFA forms and flatten: msp-docs against pypdf and PyPDFForm.

Each tool runs as a whole process per round (start, imports, fill, flatten, write), the tools
interleaved round by round; each also reports the time of its own fill + flatten + write
(imports excluded) and its peak resident memory (VmHWM). Then every output
is checked the same way: which values a rendered page shows (poppler's pdftoppm, each widget's
rectangle against the blank form's), whether fields remain after "flatten" (pypdf), and whether
pdftotext finds the typed words, accents included.

pypdf runs from the project's environment (``update_page_form_field_values(...,
auto_regenerate=False, flatten=True)`` then the widgets removed, its own way to flatten).
PyPDFForm pins an older pypdf, so it runs from an environment of its own::

    python3 -m venv .venv-peers && .venv-peers/bin/pip install -e '.[cerfa-peers]'
    .venv/bin/python benchmarks/bench_cerfa.py --peers-python .venv-peers/bin/python

The machine is shared: medians with min–max are printed, and ratios are of medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops
from pypdf import PdfReader

from msp_docs import forms
from msp_docs.forms import FieldKind, FormField

ROOT = Path(__file__).resolve().parent.parent
CERFA = Path(os.environ.get("MSP_SHARED", ROOT.parent / "shared")) / "cerfa"
FORMS = ("cerfa_11580_05.pdf", "cerfa_16216_01.pdf")
ACCENTS = "Éloïse Œuvre à Noël, ça coûte 12 € — œ"

RUNNERS = {
    "msp-docs": """
import json, sys, time
t0 = time.perf_counter()
from msp_docs import forms
import msp_docs._backends._acroform  # the library loaded, as pypdf is in its runner
src, values, out = sys.argv[1:4]
t1 = time.perf_counter()
forms.fill(src, json.load(open(values))["msp"], flatten=True, output=out)
work = time.perf_counter() - t1
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(json.dumps({"work": work, "imports": t1 - t0, "hwm_kib": int(hwm)}))
""",
    "pypdf": """
import json, sys, time
t0 = time.perf_counter()
from pypdf import PdfWriter
src, values, out = sys.argv[1:4]
t1 = time.perf_counter()
writer = PdfWriter(clone_from=src)
writer.update_page_form_field_values(
    None, json.load(open(values))["pypdf"], auto_regenerate=False, flatten=True
)
writer.remove_annotations(subtypes="/Widget")
if "/AcroForm" in writer._root_object:
    del writer._root_object["/AcroForm"]
writer.write(out)
work = time.perf_counter() - t1
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(json.dumps({"work": work, "imports": t1 - t0, "hwm_kib": int(hwm)}))
""",
    "PyPDFForm": """
import json, sys, time
t0 = time.perf_counter()
from PyPDFForm import PdfWrapper
src, values, out = sys.argv[1:4]
t1 = time.perf_counter()
filled = PdfWrapper(src, generate_appearance_streams=True).fill(
    json.load(open(values))["pypdfform"], readonly=True  # its "flatten": fields made read-only
)
filled.write(out)
work = time.perf_counter() - t1
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(json.dumps({"work": work, "imports": t1 - t0, "hwm_kib": int(hwm)}))
""",
}


def value_for(f: FormField) -> str | bool:
    if f.kind is FieldKind.CHECKBOX:
        return True
    if f.kind is FieldKind.RADIO:
        return f.states[-1]
    x0, _, x1, _ = f.widgets[0].rect
    width = x1 - x0
    text = ACCENTS if width > 250 else "Zoé ç €" if width > 45 else "été"[: max(1, int(width // 8))]
    return text[: f.max_length] if f.max_length else text


def peer_values(fields: list[FormField]) -> dict[str, dict[str, object]]:
    msp: dict[str, object] = {}
    pypdf_values: dict[str, object] = {}
    pypdfform: dict[str, object] = {}
    for f in fields:
        value = value_for(f)
        msp[f.name] = value
        if f.kind is FieldKind.CHECKBOX:
            pypdf_values[f.name] = "/" + f.states[0]
            pypdfform[f.name] = True
        elif f.kind is FieldKind.RADIO:
            pypdf_values[f.name] = "/" + str(value)
            pypdfform[f.name] = f.states.index(str(value))
        else:
            pypdf_values[f.name] = value
            pypdfform[f.name] = value
    return {"msp": msp, "pypdf": pypdf_values, "pypdfform": pypdfform}


def run(python: str, tool: str, src: Path, values: Path, out: Path) -> dict[str, float]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [python, "-c", RUNNERS[tool], str(src), str(values), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, _ = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        return {"failed": 1.0}
    inner = json.loads(output.decode().strip().splitlines()[-1])
    # Peak memory from the child's own VmHWM: wait4's ru_maxrss carries the parent's peak
    # across fork, which is larger here than the children's.
    return {"wall": wall, "work": inner["work"], "rss_mb": inner["hwm_kib"] / 1024}


def render(pdf: Path, stem: Path) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(pdf), str(stem)], check=True)
    return [Image.open(p) for p in sorted(stem.parent.glob(stem.name + "-*.pgm"))]


def visible(
    fields: list[FormField], blank: list[Image.Image], out: list[Image.Image], heights: list[float]
) -> int:
    """How many fields show a change inside their widget's rectangle."""
    scale = 100 / 72
    shown = 0
    for f in fields:
        widget = next(
            (w for w in f.widgets if f.kind is not FieldKind.RADIO or w.state == f.states[-1]),
            f.widgets[0],
        )
        page = widget.page - 1
        if page >= len(out):
            continue
        x0, y0, x1, y1 = widget.rect
        h = heights[page]
        box = (
            int(x0 * scale) + 1,
            int((h - y1) * scale) + 1,
            int(x1 * scale),
            int((h - y0) * scale),
        )
        diff = ImageChops.difference(blank[page].crop(box), out[page].crop(box))
        if (
            sum(1 for v in diff.point(lambda v: 255 if v > 60 else 0).get_flattened_data() if v)
            >= 3
        ):
            shown += 1
    return shown


def words_found(pdf: Path, values: dict[str, object]) -> tuple[int, int]:
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False
    ).stdout
    words = set(text.split())
    wanted = [w for v in values.values() if isinstance(v, str) for w in v.split() if len(w) > 1]
    return sum(w in words for w in wanted), len(wanted)


def fields_left(pdf: Path) -> int:
    try:
        return len(PdfReader(pdf).get_fields() or {})
    except Exception:
        return -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--peers-python", default=str(ROOT / ".venv-peers/bin/python"))
    args = parser.parse_args()
    if not all((CERFA / name).is_file() for name in FORMS):
        print(f"CERFA forms not found in {CERFA}", file=sys.stderr)
        return 1
    pythons = {"msp-docs": sys.executable, "pypdf": sys.executable}
    if Path(args.peers_python).is_file():
        pythons["PyPDFForm"] = args.peers_python
    else:
        print(f"PyPDFForm skipped: {args.peers_python} not found (see the docstring)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-cerfa-"))
    try:
        for name in FORMS:
            src = CERFA / name
            fields = forms.read_fields(src)
            values = peer_values(fields)
            values_path = tmp / f"{name}.json"
            values_path.write_text(json.dumps(values, ensure_ascii=False))
            samples: dict[str, list[dict[str, float]]] = {tool: [] for tool in pythons}
            for _ in range(args.rounds):
                for tool, python in pythons.items():
                    out = tmp / f"{tool}-{name}"
                    samples[tool].append(run(python, tool, src, values_path, out))
            heights = [float(p.mediabox.height) for p in PdfReader(src).pages]
            blank_pdf = tmp / f"blank-{name}"
            blank_pdf.write_bytes(forms.blank(src).data)
            blank = render(blank_pdf, tmp / f"blank-{Path(name).stem}")
            print(f"\n{name}: {len(fields)} fields, {args.rounds} rounds, medians (min–max)")
            print(
                f"{'tool':10} {'process s':>18} {'fill+flatten s':>20} {'peak MiB':>9} "
                f"{'ratio':>6} {'shown':>7} {'fields left':>11} {'words':>7}"
            )
            reference = None
            for tool in pythons:
                ok = [s for s in samples[tool] if "failed" not in s]
                if not ok:
                    print(f"{tool:10} failed")
                    continue
                wall = [s["wall"] for s in ok]
                work = [s["work"] for s in ok]
                rss = statistics.median(s["rss_mb"] for s in ok)
                reference = reference or statistics.median(wall)
                out = tmp / f"{tool}-{name}"
                pages = render(out, tmp / f"{tool}-{Path(name).stem}")
                shown = visible(fields, blank, pages, heights)
                found, wanted = words_found(out, values["msp"])
                print(
                    f"{tool:10} {statistics.median(wall):7.3f} ({min(wall):.3f}–{max(wall):.3f})"
                    f" {statistics.median(work):8.3f} ({min(work):.3f}–{max(work):.3f})"
                    f" {rss:9.1f} {statistics.median(wall) / reference:6.2f}"
                    f" {shown:3}/{len(fields):<3} {fields_left(out):11} {found:3}/{wanted}"
                )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
