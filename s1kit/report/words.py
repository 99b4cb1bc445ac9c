"""Words for verdicts, decided by paired 95% intervals, and the interval's printed form."""

from __future__ import annotations

import math

# What an exercise solution quotes when its experiment was not run in the profile: the book
# must never print "nan".
NOT_RUN = "not run"


def change_word(low: float, high: float) -> str:
    """A neutral description of a paired 95% interval: a gain, a loss, or a tie (it includes no change)."""
    if low > 0:
        return "a gain"
    if high < 0:
        return "a loss"
    return "a tie"


def interval(gain: float, low: float, high: float) -> str:
    """A gain (0..1) with its interval, in points: "+28.0 [+23.4, +32.8]"."""
    return f"{100 * gain:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}]"


def without_nan(frame, instead: str = "not defined"):
    """A table for the page with every missing or non-finite number replaced by the words ``instead``
    (the browser check fails a page that prints a missing number as such)."""
    import pandas as pd

    numeric = frame.apply(pd.to_numeric, errors="coerce")
    missing = frame.isna() | numeric.isin([float("inf"), float("-inf")])
    return frame.astype(object).where(~missing, instead)


def finite_or(value: float, instead: str) -> float | str:
    """``value``, or the words ``instead`` when it is not a number (a slope of runs that all used the same tokens)."""
    return value if math.isfinite(value) else instead
