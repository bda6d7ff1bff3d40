"""`GET /v1/accounts` query semantics: at most 1000 accounts, sorted by creation time
(then id, so accounts created at one instant keep one order), `created_after` and
`created_before` inclusive, `status`, `query` tokens (all must match one of account
number, phone, name or e-mail), and `entities` naming the sub-objects to include."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sandbox.alpaca_broker.render import ACCOUNT_STATUS, ENTITIES
from sandbox.alpaca_trading.errors import invalid
from sandbox.alpaca_trading.wire import epoch_micros, parse_query_time
from sandbox.world import Account, CustomerProfile

PAGE_LIMIT = 1000
TIME_HINT = "format: '2019-10-12T07:20:50.52Z'"


@dataclass(frozen=True)
class AccountsQuery:
    created_after_ns: int | None = None
    created_before_ns: int | None = None
    status: str | None = None
    tokens: tuple[str, ...] = ()
    sort: str = "desc"
    entities: frozenset[str] | None = None


def _time(params: Mapping[str, str], name: str) -> int | None:
    text = params.get(name)
    if not text:
        return None
    try:
        return parse_query_time(text)
    except ValueError:
        raise invalid(f"invalid format for {name}; {TIME_HINT}") from None


def parse_accounts_query(params: Mapping[str, str]) -> AccountsQuery:
    sort = params.get("sort") or "desc"
    if sort not in ("asc", "desc"):
        raise invalid(f"invalid sort: {sort!r} (one of asc, desc)")
    entities = None
    if params.get("entities"):
        entities = frozenset(e.strip() for e in params["entities"].split(",") if e.strip())
        unknown = entities - set(ENTITIES)
        if unknown:
            raise invalid(f"invalid entities: {', '.join(sorted(unknown))}")
    return AccountsQuery(
        created_after_ns=_time(params, "created_after"),
        created_before_ns=_time(params, "created_before"),
        status=params.get("status") or None,
        tokens=tuple((params.get("query") or "").lower().split()),
        sort=sort,
        entities=entities,
    )


def _matches_tokens(tokens: tuple[str, ...], account: Account, p: CustomerProfile) -> bool:
    fields = (
        account.account_number,
        p.phone_number,
        f"{p.given_name} {p.family_name}".lower(),
        p.email_address.lower(),
    )
    return all(any(token in field for field in fields) for token in tokens)


def select_accounts(
    query: AccountsQuery, accounts: list[Account], profile: Callable[[str], CustomerProfile]
) -> list[Account]:
    """The page: accounts (given sorted ascending) matching the query, at most 1000."""
    chosen = []
    for account in accounts:
        nanos = epoch_micros(account.created_at) * 1000
        if query.created_after_ns is not None and nanos < query.created_after_ns:
            continue
        if query.created_before_ns is not None and nanos > query.created_before_ns:
            continue
        if query.status and ACCOUNT_STATUS.get(account.status) != query.status:
            continue
        if query.tokens and not _matches_tokens(query.tokens, account, profile(account.account_id)):
            continue
        chosen.append(account)
    if query.sort == "desc":
        chosen.reverse()
    return chosen[:PAGE_LIMIT]
