"""`GET /v1/journals`: the partner's journals of cash between its accounts, oldest first,
whatever their status (a journal waiting for approval is `pending`; a rejected one
`rejected`). `after` and `before` are creation dates, both exclusive; `status`,
`entry_type`, `from_account` and `to_account` narrow the list; more than 100,000
journals get 422, as the API documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sandbox.alpaca_trading.errors import ApiError, invalid
from sandbox.alpaca_trading.wire import decimal_text, utc_timestamp
from sandbox.world.transfers import Journal

MAX_JOURNALS = 100_000
TOO_MANY = 42210000


def journal_json(journal: Journal, clock: datetime) -> dict[str, Any]:
    status = journal.status_at(clock)
    executed = status == "executed" and journal.executed_at is not None
    settled = journal.executed_at.date().isoformat() if executed else None  # type: ignore[union-attr]
    return {
        "id": journal.journal_id,
        "entry_type": "JNLC",
        "from_account": journal.from_account,
        "to_account": journal.to_account,
        "symbol": None,
        "qty": None,
        "price": "0",
        "status": status,
        "settle_date": settled,
        "system_date": settled,
        "net_amount": decimal_text(journal.amount),
        "currency": journal.currency,
        "description": journal.description,
        "created_at": utc_timestamp(journal.created_at),
    }


def _day(params: Mapping[str, str], name: str) -> date | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(f"invalid {name}: {text!r} (format: 2020-01-01)") from None


def select_journals(
    journals: Sequence[Journal], params: Mapping[str, str], clock: datetime
) -> list[dict[str, Any]]:
    after, before = _day(params, "after"), _day(params, "before")
    entry_type = params.get("entry_type")
    if entry_type not in (None, "", "JNLC", "JNLS"):
        raise invalid(f"invalid entry_type: {entry_type!r} (JNLC or JNLS)")
    chosen = [
        j
        for j in journals
        if (after is None or j.created_at.date() > after)
        and (before is None or j.created_at.date() < before)
        and params.get("status") in (None, "", j.status_at(clock))
        and entry_type in (None, "", "JNLC")
        and params.get("from_account") in (None, "", j.from_account)
        and params.get("to_account") in (None, "", j.to_account)
    ]
    if len(chosen) > MAX_JOURNALS:
        raise ApiError(422, TOO_MANY, "Result set exceeds 100,000 records.")
    return [journal_json(j, clock) for j in sorted(chosen, key=lambda j: j.created_at)]
