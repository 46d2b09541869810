"""One report's memo of protected views: a fairness report asks for the same wave's
protected tables many times (its trends, pipeline perceptions and representation tables
all need the same breakdowns), so inside `shared_views()` each view is built once and
shared. Not a global cache: outside `shared_views()` every call builds its view afresh,
and the memo is dropped when the report is made (a wave's figures never change once it
is closed, but a report must not see another request's objects)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from survey.instruments import Definition
from survey.models import Wave

P = ParamSpec("P")
R = TypeVar("R")

_memo: ContextVar[dict | None] = ContextVar("report_views", default=None)


@contextmanager
def shared_views() -> Iterator[None]:
    """Share protected views until the block ends (a nested block shares the outer one's)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def memoised(function: Callable[P, R]) -> Callable[P, R]:
    """Inside `shared_views()`, compute once per distinct arguments (a wave by its id)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _memo.get()
        if memo is None:
            return function(*args, **kwargs)
        key = (function.__qualname__, *map(_key, args), *sorted(kwargs.items()))
        if key not in memo:
            memo[key] = function(*args, **kwargs)
        return memo[key]

    return wrapper


def _key(value: object) -> object:
    if isinstance(value, Wave):
        return ("wave", value.id)
    if isinstance(value, Definition):
        return ("definition", json.dumps(value.data, sort_keys=True))
    return value
