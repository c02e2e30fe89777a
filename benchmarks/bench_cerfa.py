"""Fill every field of the real CERFA forms and flatten: msp-docs against pypdf and PyPDFForm.

Each tool runs as a whole process per round (start, imports, fill, flatten, write), the tools
interleaved round by round. In that process it fills the form once ("first": what a one-shot
command pays), then ``--repeats`` more times ("again": what a service filling the same form
pays; msp-docs goes through a CERFA catalogue, which keeps the sanitised form), and reports
those times (imports excluded) and its peak resident memory (VmHWM). Then every output is
checked the same way: which values a rendered page shows (poppler's pdftoppm, each widget's
rectangle against the blank form's), whether fields remain after "flatten" (pypdf), and
whether pdftotext finds the typed words.

Two sets of values: ``accents`` (French: é è à ç œ € in every text field) and ``names`` (the
widest fields get names in Polish, Hungarian, Vietnamese, Czech, Turkish, Romanian, Greek and
Cyrillic, which WinAnsiEncoding cannot hold; the others keep the accents).

``--baseline-src DIR`` adds "msp-docs before": the same runner on another version of the
``src`` directory (``git archive COMMIT src | tar -x -C DIR`` makes one), for before/after
figures in the same run.

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
NAMES = (
    "Łukasz Żółć", "Őzil Gyűrű", "Nguyễn Thị Ánh", "Šťastný Řehoř", "Ğül Işık",
    "Țepeș Ștefan", "Αλέξανδρος Ψυχής", "Дмитрий Шостакович",
)  # fmt: skip

# Each runner: argv = form, values.json, output, repeats. Prints one JSON line.
_REPORT = """
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(json.dumps({"work": times[0], "again": statistics.median(times[1:] or times),
                  "imports": t1 - t0, "hwm_kib": int(hwm)}))
"""
RUNNERS = {
    "msp-docs": """
import json, os, statistics, sys, time
t0 = time.perf_counter()
from msp_docs import forms
from msp_docs.cerfa import Catalogue
import msp_docs._backends.acroform  # the library loaded, as pypdf is in its runner
src, values, out, repeats = sys.argv[1:5]
t1 = time.perf_counter()
values = json.load(open(values))["msp"]
catalogue = Catalogue.load(os.path.dirname(src))  # what the portal and the CLI fill through
entry = catalogue.get(os.path.basename(src))
# Its cached sanitised form where this version of msp-docs has one (--baseline-src: none).
form = getattr(catalogue, "prepared", catalogue.path)
times = []
for _ in range(int(repeats) + 1):
    t = time.perf_counter()
    forms.fill(form(entry), values, flatten=True, output=out)
    times.append(time.perf_counter() - t)
"""
    + _REPORT,
    "pypdf": """
import json, statistics, sys, time
t0 = time.perf_counter()
from pypdf import PdfWriter
src, values, out, repeats = sys.argv[1:5]
t1 = time.perf_counter()
values = json.load(open(values))["pypdf"]
times = []
for _ in range(int(repeats) + 1):
    t = time.perf_counter()
    writer = PdfWriter(clone_from=src)
    writer.update_page_form_field_values(None, values, auto_regenerate=False, flatten=True)
    writer.remove_annotations(subtypes="/Widget")
    if "/AcroForm" in writer._root_object:
        del writer._root_object["/AcroForm"]
    writer.write(out)
    times.append(time.perf_counter() - t)
"""
    + _REPORT,
    "PyPDFForm": """
import json, statistics, sys, time
t0 = time.perf_counter()
from PyPDFForm import PdfWrapper
src, values, out, repeats = sys.argv[1:5]
t1 = time.perf_counter()
values = json.load(open(values))["pypdfform"]
times = []
for _ in range(int(repeats) + 1):
    t = time.perf_counter()
    filled = PdfWrapper(src, generate_appearance_streams=True).fill(
        values, readonly=True  # its "flatten": fields made read-only
    )
    filled.write(out)
    times.append(time.perf_counter() - t)
"""
    + _REPORT,
}
RUNNERS["msp-docs before"] = RUNNERS["msp-docs"]


def value_for(f: FormField) -> str | bool:
    if f.kind is FieldKind.CHECKBOX:
        return True
    if f.kind is FieldKind.RADIO:
        return f.states[-1]
    x0, _, x1, _ = f.widgets[0].rect
    width = x1 - x0
    text = ACCENTS if width > 250 else "Zoé ç €" if width > 45 else "été"[: max(1, int(width // 8))]
    return text[: f.max_length] if f.max_length else text


def name_fields(fields: list[FormField]) -> dict[str, str]:
    """The widest one-line text fields, each given a name in one script."""
    text = [
        f for f in fields if f.kind is FieldKind.TEXT and not f.multiline and f.max_length is None
    ]
    text.sort(key=lambda f: f.widgets[0].rect[0] - f.widgets[0].rect[2])
    return {f.name: name for f, name in zip(text, NAMES, strict=False)}


def peer_values(fields: list[FormField], *, names: bool = False) -> dict[str, dict[str, object]]:
    msp: dict[str, object] = {}
    pypdf_values: dict[str, object] = {}
    pypdfform: dict[str, object] = {}
    named = name_fields(fields) if names else {}
    for f in fields:
        value = named.get(f.name, value_for(f))
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


FAILURES: dict[str, str] = {}  # tool -> the exception that ended its last failed run


def run(
    python: str, tool: str, src: Path, values: Path, out: Path, *, repeats: int, env: dict[str, str]
) -> dict[str, float]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [python, "-c", RUNNERS[tool], str(src), str(values), str(out), str(repeats)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    output = child.stdout.read()
    errors = child.stderr.read().decode(errors="replace").strip().splitlines()
    _, status, _ = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        FAILURES[tool] = errors[-1].split(":")[0] if errors else f"exit {child.returncode}"
        return {"failed": 1.0}
    inner = json.loads(output.decode().strip().splitlines()[-1])
    # Peak memory from the child's own VmHWM: wait4's ru_maxrss carries the parent's peak
    # across fork, which is larger here than the children's.
    return {
        "wall": wall,
        "work": inner["work"],
        "again": inner["again"],
        "rss_mb": inner["hwm_kib"] / 1024,
    }


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


def names_found(pdf: Path, names: list[str]) -> int:
    """How many names pdftotext gives back exactly (in content order: -raw)."""
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=False
    ).stdout
    return sum(name in text for name in names)


def fields_left(pdf: Path) -> int:
    try:
        return len(PdfReader(pdf).get_fields() or {})
    except Exception:
        return -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=5, help="fills after the first, in-process")
    parser.add_argument("--values", choices=["accents", "names", "both"], default="both")
    parser.add_argument("--peers-python", default=str(ROOT / ".venv-peers/bin/python"))
    parser.add_argument("--baseline-src", help="another msp-docs src/ to run as 'msp-docs before'")
    args = parser.parse_args()
    if not all((CERFA / name).is_file() for name in FORMS):
        print(f"CERFA forms not found in {CERFA}", file=sys.stderr)
        return 1
    pythons = {"msp-docs": sys.executable}
    envs = {"msp-docs": dict(os.environ)}
    if args.baseline_src:
        pythons["msp-docs before"] = sys.executable
        envs["msp-docs before"] = {**os.environ, "PYTHONPATH": str(Path(args.baseline_src))}
    pythons["pypdf"] = sys.executable
    envs["pypdf"] = dict(os.environ)
    if Path(args.peers_python).is_file():
        pythons["PyPDFForm"] = args.peers_python
        envs["PyPDFForm"] = dict(os.environ)
    else:
        print(f"PyPDFForm skipped: {args.peers_python} not found (see the docstring)")
    sets = ["accents", "names"] if args.values == "both" else [args.values]
    tmp = Path(tempfile.mkdtemp(prefix="bench-cerfa-"))
    try:
        for value_set in sets:
            for name in FORMS:
                measure(name, value_set, pythons=pythons, envs=envs, args=args, tmp=tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def measure(
    name: str,
    value_set: str,
    *,
    pythons: dict[str, str],
    envs: dict[str, dict[str, str]],
    args: argparse.Namespace,
    tmp: Path,
) -> None:
    src = CERFA / name
    fields = forms.read_fields(src)
    values = peer_values(fields, names=value_set == "names")
    names = [v for v in values["msp"].values() if isinstance(v, str) and v in NAMES]
    values_path = tmp / f"{value_set}-{name}.json"
    values_path.write_text(json.dumps(values, ensure_ascii=False))
    samples: dict[str, list[dict[str, float]]] = {tool: [] for tool in pythons}
    for _ in range(args.rounds):
        for tool, python in pythons.items():
            out = tmp / f"{tool}-{name}"
            samples[tool].append(
                run(python, tool, src, values_path, out, repeats=args.repeats, env=envs[tool])
            )
    heights = [float(p.mediabox.height) for p in PdfReader(src).pages]
    blank_pdf = tmp / f"blank-{name}"
    blank_pdf.write_bytes(forms.blank(src).data)
    blank = render(blank_pdf, tmp / f"blank-{Path(name).stem}")
    print(
        f"\n{name}, {value_set}: {len(fields)} fields, {args.rounds} rounds of 1 + "
        f"{args.repeats} fills per process; medians (min–max), seconds"
    )
    print(
        f"{'tool':16} {'process':>19} {'first fill':>19} {'again':>19} {'MiB':>6} "
        f"{'ratio':>5} {'again×':>6} {'shown':>7} {'left':>4} {'words':>7}"
        + (f" {'names':>5}" if names else "")
    )
    reference: dict[str, float] = {}
    for tool in pythons:
        ok = [s for s in samples[tool] if "failed" not in s]
        if not ok:
            print(f"{tool:16} failed: {FAILURES.get(tool, '?')}")
            continue
        wall = [s["wall"] for s in ok]
        work = [s["work"] for s in ok]
        again = [s["again"] for s in ok]
        rss = statistics.median(s["rss_mb"] for s in ok)
        reference = reference or {
            "wall": statistics.median(wall),
            "again": statistics.median(again),
        }
        out = tmp / f"{tool}-{name}"
        pages = render(out, tmp / f"{tool.replace(' ', '-')}-{Path(name).stem}")
        shown = visible(fields, blank, pages, heights)
        found, wanted = words_found(out, values["msp"])

        def span(xs: list[float]) -> str:
            return f"{statistics.median(xs):6.3f} ({min(xs):.3f}–{max(xs):.3f})"

        print(
            f"{tool:16} {span(wall)} {span(work)} {span(again)} {rss:6.1f}"
            f" {statistics.median(wall) / reference['wall']:5.2f}"
            f" {statistics.median(again) / reference['again']:6.2f}"
            f" {shown:3}/{len(fields):<3} {fields_left(out):4} {found:3}/{wanted}"
            + (f" {names_found(out, names):>3}/{len(names)}" if names else "")
        )


if __name__ == "__main__":
    raise SystemExit(main())
