"""Instruments as data: files validated by loader.py, read through Definition."""

from survey.instruments.definition import (
    APART,
    NOT_APPLICABLE,
    NOT_APPLICABLE_LABEL,
    NOT_STATED,
    NOT_STATED_LABEL,
    PREFER_NOT,
    Definition,
)
from survey.instruments.loader import InstrumentError, load_instrument_file, parse_instrument

__all__ = [
    "APART",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_LABEL",
    "NOT_STATED",
    "NOT_STATED_LABEL",
    "PREFER_NOT",
    "Definition",
    "InstrumentError",
    "load_instrument_file",
    "parse_instrument",
]
