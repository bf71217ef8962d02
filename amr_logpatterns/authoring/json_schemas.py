"""JSON Schemas of pack files and of the config file, so an editor flags what the loader would.

``signature_json_schema`` and ``config_json_schema`` are generated from the
same Pydantic models the loader validates with, so an editor flags a typo'd
key as the loader would; only the hover texts (``DESCRIPTIONS``) are written
here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from amr_logpatterns.packs.schema import Component, DiagnosisSpec, Signature
from amr_logpatterns.policy.config import Config

SchemaKind = Literal["pack", "signature", "diagnosis", "component"]

_DRAFT = "http://json-schema.org/draft-07/schema#"

#: Property descriptions editors show on hover, by model; the models stay the single
#: source of structure, and a test keeps every name here in step with them.
DESCRIPTIONS: Mapping[str, Mapping[str, str]] = {
    "Signature": {
        "id": "component.name; public API, never changes; the file is named after it",
        "title": "One line: what the log line means",
        "component": "A component of components/*.yaml",
        "severity": "info | warning | error",
        "category": "A free-form group such as connectivity, tls, data",
        "explanation": "Our own words; {field} placeholders are filled from the match",
        "remediation": "Ordered steps of the fix",
        "verify": "Signature ids whose lines show the problem is fixed",
        "references": "Sections of the AMR troubleshooting guide, such as '#health-check'",
        "attribution": "Components whose records it may describe (default: its component)",
        "benign": "When the line is harmless; such findings never fail the gate",
        "group_by": "Fields whose values split findings",
        "types": "Types of named groups (str unless given): int, float, bool",
        "match": "How to recognise the line: keywords, then a condition tree",
        "examples": "Lines that must match (with the fields they yield) and must not",
        "overrides": "Repeat this signature's id to replace a built-in signature of that id",
        "overlaps": "Signatures expected to match some of the same lines (lint stays quiet)",
    },
    "MatchSpec": {
        "keywords": "Literal texts, one of which every matching line holds (a prefilter)",
    },
    "Condition": {
        "message": "Regex searched in the decoded message",
        "text": "Regex searched in the message followed by every field as key=value",
        "raw": "Regex searched in the line as written",
        "fields": "Regexes on record attributes (level, logger, caller, ...) or JSON keys",
        "any": "At least one of these conditions holds",
        "all": "Every one of these conditions holds",
        "none": "None of these conditions holds",
        "optional": "Never fails; adds the named groups of those that hold",
    },
    "Example": {
        "line": "A log line exactly as it appears",
        "fields": "The fields the signature must extract from it, with their types",
    },
    "Examples": {
        "match": "At least two lines the signature must match",
        "no_match": "At least two near misses it must not match",
    },
    "RemediationStep": {
        "text": "What to do; {field} placeholders are filled from the match",
        "command": "A command to run, rendered apart",
        "config": "A configuration snippet, rendered apart",
        "tap": "The TAP releases the step applies to, such as '>=1.7' or '>=1.6, <1.8'",
    },
    "DiagnosisSpec": {
        "id": "diagnosis.name; public API, never changes",
        "summary": "What went wrong, in one or two sentences",
        "when": "The rule over findings that concludes this root cause",
        "confidence": "low | medium | high",
        "stronger_when": "A rule that raises the confidence to high",
        "symptoms": "Findings folded under this root cause when present",
        "overrides": "Repeat this diagnosis's id to replace a built-in diagnosis of that id",
    },
    "Rule": {
        "finding": "A signature id that must have a finding",
        "min_count": "How many matches the finding needs at least",
        "errors_only_from": "Every error-level record comes from these signatures",
    },
    "Component": {
        "namespaces": "Namespaces whose records belong to the component",
        "workloads": "Pod or workload name globs of the component",
        "foreign_containers": "Containers in its pods whose records are not its own",
        "loggers": "Logger names (globs) only the component's programs log under",
        "logs_command": "How to read the component's log",
    },
    "Config": {
        "patterns": "Extra pack directories, relative to this file",
        "disabled": "Signature and diagnosis ids to leave out entirely",
        "ignore": "Accepted findings: an id or fingerprint, a reason, an optional expiry",
        "baseline": "An earlier JSON report whose findings do not fail the gate",
    },
}


def _describe(defs: dict[str, Any]) -> None:
    """Add the property descriptions to the generated ``$defs`` (in place)."""
    for model, props in DESCRIPTIONS.items():
        schema = defs.get(model)
        if schema is None:
            continue
        for name, text in props.items():
            if name in schema.get("properties", {}):
                schema["properties"][name].setdefault("description", text)


def _kind_models() -> dict[str, type[BaseModel]]:
    return {"signature": Signature, "diagnosis": DiagnosisSpec, "component": Component}


def signature_json_schema(kind: SchemaKind = "pack") -> dict[str, Any]:
    """The JSON Schema (draft-07) of a pack file, generated from the models the loader uses.

    ``pack`` (the default) accepts any pack file: a file with ``when`` or
    ``summary`` is checked as a diagnosis, one with ``match``, ``severity``,
    ``component`` or ``examples`` as a signature, any other as a component, so
    an editor reports the errors of the kind the author meant.
    """
    models = _kind_models()
    chosen = list(models.values()) if kind == "pack" else [models[kind]]
    refs, top = models_json_schema([(m, "validation") for m in chosen], by_alias=True)
    defs: dict[str, Any] = top.get("$defs", {})
    _describe(defs)
    ref = {m.__name__: refs[(m, "validation")]["$ref"] for m in chosen}
    schema: dict[str, Any] = {"$schema": _DRAFT}
    if kind == "pack":
        schema |= {
            "title": "amr-logpatterns pack file",
            "description": "A signature, a diagnosis (diagnoses/) or a component (components/)",
            "if": {"anyOf": [{"required": ["when"]}, {"required": ["summary"]}]},
            "then": {"$ref": ref["DiagnosisSpec"]},
            "else": {
                "if": {
                    "anyOf": [
                        {"required": [key]}
                        for key in ("match", "severity", "component", "examples")
                    ]
                },
                "then": {"$ref": ref["Signature"]},
                "else": {"$ref": ref["Component"]},
            },
        }
    else:
        schema |= {"title": f"amr-logpatterns {kind}", "$ref": ref[chosen[0].__name__]}
    schema["$defs"] = defs
    return schema


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of ``.amr-logpatterns.yaml``."""
    generated = Config.model_json_schema(by_alias=True)
    defs = generated.pop("$defs", {})
    defs["Config"] = generated
    _describe(defs)
    return {
        "$schema": _DRAFT,
        "title": "amr-logpatterns config file (.amr-logpatterns.yaml)",
        "$ref": "#/$defs/Config",
        "$defs": defs,
    }


#: What ``schema_text`` can print: a pack file of any kind or one kind, or the config file.
SCHEMA_KINDS = ("pack", "signature", "diagnosis", "component", "config")


def schema_text(kind: str = "pack") -> str:
    """A JSON Schema as the ``schema`` command prints it (``ValueError`` for an unknown kind)."""
    kinds = {k: k for k in get_args(SchemaKind)}
    if kind == "config":
        schema = config_json_schema()
    elif kind in kinds:
        schema = signature_json_schema(kinds[kind])
    else:
        raise ValueError(f"unknown schema {kind!r}; choose from {', '.join(SCHEMA_KINDS)}")
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
