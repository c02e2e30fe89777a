"""The pure parts of the lossless encoder's choice: which filter, which level, which rows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from msp_docs._backends._predictors import (
    BAND_ROWS,
    FAST_LEVEL,
    FILTER_MARGIN,
    FLAT_LEVEL,
    Filter,
    plan,
    sample_rows,
)

sizes = st.dictionaries(
    st.sampled_from(list(Filter)), st.integers(min_value=1, max_value=10**9), min_size=1
)


@given(sizes, st.integers(min_value=1, max_value=10**9))
def test_plan_picks_a_measured_filter_that_pays(measured: dict[Filter, int], raw: int) -> None:
    chosen = plan(measured, raw)
    assert chosen.filter in measured or chosen.filter == Filter.NONE
    assert chosen.level in (FAST_LEVEL, FLAT_LEVEL)
    if chosen.filter != Filter.NONE:
        assert measured[chosen.filter] == min(measured.values())
        if Filter.NONE in measured:  # a filter must beat no filter by the margin
            assert measured[chosen.filter] * (1 + FILTER_MARGIN) <= measured[Filter.NONE]


def test_plan_levels_follow_the_ratio() -> None:
    assert plan({Filter.NONE: 10}, 1000).level == FLAT_LEVEL
    assert plan({Filter.NONE: 900}, 1000).level == FAST_LEVEL
    assert plan({Filter.NONE: 1000, Filter.UP: 100}, 2000).filter == Filter.UP
    assert plan({Filter.NONE: 1000, Filter.UP: 990}, 2000).filter == Filter.NONE


@given(st.integers(min_value=1, max_value=100_000), st.integers(min_value=1, max_value=200_000))
def test_sample_rows_stay_inside_the_image(height: int, row_bytes: int) -> None:
    bands = sample_rows(height, row_bytes)
    assert bands
    for first, end in bands:
        assert 0 <= first < end <= height
    if bands != [(0, height)]:
        assert all(end - first == BAND_ROWS for first, end in bands)
        sampled = sum(end - first for first, end in bands)
        assert sampled <= max(height // 8, 4 * BAND_ROWS)
