"""SnapTrade signatures match the reference vectors, and what the auth sends is exactly
what it signed."""

from __future__ import annotations

import httpx
import pytest

from brokers.snaptrade.signing import SnapTradeAuth, canonical, signature

VECTORS = [
    ("consumer_key", None, "/accounts", "timestamp=1700000000",
     "3VkE1AkN6sr1yxWbl8JA7v9O9MFXfMFDVgzhC9GhptU="),
    ("YOUR_CONSUMER_KEY", {"substring": "AAPL"}, "/api/v1/symbols",
     "clientId=YOUR_CLIENT_ID&timestamp=1715123456",
     "XURYf7Z+QeT+M7Y4OPdK/NaYhDQsds4cEKunvbtu5sE="),
    ("YOUR_CONSUMER_KEY", {"substring": "AAPL"}, "/symbols",
     "clientId=YOUR_CLIENT_ID&timestamp=1715123456",
     "TIrAXRIywVDtud68tti2kh1fDmzi/2aNdmhABjvabMw="),
    ("YOUR_CONSUMER_KEY", None, "/accounts",
     "userId=u1&userSecret=s1&clientId=YOUR_CLIENT_ID&timestamp=1715123456",
     "0jewT3AOn0l5ho8KVcv3BdITS2G8jguhPXs3yWjNAuA="),
]  # fmt: skip


@pytest.mark.parametrize(("key", "content", "path", "query", "expected"), VECTORS)
def test_reference_vectors(key, content, path, query, expected):
    assert signature(key, content, path, query) == expected


def test_an_empty_body_signs_as_null():
    assert canonical({}, "/x", "a=1") == '{"content":null,"path":"/x","query":"a=1"}'


def test_the_auth_signs_the_query_it_sends():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    auth = SnapTradeAuth("YOUR_CLIENT_ID", "YOUR_CONSUMER_KEY", clock=lambda: 1715123456)
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.get("https://api.example/accounts", params={"userId": "u1", "userSecret": "s1"})
    [request] = seen
    assert request.url.query.decode() == (
        "userId=u1&userSecret=s1&clientId=YOUR_CLIENT_ID&timestamp=1715123456"
    )
    assert request.headers["Signature"] == VECTORS[3][4]


@pytest.mark.parametrize(
    "target",
    [
        "/accounts?userId=u1&userSecret=s%2F1&clientId=C&timestamp=1715123456",
        "/accounts/abc/orders?state=all&days=90&userId=u&userSecret=s&clientId=C&timestamp=1",
        "/snapTrade/listUsers?clientId=C&timestamp=1715123456",
    ],
)
def test_the_official_sdk_signs_the_same(target):
    from snaptrade_client.request_after_hook import compute_request_signature

    path, query = target.split("?")
    expected = compute_request_signature(path=target, consumer_key="K3y/+=", body=None)
    assert signature("K3y/+=", None, path, query) == expected
