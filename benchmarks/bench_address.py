"""Change of address (issue 9): normalisation speed, postcode base load and import time.

Run: .venv/bin/python benchmarks/bench_address.py [--rounds 5]

- Normalises the 39 193 (postcode, locality) pairs of La Poste's base (each row's commune name,
  typed in mixed case, with "12 rue de la mairie"), then a set of long street labels that need
  abbreviating: median, p95 and throughput per address. The target is a median <= 50 us.
- Peer in the same run: the floor, i.e. folding the same fields and one dict lookup per address
  (what any normaliser must at least do); the ratio says what the rules cost on top.
- Loads the postcode base in fresh processes: ours (compact gzip shipped in the package) against
  csv.reader over La Poste's raw file into a dict (when ../shared is present). Target <= 100 ms.
- Import time of msp_portal.domain.address in a fresh process (after msp_portal itself).

Rounds alternate ours and the peer so that machine load hits both alike; medians are printed with
min-max over rounds. Check `uptime` first: on a loaded machine absolute figures mean little.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from msp_portal.domain.address import TypedAddress, normalise_address
from msp_portal.domain.postal_text import fold
from msp_portal.domain.postcodes import postcode_base

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MSP_SHARED", ROOT.parent / "shared"))
LAPOSTE_CSV = SHARED / "data" / "address" / "postcodes" / "019HexaSmal.csv"

LONG_LABELS = [
    "boulevard du Maréchal Jean-Marie de Lattre de Tassigny",
    "rue du Lieutenant de Vaisseau Jean-Dominique Andrieux",
    "avenue de la Division du Général Leclerc",
    "allée de l'Abbaye Notre-Dame du Grand Marché",
    "chemin de Villeneuve Saint-Georges à la Grange",
    "rue du Corps Expéditionnaire Français en Italie 1943 1944",
    "voie de la Déclaration Universelle des Droits de l'Homme",
    "rue Alice Domon et Léonie Duquet, Sœur Alicia et Sœur Léonie",
    "carrefour de l'Europe Prix Nobel de la Paix 2012",
    "square des Sœurs de Saint-Vincent-de-Paul",
    "place Charles de Gaulle et de la Résistance",
    "impasse du Professeur Alexandre Fleming et de la Pénicilline",
    "rue du Président Franklin Delano Roosevelt prolongée",
    "avenue du Général Philippe Leclerc de Hauteclocque",
    "route départementale de Saint-Martin-de-Belleville aux Menuires",
    "chemin rural dit de la Fontaine aux Loups et du Grand Pré",
]


def pairs() -> list[tuple[str, str]]:
    base = postcode_base()
    return [(p, row.commune.title()) for p in base.postcodes() for row in base.localities(p)]


def addresses() -> tuple[list[TypedAddress], list[TypedAddress]]:
    pairs_ = pairs()
    base_set = [
        TypedAddress(number="12", street="rue de la mairie", postcode=p, locality=loc)
        for p, loc in pairs_
    ]
    long_set = []
    for i, label in enumerate(LONG_LABELS * 25):
        postcode, locality = pairs_[i * 97]
        long_set.append(
            TypedAddress(
                number=str(1 + i * 37 % 400),
                suffix=("", "bis", "ter")[i % 3],
                street=label,
                postcode=postcode,
                locality=locality,
            )
        )
    return base_set, long_set


def timed_each(fn: Callable[[TypedAddress], object], items: list[TypedAddress]) -> list[float]:
    samples = []
    clock = time.perf_counter_ns
    for item in items:
        start = clock()
        fn(item)
        samples.append((clock() - start) / 1000)
    return samples


_FLOOR_INDEX: dict[tuple[str, str], bool] = {}


def floor(typed: TypedAddress) -> object:
    """The least a normaliser does: fold each field, look the pair up once."""
    line4 = fold(f"{typed.number} {typed.suffix} {typed.street}")
    key = (typed.postcode.strip(), fold(typed.locality))
    return line4, _FLOOR_INDEX.get(key)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fmt(values: list[float], unit: str) -> str:
    return f"{statistics.median(values):8.2f} {unit} (min {min(values):.2f}, max {max(values):.2f})"


def fresh_process_ms(code: str, runs: int) -> list[float]:
    """Wall time (ms) that ``code`` reports for itself in fresh interpreters."""
    out = []
    for _ in range(runs):
        completed = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        out.append(float(completed.stdout.strip()))
    return out


LOAD_OURS = """
import time
from msp_portal.domain.postcodes import postcode_base
t = time.perf_counter(); b = postcode_base(); assert b.rows == 39193
print((time.perf_counter() - t) * 1000)
"""
LOAD_CSV = f"""
import csv, time
t = time.perf_counter()
index = {{}}
with open({str(LAPOSTE_CSV)!r}, encoding="iso-8859-1", newline="") as f:
    rows = csv.reader(f, delimiter=";"); next(rows)
    for insee, commune, postcode, label, line5 in rows:
        index.setdefault(postcode, []).append((commune, label, line5))
print((time.perf_counter() - t) * 1000)
"""
IMPORT_PACKAGE = """
import time
t = time.perf_counter()
import msp_portal
print((time.perf_counter() - t) * 1000)
"""
IMPORT_MODULES = """
import time, msp_portal
t = time.perf_counter()
import msp_portal.domain.address, msp_portal.domain.contracts, msp_portal.domain.move_date
print((time.perf_counter() - t) * 1000)
"""
FIRST_LONG_LABEL = """
import time
from msp_portal.domain.street_label import shorten_label
t = time.perf_counter()
shorten_label("boulevard du marechal jean marie de lattre de tassigny")
print((time.perf_counter() - t) * 1000)
"""


def row(name: str, values: list[float], unit: str, extra: str = "") -> None:
    print(f"{name:<48} {fmt(values, unit)}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    print("\n== postcode base load, fresh process each (ms)")
    ours_load: list[float] = []
    csv_load: list[float] = []
    for _ in range(args.rounds):
        ours_load += fresh_process_ms(LOAD_OURS, 1)
        if LAPOSTE_CSV.is_file():
            csv_load += fresh_process_ms(LOAD_CSV, 1)
    row("shipped compact base, once per process", ours_load, "ms", "  target <= 100 ms")
    if csv_load:
        row("peer: csv.reader over La Poste's file", csv_load, "ms")
        ratio = statistics.median(ours_load) / statistics.median(csv_load)
        print(f"ratio ours / peer: {ratio:.2f}")
    row(
        "import msp_portal (the package, fresh)",
        fresh_process_ms(IMPORT_PACKAGE, args.rounds),
        "ms",
    )
    row("then the address, contracts, dates modules", fresh_process_ms(IMPORT_MODULES, args.rounds),
        "ms")  # fmt: skip
    row("first long label (reads, compiles the table)",
        fresh_process_ms(FIRST_LONG_LABEL, args.rounds), "ms")  # fmt: skip

    base_set, long_set = addresses()
    for typed in base_set:
        _FLOOR_INDEX[(typed.postcode, fold(typed.locality))] = True
    started = time.perf_counter()
    cold = timed_each(normalise_address, base_set)  # parses each postcode's line on first use
    rate = len(base_set) / (time.perf_counter() - started)
    print(f"\n== normalise the {len(base_set)} pairs of the base, first pass (cold)")
    print(f"median {statistics.median(cold):.1f} us, p95 {percentile(cold, 0.95):.1f} us, "
          f"{rate:,.0f} addresses/s")  # fmt: skip

    series: dict[str, list[float]] = {
        k: []
        for k in ("base", "base-p95", "floor", "long", "long-p95", "floor-long", "rate", "cpu")
    }
    for _ in range(args.rounds):
        started, cpu = time.perf_counter(), time.process_time()
        warm = timed_each(normalise_address, base_set)
        series["rate"].append(len(base_set) / (time.perf_counter() - started))
        series["cpu"].append((time.process_time() - cpu) / len(base_set) * 1e6)
        series["base"].append(statistics.median(warm))
        series["base-p95"].append(percentile(warm, 0.95))
        series["floor"].append(statistics.median(timed_each(floor, base_set)))
        long = timed_each(normalise_address, long_set)
        series["long"].append(statistics.median(long))
        series["long-p95"].append(percentile(long, 0.95))
        series["floor-long"].append(statistics.median(timed_each(floor, long_set)))
    print(f"\n== warm, {args.rounds} rounds alternating ours and the floor (medians per round)")
    row("base pairs: ours, median per address", series["base"], "us")
    row("            ours, p95", series["base-p95"], "us")
    row("            ours, CPU time per address", series["cpu"], "us")
    row("            floor (fold + dict lookup)", series["floor"], "us")
    row("            throughput", series["rate"], "addresses/s")
    ratio = statistics.median(series["base"]) / statistics.median(series["floor"])
    print(f"            ratio ours / floor: {ratio:.1f}x")
    row(f"long labels ({len(long_set)}): ours, median", series["long"], "us")
    row("            ours, p95", series["long-p95"], "us")
    row("            floor", series["floor-long"], "us")
    verdict = "met" if statistics.median(series["base"]) <= 50 else "NOT met"
    print(f"\ntarget median <= 50 us per address (base pairs): {verdict}")
    warned = sum(1 for t in base_set if normalise_address(t).warnings)
    print(f"pairs of the base that gave a warning: {warned} (expected 0)")


if __name__ == "__main__":
    main()
