"""The analytics models: one SQL file each in this folder, opening with a comment that
says what it answers, built into the catalog as views once the tables they read are
(`warehouse.catalog`), and each a Dagster asset downstream of what it reads.

What a model reads is taken from its SQL (the names after FROM and JOIN), so its lineage
is never declared twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

FOLDER = Path(__file__).parent
SETTINGS = "analytics_settings"  # a one-row view of the settings models read
_READS = re.compile(r"(?<!DISTINCT )\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")
# a common table expression's name: `name AS (`, `name(columns) AS MATERIALIZED (`, ...
_CTE = re.compile(
    r"\b([a-z_][a-z0-9_]*)\s*(?:\([^()]*\))?\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Model:
    name: str
    sql: str
    description: str  # its opening comment: what it answers
    reads: tuple[str, ...]  # the tables, views and models it reads, by name


def _description(sql: str, name: str) -> str:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    if not lines:
        raise ValueError(f"model {name}.sql must open with a comment saying what it answers")
    return " ".join(lines)


@cache
def models() -> tuple[Model, ...]:
    """Every model, each after the models it reads."""
    found: dict[str, Model] = {}
    for path in sorted(FOLDER.glob("*.sql")):
        sql = path.read_text()
        body = _COMMENT.sub("", sql)
        ctes = set(_CTE.findall(body))
        reads = sorted({n for n in _READS.findall(body) if n not in ctes} - {path.stem})
        found[path.stem] = Model(path.stem, sql, _description(sql, path.stem), tuple(reads))
    order = TopologicalSorter(
        {name: [r for r in model.reads if r in found] for name, model in found.items()}
    ).static_order()
    return tuple(found[name] for name in order)


def model(name: str) -> Model:
    for each in models():
        if each.name == name:
            return each
    raise KeyError(f"no model {name!r}; models are {', '.join(m.name for m in models())}")
