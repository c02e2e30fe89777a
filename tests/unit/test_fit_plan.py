"""The size search of ``fit`` (pure): any sizes, any target; the plan meets it or says it cannot."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from msp_docs._fit import QUALITIES, Reducible, ladder, plan

images = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=50_000_000),
        st.lists(st.integers(min_value=0, max_value=50_000_000), max_size=10),
    ),
    max_size=8,
)


@given(images, st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=10**8))
def test_the_plan_meets_the_target_or_reports_the_smallest_reachable(
    raw: list[tuple[int, list[int]]], fixed: int, target: int
) -> None:
    reducible = [Reducible(key=i, current=c, sizes=s) for i, (c, s) in enumerate(raw)]
    result = plan(reducible, fixed, target)
    chosen = [
        r.current if result.choice[r.key] == -1 else r.sizes[result.choice[r.key]]
        for r in reducible
    ]
    smallest = fixed + sum(min([r.current, *r.sizes]) for r in reducible)
    if result.fits:
        assert result.total == fixed + sum(chosen) <= target
    else:
        assert smallest > target  # really out of reach: nothing was given up too early
        assert result.total == smallest
    assert result.fits == (smallest <= target)


@given(images, st.integers(min_value=0, max_value=10**6))
def test_what_fits_as_it_is_stays_as_it_is(raw: list[tuple[int, list[int]]], fixed: int) -> None:
    reducible = [Reducible(key=i, current=c, sizes=s) for i, (c, s) in enumerate(raw)]
    total = fixed + sum(c for c, _ in raw)
    result = plan(reducible, fixed, total)
    assert result.fits
    assert all(step == -1 for step in result.choice.values())


def test_the_largest_image_gives_way_first() -> None:
    photo = Reducible(key="photo", current=5_000_000, sizes=[2_000_000, 900_000, 400_000])
    screenshot = Reducible(key="screenshot", current=300_000, sizes=[250_000, 100_000])
    result = plan([photo, screenshot], fixed=50_000, target=1_500_000)
    assert result.fits
    assert result.choice == {"photo": 1, "screenshot": -1}  # the small lossless one untouched


@given(st.floats(min_value=10, max_value=2000), st.floats(min_value=10, max_value=1200))
def test_the_ladder_never_goes_below_the_floor(native: float, floor: float) -> None:
    steps = ladder(native, floor)
    assert steps
    assert all(step.dpi >= min(native, floor) for step in steps)
    assert all(step.dpi <= native for step in steps)  # never upsampled
    assert [step.quality for step in steps] == list(QUALITIES)
