"""The differencing guard for filtered views (the "7 men + 1 woman" case).

If a view's population differs from an already visible one by 1..k-1 people, subtracting
the two sets of figures describes those few people. Such a view is refused; so is a view of
fewer than k. Refusals never say by how much the populations differ.
"""

from __future__ import annotations

from collections.abc import Mapping

from analytics.disclosure.rules import check_threshold


class DifferencingRefused(Exception):
    """A view that would let someone work out figures for fewer than k people.

    reason is "too_few" (the view itself has fewer than k) or "differs_by_fewer_than_k";
    against names the published population it was compared with.
    """

    def __init__(self, reason: str, against: str | None = None) -> None:
        self.reason = reason
        self.against = against
        detail = "" if against is None else f" (compared with {against})"
        super().__init__(f"view refused to protect anonymity: {reason}{detail}")


def check_population_difference(candidate_n: int, published_ns: Mapping[str, int], k: int) -> None:
    """Raise DifferencingRefused unless the candidate view is safe to publish.

    Refused when candidate_n < k, or when 0 < |candidate_n - n| < k for any already-published
    population n that the candidate nests in or overlaps (its parent, a sibling filter, the same
    filter last wave), named by the keys of published_ns. Equal populations are allowed.
    """
    check_threshold(k)
    if candidate_n < k:
        raise DifferencingRefused("too_few")
    for label, published_n in published_ns.items():
        if 0 < abs(candidate_n - published_n) < k:
            raise DifferencingRefused("differs_by_fewer_than_k", label)
