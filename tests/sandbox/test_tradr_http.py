"""The TradrAPI simulator over HTTP: the page envelope and its limits, the lists that stay
bare arrays, keys kept as hashes with readable metadata, roles, IP allow-lists and
account coverage enforced; and the world's TradrAPI book adds up exactly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from brokers.http import decode_json
from sandbox import Sandbox, World
from sandbox.tradr.keys import digest

FIRST_USER = 5001
BUSY_ACCOUNT = 100_030_002


@pytest.fixture(scope="module")
def api(sandbox: Sandbox) -> dict:
    return sandbox.manifest()["apis"]["tradr"]


@pytest.fixture(scope="module")
def user_key(api: dict) -> str:
    return api["keys"]["user_key"]["api_key"]


@pytest.fixture(scope="module")
def http(api: dict, user_key: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api["base_url"], headers={"x-api-key": user_key}) as client:
        yield client


def body(response: httpx.Response) -> object:
    return decode_json(response.text)


def test_lists_use_the_envelope_from_page_one_with_ten_by_default(http, world: World):
    page = http.get("/positions", params={"accountId": BUSY_ACCOUNT}).json()
    assert set(page) == {"data", "limit", "page", "total"}
    held = len(world.tradr_positions(BUSY_ACCOUNT))  # 230 held long, and trades open now
    assert 230 < held < 300
    assert (page["page"], page["limit"], len(page["data"]), page["total"]) == (1, 10, 10, held)


def test_pages_in_a_stable_order_cover_every_row_once(http, world: World):
    ids = []
    for number in (1, 2, 3):
        params = {"accountId": BUSY_ACCOUNT, "page": number, "limit": 100, "sortBy": "id",
                  "sortDir": "ASC"}  # fmt: skip
        ids += [p["id"] for p in http.get("/positions", params=params).json()["data"]]
    assert ids == [p.position_id for p in world.tradr_positions(BUSY_ACCOUNT)]
    past = http.get("/positions", params={"accountId": BUSY_ACCOUNT, "page": 4, "limit": 100})
    assert past.json()["data"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 101}, "limit must not be greater than 100"),
        ({"limit": 0}, "limit must not be less than 1"),
        ({"page": 0}, "page must not be less than 1"),
        ({"sortDir": "UP"}, "sortDir must be one of the following values: ASC, DESC"),
    ],
)
def test_bad_list_parameters_are_refused_as_nestjs_does(http, params, message):
    response = http.get("/orders", params=params)
    assert response.status_code == 400
    assert response.json() == {"statusCode": 400, "message": [message], "error": "Bad Request"}


def test_the_documented_bare_arrays_stay_bare(http, world: World):
    accounts = [a.account_id for a in world.tradr_accounts(FIRST_USER)][:3]
    balances = body(http.get("/balances", params={"accountIds": ",".join(map(str, accounts))}))
    assert [b["accountId"] for b in balances] == accounts
    transactions = body(http.get(f"/balances/{accounts[0]}/transactions"))
    assert isinstance(transactions, list) and transactions[0]["operation"] == "add"
    symbols = body(http.get("/symbols", params={"page": 1, "limit": 2}))
    assert isinstance(symbols, list) and len(symbols) > 2


def test_money_is_written_as_exact_json_numbers(http):
    [dormant] = body(http.get("/balances", params={"accountIds": "100030001"}))
    assert dormant["balance"] == Decimal("0.1") and str(dormant["balance"]) == "0.1"
    assert '"balance":0.1,' in http.get("/balances/100030001").text


def test_several_positions_per_symbol_each_with_its_own_id(http):
    page = http.get("/positions", params={"accountId": BUSY_ACCOUNT, "limit": 100}).json()
    symbols = Counter(p["symbol"] for p in page["data"])
    assert max(symbols.values()) > 1
    assert len({p["id"] for p in page["data"]}) == len(page["data"])
    assert {p["type"] for p in page["data"]} == {"BUY", "SELL"}


def test_a_key_shows_its_metadata_and_only_its_hash(sandbox, http, user_key):
    metadata = http.get("/api-keys/current").json()
    assert metadata["apiKey"] == digest(user_key)
    assert user_key not in http.get("/api-keys/current").text
    assert {"id", "roles", "ips", "userId", "accountIds", "friendlyName", "createdAt",
            "updatedAt", "lastUsedAt"} <= set(metadata)  # fmt: skip
    assert metadata["roles"] == ["read"] and metadata["userId"] == FIRST_USER
    assert metadata["lastUsedAt"] is not None
    assert all(user_key not in repr(key) for key in sandbox.tradr_keys.stored())


def test_an_account_key_reads_its_account_only(sandbox, api, world: World):
    [first, second, *_] = world.tradr_accounts(FIRST_USER)
    key = sandbox.tradr_keys.create(account_id=first.account_id, friendly_name="one")
    with httpx.Client(base_url=api["base_url"], headers={"x-api-key": key}) as client:
        metadata = client.get("/api-keys/current").json()
        assert metadata["accountId"] == first.account_id and "userId" not in metadata
        listed = client.get("/accounts").json()
        assert [a["id"] for a in listed["data"]] == [first.account_id]
        refused = client.get(f"/balances/{second.account_id}")
        assert refused.status_code == 403
        assert refused.json()["message"] == (
            f"This API key does not have access to account {second.account_id}"
        )
        assert client.get("/positions", params={"accountId": second.account_id}).status_code == 403


def test_keys_are_refused_without_read_or_from_outside_their_allow_list(sandbox, api):
    def status(key: str) -> tuple[int, str]:
        response = httpx.get(api["base_url"] + "/accounts", headers={"x-api-key": key})
        return response.status_code, response.json().get("message", "")

    write_only = sandbox.tradr_keys.create(user_id=FIRST_USER, roles=["write"])
    assert status(write_only) == (403, "This API key does not have the read role")
    fenced = sandbox.tradr_keys.create(user_id=FIRST_USER, ips=["203.0.113.0/24"])
    assert status(fenced) == (403, "IP address 127.0.0.1 is not allowed to use this API key")
    loopback = sandbox.tradr_keys.create(user_id=FIRST_USER, ips=["127.0.0.1/32"])
    assert status(loopback)[0] == 200
    assert status("tdr_unknown")[0] == 401
    missing = httpx.get(api["base_url"] + "/accounts")
    assert (missing.status_code, missing.json()["message"]) == (401, "Missing API key")


def test_the_summary_holds_closed_trades_and_balance_operations(http, world: World):
    account = 100_030_000
    page = http.get(f"/accounts/{account}/summary", params={"limit": 100, "sortDir": "ASC"}).json()
    kinds = Counter(r["type"] for r in page["data"])
    assert kinds["BALANCE"] == len(world.tradr_transactions(account))
    assert kinds["BUY"] + kinds["SELL"] == len(world.tradr_trades(account))
    closes = [r["closedAt"] for r in page["data"]]
    assert closes == sorted(closes)
    since = world.tradr_trades(account)[-1].closed_at.isoformat()
    recent = http.get(f"/accounts/{account}/summary", params={"from": since}).json()
    assert recent["total"] >= 1 and all(r["closedAt"] >= since[:19] for r in recent["data"])


def test_the_books_add_up_exactly(world: World):
    for account in world.tradr_accounts():
        b = world.tradr_balance(account.account_id)
        positions = world.tradr_positions(account.account_id)
        trades = world.tradr_trades(account.account_id)
        operations = world.tradr_transactions(account.account_id)
        assert b.balance == sum(t.signed for t in operations) + sum(t.net for t in trades)
        assert b.equity == b.balance + b.credit + sum(p.net for p in positions)
        assert b.free_margin == b.equity - b.margin
        tickets = [p.ticket for p in positions] + [o.ticket for o in world.tradr_orders(
            account.account_id)] + [t.ticket for t in trades]  # fmt: skip
        assert len(tickets) == len(set(tickets))


def test_the_tradr_book_is_the_same_for_the_same_seed(world: World):
    again = World(world.seed, world.clock, world.sizes)
    for account in world.tradr_accounts():
        assert again.tradr_positions(account.account_id) == world.tradr_positions(
            account.account_id
        )
        assert again.tradr_trades(account.account_id) == world.tradr_trades(account.account_id)
        assert again.tradr_balance(account.account_id) == world.tradr_balance(account.account_id)
