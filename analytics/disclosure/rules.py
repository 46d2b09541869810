"""Thresholds and the marker for a hidden figure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEFAULT_K = 10
"""Smallest number of respondents any published figure may describe, unless a wave sets another."""

MINIMUM_K = 5
"""No wave may set k lower than this."""

DEFAULT_COMMENT_K = 15
"""Free-text comments are shown only for groups of at least this many respondents."""

HIDDEN_LABEL = "Hidden to protect anonymity"
"""The one label shown for every hidden figure, whatever the reason it is hidden."""


class HiddenReason(StrEnum):
    """Why a figure is hidden: for audit and tests only, never shown (see Suppressed)."""

    TOO_FEW = "too_few"
    COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Suppressed:
    """A hidden figure.

    Every output renders every Suppressed as HIDDEN_LABEL: telling "too few" (0..k-1, zero
    included) apart from "complementary" (k or more, hidden so that a smaller figure cannot be
    worked out) would narrow what each hidden figure could be.
    """

    reason: HiddenReason

    def __str__(self) -> str:
        return HIDDEN_LABEL


def check_threshold(k: int) -> int:
    """Return k, refusing a threshold below MINIMUM_K."""
    if k < MINIMUM_K:
        raise ValueError(f"the disclosure threshold must be at least {MINIMUM_K}, got {k}")
    return k


def is_publishable(n: int, k: int = DEFAULT_K) -> bool:
    """True when a figure describing n respondents may be published on its own (n >= k).

    For comments pass k = DEFAULT_COMMENT_K (or the wave's comment threshold). Within a
    breakdown, use protect_breakdown: a group of k or more may still be hidden.
    """
    return n >= check_threshold(k)
