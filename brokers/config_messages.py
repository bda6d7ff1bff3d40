"""What is wrong with a sources file, in one line per problem: the file, the source, the
field, and what to do about it. Pydantic's own wording is replaced where a user would have
to translate it; values are quoted only for fields that cannot hold a secret."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic_core import ErrorDetails

# Fields whose values may be shown back to the user (never a key, a secret or a token).
QUOTABLE = frozenset({"kind", "name", "base_url", "token_url"})
NAME_RULE = (
    "lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters"
)


def source_label(raw: object, index: int) -> str:
    """How a source is named in messages: its name as written, else its place."""
    if isinstance(raw, Mapping) and isinstance(raw.get("name"), str) and raw["name"]:
        return str(raw["name"])
    return f"#{index + 1}"


def where(origin: str, source: str, field: str | None = None) -> str:
    return f"{origin}: source {source!r}" + (f": field {field!r}" if field else "")


def missing_variable(origin: str, source: str, field: str, variable: str) -> str:
    return (
        f"{where(origin, source, field)}: environment variable {variable} is not set; export "
        f"it, or name the variable that holds it in {{env: ...}}"
    )


def validation_problems(
    errors: Sequence[ErrorDetails],
    *,
    origin: str,
    source: str,
    kinds: Sequence[str],
    fields_of: Mapping[str, Sequence[str]],
    secret_fields: Iterable[str],
    skip_fields: Iterable[str] = (),
    offered_kinds: Sequence[str] | None = None,
) -> list[str]:
    """One line per error of one source's validation. `fields_of` gives each kind's
    fields (for 'did you mean'); errors on `skip_fields` (already reported, e.g. an unset
    variable) are left out. A wrong kind is answered with `offered_kinds` (default: every
    kind; preview kinds are left out of the list) and a guess among all `kinds`."""
    secret = frozenset(secret_fields)
    skip = frozenset(skip_fields)
    lines: list[str] = []
    seen: set[str] = set()
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        kind = loc.pop(0) if loc and loc[0] in kinds else None
        if loc and loc[-1].startswith("literal["):
            continue  # the other branch of `x | False`: the first branch says what is wrong
        field = ".".join(part for part in loc if not part[:1].isupper()) or None
        if field is not None and field.split(".")[0] in skip:
            continue
        problem = _problem(error, field, kind, kinds, offered_kinds or kinds, fields_of, secret)
        line = (
            f"{where(origin, source)}: {problem}"
            if field is None and error["type"] == "value_error"
            else f"{where(origin, source, field or 'kind')}: {problem}"
        )
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def _problem(
    error: ErrorDetails,
    field: str | None,
    kind: str | None,
    kinds: Sequence[str],
    offered: Sequence[str],
    fields_of: Mapping[str, Sequence[str]],
    secret: frozenset[str],
) -> str:
    kind_list = ", ".join(offered)
    value: Any = error.get("input")
    kind_fields = fields_of.get(kind or "", ())
    match error["type"]:
        case "union_tag_invalid":
            tag = str((error.get("ctx") or {}).get("tag", ""))
            return f"{tag!r} is not a source kind; use one of {kind_list}{_guess(tag, kinds)}"
        case "union_tag_not_found":
            return f"missing; add kind: one of {kind_list}"
        case "missing":
            form = " (a secret: write it as {env: VARIABLE})" if field in secret else ""
            return f"missing; kind {kind} needs it{form}"
        case "extra_forbidden":
            return f"not a field of kind {kind}; remove it{_guess(field or '', kind_fields)}"
        case "string_pattern_mismatch" if field == "name":
            return f"{value!r} is not a valid name: use {NAME_RULE}"
        case "string_pattern_mismatch" if field in QUOTABLE:
            return f"{value!r} is not a URL: it must start with https:// (or http://)"
        case "value_error":
            return str(error["msg"]).removeprefix("Value error, ")
        case "too_short" if field == "account_ids":
            return "lists no account; list at least one, or remove account_ids to read all"
    shown = f" (got {value!r})" if field in QUOTABLE else ""
    return f"{str(error['msg'])[:1].lower()}{str(error['msg'])[1:]}{shown}"


def _guess(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
