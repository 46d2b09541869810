"""Control of the false discovery rate when many groups are compared at once."""

from __future__ import annotations

from collections.abc import Sequence


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    With the m p-values sorted ascending, q_(i) = min over j >= i of (m / j) p_(j), capped at 1
    (Benjamini & Hochberg 1995, JRSS B 57:289). Rejecting every q < alpha controls the false
    discovery rate at alpha. None (no test made) passes through as None and does not count in m.
    """
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    for p, _ in tested:
        if not 0 <= p <= 1:
            raise ValueError(f"p-values must lie in [0, 1], got {p}")
    q_values: list[float | None] = [None] * len(p_values)
    running_min = 1.0
    m = len(tested)
    for rank in range(m, 0, -1):
        p, index = tested[rank - 1]
        running_min = min(running_min, p * (m / rank))
        q_values[index] = running_min
    return q_values
