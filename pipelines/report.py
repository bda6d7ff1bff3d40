"""What landed: row counts per table and source, and a sample query, read back from the
DuckDB catalog exactly as an analyst would. The sample is shown only when it has rows to
show (after a failed run it may have none)."""

from __future__ import annotations

from decimal import Decimal

from schemas import TABLES
from warehouse import Catalog

SAMPLE_QUERY = """\
SELECT symbol, instrument_type, currency, quantity, market_value, accounts
FROM holdings
ORDER BY market_value DESC
LIMIT 5"""


def _show(value: object) -> str:
    """Decimals without the contract's trailing zeros (exact either way)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def table_counts(catalog: Catalog) -> dict[str, dict[str, int]]:
    """{table: {source: rows}} from the catalog's views."""
    with catalog.connect() as con:
        return {
            name: dict(
                con.execute(f"SELECT source, count(*) FROM {name} GROUP BY source").fetchall()
            )
            for name in TABLES
        }


def render(catalog: Catalog) -> str:
    counts = table_counts(catalog)
    sources = sorted({source for per in counts.values() for source in per})
    if not sources:
        return f"Warehouse: {catalog.location}: nothing has landed yet."
    width = max([len(s) for s in sources] + [6])
    lines = [
        f"Warehouse: {catalog.location}",
        "",
        f"{'source':<{width}}  " + "  ".join(f"{name:>11}" for name in TABLES),
    ]
    for source in sources:
        lines.append(
            f"{source:<{width}}  "
            + "  ".join(f"{counts[name].get(source, 0):>11}" for name in TABLES)
        )
    lines.append(
        f"{'total':<{width}}  " + "  ".join(f"{sum(counts[n].values()):>11}" for n in TABLES)
    )
    with catalog.connect() as con:
        result = con.execute(SAMPLE_QUERY)
        header = [column[0] for column in result.description]
        rows = result.fetchall()
    if rows:
        lines += ["", "Sample query:", SAMPLE_QUERY, "", " | ".join(header)]
        lines += [" | ".join(_show(value) for value in row) for row in rows]
    return "\n".join(lines)
