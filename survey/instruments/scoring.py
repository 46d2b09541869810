"""Per-respondent derived values, computed once when a response is released.

`score_response` applies each measure's own scoring rule; `group_response` places the
respondent in one group of each reportable breakdown (finest level) or in not_stated.
"""

from __future__ import annotations

from survey.instruments.definition import NOT_APPLICABLE, NOT_STATED, PREFER_NOT, Definition


def score_response(definition: Definition, answers: dict) -> dict[str, float]:
    scores = {}
    for code, measure in definition.measures.items():
        score = _score(definition, measure, answers)
        if score is not None:
            scores[code] = score
    return scores


def _score(definition: Definition, measure: dict, answers: dict) -> float | None:
    items = [definition.items[c] for c in measure["items"]]
    answered = [
        (item, answers[item["code"]]) for item in items if _counted(answers.get(item["code"]))
    ]
    if not answered or len(answered) < measure.get("min_answered", 1):
        return None
    if measure["rule"] == "favourable_share":
        favourable = sum(value in definition.scale(item)["favourable"] for item, value in answered)
        return 100.0 * favourable / len(answered)
    values = [_coded(definition, item, value) for item, value in answered]
    total = sum(values) if measure["rule"] == "sum" else sum(values) / len(values)
    return float(total * measure.get("multiplier", 1))


def _counted(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _coded(definition: Definition, item: dict, value: int) -> int:
    if not item.get("reverse"):
        return value
    values = [o["value"] for o in definition.scale(item)["options"]]
    return max(values) + min(values) - value


def group_response(definition: Definition, breakdowns: list[str], answers: dict) -> dict[str, str]:
    return {code: _group(definition.breakdowns[code], answers) for code in breakdowns}


def _group(breakdown: dict, answers: dict) -> str:
    if _holds(breakdown.get("not_applicable_when"), answers):
        return NOT_APPLICABLE
    if "derive" in breakdown:
        for rule in breakdown["derive"]:
            if _holds(rule["when"], answers):
                return rule["group"]
        return NOT_STATED
    answer = answers.get(breakdown["item"])
    return answer if isinstance(answer, str) and answer != PREFER_NOT else NOT_STATED


def _holds(conditions: dict | None, answers: dict) -> bool:
    """Every condition (item -> allowed answers) holds; no conditions never hold."""
    return bool(conditions) and all(
        answers.get(item) in allowed for item, allowed in conditions.items()
    )
