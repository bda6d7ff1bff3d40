"""The analytics as Dagster assets: each model of `warehouse/models` (a SQL file, a view
of the catalog) is an asset downstream of what it reads, so lineage shows in the UI from
each source's tables and the ECB's rates through portfolio_daily to performance.

They are built in one step: the catalog is rebuilt once (its views are the models) and
each model reports its columns. The step's check `pnl_agreement` lists the
accounts where a broker's reported profit or loss and brokerlake's diverge beyond the
stated tolerance (see the portfolio_pnl_comparison model).
"""

from collections.abc import Mapping

import dagster as dg

from assets.fx import FX_KEY, fx_reference_rates
from assets.reported import HISTORY_PATHS, reported_step
from assets.reported import TABLE as REPORTED
from assets.resources import WarehouseResource
from assets.tables_common import TABLE_NAMES, asset_key, pool
from warehouse.models import SETTINGS, Model, models

GROUP = "analytics"
PNL_AGREEMENT = "pnl_agreement"
COMPARISON = "portfolio_pnl_comparison"
SHOWN = 20
REPORTING_KINDS = tuple(HISTORY_PATHS)  # the kinds whose broker reports a portfolio history
VIEW_SUFFIXES = ("_latest", "_history")  # views over a table, e.g. balances_latest


def model_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, name])


def upstream(model: Model, sources: Mapping[str, str]) -> list[dg.AssetKey]:
    """The assets a model reads: other models, the ECB's rates, each source's tables."""
    names = {m.name for m in models()}
    keys: list[dg.AssetKey] = []
    for read in model.reads:
        table = next((read.removesuffix(s) for s in VIEW_SUFFIXES if read.endswith(s)), read)
        if read in names:
            keys.append(model_key(read))
        elif read == FX_KEY.path[-1]:
            keys.append(FX_KEY)
        elif table == REPORTED:
            keys += [
                asset_key(s, REPORTED) for s, k in sorted(sources.items()) if k in REPORTING_KINDS
            ]
        elif table in TABLE_NAMES:
            keys += [asset_key(source, table) for source in sorted(sources)]
        elif read != SETTINGS:
            raise ValueError(f"model {model.name} reads {read!r}, which is no table or model")
    return keys


def pnl_agreement(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Accounts whose reported profit or loss strays from brokerlake's beyond the
    tolerance, on any day both know."""
    with warehouse.catalog.connect() as con:
        found = con.execute(
            "SELECT source, account_id, day, brokerlake_pnl, reported_pnl, difference, "
            f"tolerance FROM {COMPARISON} WHERE NOT within_tolerance "
            "ORDER BY source, account_id, day"
        )
        columns = [column[0] for column in found.description or ()]
        diverging = [dict(zip(columns, row, strict=True)) for row in found.fetchall()]
        days, accounts = con.execute(
            f"SELECT count(*), count(DISTINCT source || '/' || account_id) FROM {COMPARISON}"
        ).fetchone() or (0, 0)
    named = sorted({f"{row['source']}/{row['account_id']}" for row in diverging})
    listed = [{k: str(v) for k, v in row.items()} for row in diverging[:SHOWN]]
    return dg.AssetCheckResult(
        asset_key=model_key(COMPARISON),
        check_name=PNL_AGREEMENT,
        passed=not named,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "days_compared": days,
            "accounts_compared": accounts,
            "accounts_diverging": len(named),
            "tolerance": "the larger of 0.05 in the account's currency and 0.01% of its equity",
            **({"accounts": named, "diverging": dg.MetadataValue.json(listed)} if named else {}),
        },
    )


def models_step(sources: Mapping[str, str]) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            model_key(model.name),
            deps=upstream(model, sources),
            description=model.description,
            group_name=GROUP,
            kinds={"duckdb", "sql"},
            metadata={"sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```")},
        )
        for model in models()
    ]

    @dg.multi_asset(
        name="analytics_models",
        specs=specs,
        check_specs=[
            dg.AssetCheckSpec(
                PNL_AGREEMENT,
                asset=model_key(COMPARISON),
                description="The profit or loss a broker reports (Alpaca's portfolio "
                "history) and brokerlake's (equity change less external flows) agree on every "
                "day both know, within the larger of 0.05 in the account's currency and 0.01% "
                "of its equity; the accounts that diverge are listed.",
            )
        ],
    )
    def analytics_models(warehouse: WarehouseResource):
        warehouse.catalog.refresh()
        with warehouse.catalog.connect() as con:
            for model in models():
                # its columns (binding the view, not running it: a model is computed when
                # queried, and counting every one would cost a run seconds)
                columns = [row[0] for row in con.execute(f"DESCRIBE {model.name}").fetchall()]
                yield dg.MaterializeResult(
                    asset_key=model_key(model.name),
                    metadata={"view": model.name, "columns": ", ".join(columns)},
                )
        yield pnl_agreement(warehouse)

    return analytics_models


def build_analytics_assets(
    sources: Mapping[str, str], retry: dg.RetryPolicy | None = None, *, pooled: bool = True
) -> list[dg.AssetsDefinition]:
    """The ECB's rates, each reporting source's portfolio history, and the models."""
    reported = [
        reported_step(source, kind, retry, pool(source) if pooled else None)
        for source, kind in sorted(sources.items())
        if kind in REPORTING_KINDS
    ]
    return [fx_reference_rates, *reported, models_step(sources)]
