"""Where TradrAPI's data lives, in one place.

TradrAPI documents its SDK (method names, request DTOs, models, the page envelope) but not
its REST paths or the header that carries the API key. These are an assumption: paths
that mirror the SDK's namespaces (`accounts.list` -> GET /accounts, `balances.getMany` ->
GET /balances?accountIds=..., `positions.list` -> GET /positions, ...) and the key in
`x-api-key`. Confirm them against a real deployment; a correction is a change to this
module only.
"""

from __future__ import annotations

from brokers.ratelimit import RateLimit

KEY_HEADER = "x-api-key"
# Unpublished too: 600 requests a minute per key is assumed (set `rate_limit` in
# sources.yaml when the real figure is known).
RATE_LIMIT = RateLimit(600, 60.0)

CURRENT_KEY = "/api-keys/current"  # the calling key's metadata
ACCOUNTS = "/accounts"  # envelope of AccountResult, the accounts the key covers
BALANCES = "/balances"  # ?accountIds=1,2,3 -> bare Balance[]
POSITIONS = "/positions"  # ?accountId= -> envelope of Position
ORDERS = "/orders"  # ?accountId= -> envelope of pending Order
SYMBOLS = "/symbols"  # ?spreadGroupId= -> bare Symbol[] (with contractSize)


def account_summary(account_id: int) -> str:
    """Closed trades and balance operations of one account (envelope of AccountSummary;
    `from`/`to` bound their createdAt, a trade's closing, inclusive)."""
    return f"/accounts/{account_id}/summary"


def balance_transactions(account_id: int) -> str:
    """One account's balance operations (`balances.list`): a bare BalanceTransaction[],
    not paginated."""
    return f"/balances/{account_id}/transactions"


PAGE_LIMIT = 100  # the largest page the API is assumed to serve
BALANCES_PER_CALL = 100  # account ids per getMany call
# Stable orders for page-numbered walks (the API's default, newest first, shifts as rows
# are added).
BY_ID = {"sortBy": "id", "sortDir": "ASC"}
BY_TIME = {"sortBy": "createdAt", "sortDir": "ASC"}
