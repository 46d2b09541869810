"""The OpenAPI 3.1 description of /api/v1, built as data (served at /api/v1/openapi.json).

Every figure answer has the same shape (the results pages' Tables); hidden figures are
null with the hidden label as their text. Parameters that are not one of the choices
offered for the wave are refused with 422.
"""

from __future__ import annotations

from functools import cache

ERROR = {"$ref": "#/components/schemas/Error"}
ERRORS = {
    "401": {"description": "No token, or an expired or revoked one", "content": {
        "application/json": {"schema": ERROR}}},
    "403": {"description": "The token's role may not read this", "content": {
        "application/json": {"schema": ERROR}}},
    "404": {"description": "No closed wave or round with this code", "content": {
        "application/json": {"schema": ERROR}}},
    "422": {"description": "A parameter that is not one of those offered", "content": {
        "application/json": {"schema": ERROR}}},
}
WAVE = {"name": "wave", "in": "path", "required": True,
        "description": "A closed wave's code (from /waves)", "schema": {"type": "string"}}


def _query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string"}}


def _get(summary: str, schema: str, parameters: list[dict], tag: str) -> dict:
    return {"get": {
        "summary": summary, "tags": [tag], "parameters": parameters,
        "responses": {"200": {"description": summary, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"}}}}, **ERRORS},
    }}


LEVEL = _query("level", "A breakdown level (from /breakdowns); the first if absent")
MEASURE = _query("measure", "A measure code (from /measures); the first if absent")
PATHS = {
    "/waves": _get("Closed waves with results", "WaveList", [], "waves"),
    "/waves/{wave}": _get("Every score for the whole organisation", "Answer", [WAVE], "waves"),
    "/waves/{wave}/measures": _get("Measures reported in the wave", "MeasureList", [WAVE],
                                   "waves"),
    "/waves/{wave}/breakdowns": _get("Breakdown levels reported in the wave", "BreakdownList",
                                     [WAVE], "waves"),
    "/waves/{wave}/gaps": _get(
        "One measure by one breakdown: each group against the rest (BH across the wave)",
        "Answer", [WAVE, LEVEL, MEASURE, _query("reference", "A group to compare with")],
        "figures"),
    "/waves/{wave}/heatmap": _get(
        "Every measure by the groups of one level: differences from the rest", "Answer",
        [WAVE, LEVEL], "figures"),
    "/waves/{wave}/drivers": _get(
        "Key drivers of wellbeing, burnout and promotion fairness", "Answer",
        [WAVE, _query("level", "A breakdown's top level (with group)"),
         _query("group", "A shown group of that level")], "figures"),
    "/waves/{wave}/trends": _get(
        "A measure across waves, for everyone or one group", "Answer",
        [WAVE, MEASURE, _query("level", "A breakdown level (with group)"),
         _query("group", "A group of that level")], "figures"),
    "/actions": _get(
        "Actions on results by wave (\u201cyou said, we did\u201d): published text, no figures",
        "ActionList", [_query("wave", "A closed wave's code; every wave if absent")], "actions"),
    "/pipeline": _get("Promotion rounds", "RoundList", [], "pipeline"),
    "/pipeline/{round}": _get(
        "Promotion outcomes by stage and group", "Answer",
        [{"name": "round", "in": "path", "required": True, "schema": {"type": "string"}},
         _query("breakdown", "A breakdown of the round"),
         _query("reference", "A reference group"), _query("wave", "A closed wave's code")],
        "pipeline"),
}
NULLABLE_VALUE = {"type": ["number", "string", "boolean", "null"]}
SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["status", "message"],
        "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}},
    "Wave": {"type": "object", "required": ["code", "title", "k"], "properties": {
        "code": {"type": "string"}, "title": {"type": "string"}, "state": {"type": "string"},
        "k": {"type": "integer", "minimum": 5}, "comment_k": {"type": "integer"},
        "opens_on": {"type": "string", "format": "date"},
        "closes_on": {"type": "string", "format": "date"},
        "respondents": {"type": ["integer", "null"]}}},
    "WaveList": {"type": "object", "required": ["waves"], "properties": {
        "waves": {"type": "array", "items": {"$ref": "#/components/schemas/Wave"}},
        "hidden_label": {"type": "string"}}},
    "MeasureList": {"type": "object", "required": ["measures"], "properties": {
        "measures": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "title": {"type": "string"},
            "kind": {"enum": ["score", "item"]}}}}}},
    "BreakdownList": {"type": "object", "required": ["breakdowns"], "properties": {
        "breakdowns": {"type": "array", "items": {"type": "object", "properties": {
            "level": {"type": "string"}, "title": {"type": "string"}}}}}},
    "Action": {"type": "object", "required": [
        "id", "measure", "finding", "action", "owner_role", "due_on", "status", "notes"],
        "properties": {
            "id": {"type": "integer"}, "measure": {"type": "string"},
            "measure_title": {"type": "string"}, "finding": {"type": "string"},
            "action": {"type": "string"}, "owner_role": {"type": "string"},
            "due_on": {"type": "string", "format": "date"},
            "status": {"enum": ["planned", "in_progress", "done", "dropped"]},
            "notes": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string"}, "text": {"type": "string"}}}}}},
    "ActionList": {"type": "object", "required": ["waves"], "properties": {
        "waves": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "title": {"type": "string"},
            "actions": {"type": "array",
                        "items": {"$ref": "#/components/schemas/Action"}}}}}}},
    "RoundList": {"type": "object", "required": ["rounds"], "properties": {
        "rounds": {"type": "array", "items": {"type": "string"}}}},
    "Row": {"type": "object", "required": ["key", "kind", "hidden", "cells", "values"],
            "properties": {
                "key": {"type": "string"}, "kind": {"type": "string"},
                "hidden": {"type": "boolean"},
                "cells": {"type": "array", "items": {"type": "string"}},
                "values": {"type": "object", "additionalProperties": NULLABLE_VALUE}}},
    "Table": {"type": "object", "required": ["title", "columns", "rows", "footnotes"],
              "properties": {
                  "title": {"type": "string"}, "subtitle": {"type": "string"},
                  "columns": {"type": "array", "items": {"type": "object", "properties": {
                      "key": {"type": "string"}, "label": {"type": "string"}}}},
                  "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                  "footnotes": {"type": "array", "items": {"type": "string"}}}},
    "Answer": {"type": "object", "required": ["view", "tables", "hidden_label"], "properties": {
        "view": {"type": "string"}, "title": {"type": "string"},
        "wave": {"oneOf": [{"$ref": "#/components/schemas/Wave"}, {"type": "null"}]},
        "params": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
        "hidden_label": {"type": "string"},
        "notices": {"type": "array", "items": {"type": "string"}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "tables": {"type": "array", "items": {"$ref": "#/components/schemas/Table"}}}},
}


@cache
def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Workforce survey results API", "version": "1.0.0",
            "description": (
                "Figures of closed waves after disclosure control: every number describes "
                "at least k respondents; hidden figures are null. Authenticate with a "
                "personal access token created at /admin/tokens (Bearer)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"token": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
