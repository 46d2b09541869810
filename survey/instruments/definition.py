"""Read access to a validated instrument definition (a plain dict from the instrument file)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"
NOT_STATED = "not_stated"
NOT_STATED_LABEL = "Not stated"
NOT_APPLICABLE = "not_applicable"
NOT_APPLICABLE_LABEL = "Not applicable"
APART = (NOT_STATED, NOT_APPLICABLE)
"""Groups reported apart: never merged with others, never in a comparison group."""
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str
    counted: bool = True


class Definition:
    """Indexes over one instrument definition; cheap to build, build one per use."""

    def __init__(self, data: dict):
        self.data = data

    @property
    def code(self) -> str:
        return self.data["code"]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def sections(self) -> list[dict]:
        return self.data["sections"]

    @cached_property
    def items(self) -> dict[str, dict]:
        return {item["code"]: item for section in self.sections for item in section["items"]}

    @cached_property
    def measures(self) -> dict[str, dict]:
        return {m["code"]: m for m in self.data.get("measures", [])}

    @cached_property
    def breakdowns(self) -> dict[str, dict]:
        return {b["code"]: b for b in self.data.get("breakdowns", [])}

    @cached_property
    def levels(self) -> dict[str, tuple[str, dict[str, str] | None]]:
        """Every breakdown and level code -> (its breakdown, map from a finest-level group
        to this level's group, or None where the level is the finest itself)."""
        levels: dict[str, tuple[str, dict[str, str] | None]] = {}
        for code, breakdown in self.breakdowns.items():
            levels[code] = (code, None)
            for level in breakdown.get("levels", []):
                groups = level.get("groups")
                members = {m: g for g, spec in (groups or {}).items() for m in spec["members"]}
                levels[level["code"]] = (code, members or None)
        return levels

    def level_group(self, level: str, groups: dict[str, str]) -> str:
        """The group of a respondent (by finest groups) at a level; not_stated stays so."""
        breakdown, members = self.levels[level]
        finest = groups.get(breakdown, NOT_STATED)
        if members is None or finest in APART:
            return finest
        return members.get(finest, NOT_STATED)

    @cached_property
    def not_applicable_items(self) -> set[str]:
        """Choice items whose breakdown has a not-applicable group (rank, for police staff).

        Only imports may store the answer NOT_APPLICABLE for them (a past survey's "Not
        applicable"); a respondent here is placed in that group by `not_applicable_when`.
        """
        return {
            b["item"] for b in self.breakdowns.values()
            if "not_applicable_when" in b and "item" in b
        }

    def scale(self, item: dict) -> dict:
        return self.data["scales"][item["scale"]]

    def text(self, template: str) -> str:
        """Question text with configurable labels (e.g. {review_meeting} -> MAX) filled in."""
        labels = self.data.get("labels", {})
        return PLACEHOLDER.sub(lambda m: labels.get(m.group(1), m.group(0)), template)

    def options(self, item: dict, units: list[tuple[str, str]] | None = None) -> list[Option]:
        """Every answer a person may give to a scale or choice item, in display order."""
        if item["type"] == "scale":
            scale = self.scale(item)
            options = [Option(o["value"], o["label"]) for o in scale["options"]]
            if extra := scale.get("not_counted"):
                options.append(Option(extra["code"], extra["label"], counted=False))
            return options
        if item.get("options_from") == "units":
            source = units or []
        else:
            source = [(o["code"], o["label"]) for o in item["options"]]
        options = [Option(code, label) for code, label in source]
        if item.get("prefer_not_to_say"):
            options.append(Option(PREFER_NOT, PREFER_NOT_LABEL, counted=False))
        return options

    def text_items(self) -> list[dict]:
        return [item for item in self.items.values() if item["type"] == "text"]
