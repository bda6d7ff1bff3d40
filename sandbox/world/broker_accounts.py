"""Alpaca Broker API customer accounts: one deterministic draw per (seed, position).

A broker partner onboards customers in bulk, so accounts come in groups of four that were
created at the same microsecond about half the time: a page boundary of the API's
`created_after` windows then falls inside a group, which a client must walk without
skipping or repeating an account. Each account carries its holder's personal data
(contact, identity, disclosures), which the API serves and a pipeline must not keep. One
account in ten trades in its local currency (JPY, EUR, GBP or AUD: Local Currency
Trading), on cash.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sandbox.world.model import Account
from sandbox.world.randomness import rng, uuid4

ALPACA_BROKER = "alpaca_broker"
GROUP_SIZE = 4  # accounts per onboarding group
# One account in ten trades in its local currency (Local Currency Trading).
LCT_EVERY = 10
LCT_CURRENCIES = ("JPY", "EUR", "GBP", "AUD")
OPENED_FROM = datetime(2020, 3, 1, tzinfo=UTC)
OPENED_SPAN = timedelta(days=5 * 365)

GIVEN_NAMES = (
    "Avery", "Blake", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ines",
    "Jonas", "Keiko", "Luca", "Maya", "Nadia", "Oskar", "Priya", "Quinn", "Rafael",
)  # fmt: skip
FAMILY_NAMES = (
    "Abernathy", "Brightwater", "Castellanos", "Dunmore", "Eastwick", "Fairweather",
    "Galloway", "Holloway", "Ivanova", "Jablonski", "Kowalczyk", "Lindqvist", "Marchetti",
    "Nakamura", "Okonkwo", "Pemberton", "Quintero", "Rasmussen",
)  # fmt: skip
STREETS = ("Maple Ave", "Harbor St", "Juniper Rd", "Lakeview Dr", "Orchard Ln", "Summit Blvd")
CITIES = (
    ("San Mateo", "CA", "944"), ("Austin", "TX", "787"), ("Denver", "CO", "802"),
    ("Portland", "OR", "972"), ("Raleigh", "NC", "276"), ("Madison", "WI", "537"),
)  # fmt: skip
IP_OCTETS = ((11, 223), (0, 255), (0, 255), (1, 254))
EMPLOYERS = ("Northwind Traders", "Contoso Health", "Fabrikam Labs", "Tailspin Logistics")


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """The account holder's personal data, as the partner collected it at onboarding."""

    given_name: str
    family_name: str
    email_address: str
    phone_number: str
    street_address: str
    city: str
    state: str
    postal_code: str
    date_of_birth: date
    tax_id: str
    employer_name: str
    employer_address: str
    document_url: str
    ip_address: str


@dataclass(frozen=True, slots=True)
class BrokerAccountRecord:
    account: Account
    profile: CustomerProfile


def _created_at(seed: int, index: int) -> datetime:
    group = index // GROUP_SIZE
    shared = rng(seed, ALPACA_BROKER, "group", group)
    start = OPENED_FROM + timedelta(
        microseconds=shared.randrange(int(OPENED_SPAN.total_seconds() * 1_000_000))
    )
    if shared.random() < 0.5:  # a bulk upload: the whole group at one instant
        return start
    return start + timedelta(microseconds=rng(seed, ALPACA_BROKER, "ts", index).randrange(10**9))


def _profile(r: random.Random, account_id: str) -> CustomerProfile:
    given, family = r.choice(GIVEN_NAMES), r.choice(FAMILY_NAMES)
    city, state, zip_prefix = r.choice(CITIES)
    handle = f"{given}.{family}{r.randint(10, 9999)}".lower()
    return CustomerProfile(
        given_name=given,
        family_name=family,
        email_address=f"{handle}@example.com",
        phone_number=f"+1{r.randint(200, 989)}555{r.randint(1000, 9999)}",
        street_address=f"{r.randint(10, 9999)} {r.choice(STREETS)}",
        city=city,
        state=state,
        postal_code=f"{zip_prefix}{r.randint(10, 99)}",
        date_of_birth=date(r.randint(1950, 2003), r.randint(1, 12), r.randint(1, 28)),
        tax_id=f"666-{r.randint(10, 99)}-{r.randint(1000, 9999)}",
        employer_name=r.choice(EMPLOYERS),
        employer_address=f"{r.randint(1, 999)} {r.choice(STREETS)}, {city}, {state}",
        document_url=(
            f"https://alpaca-documents.s3.amazonaws.com/{account_id}/identity.pdf"
            f"?X-Amz-Signature={r.getrandbits(128):032x}"
        ),
        ip_address=".".join(str(r.randint(low, high)) for low, high in IP_OCTETS),
    )


def lct_currency(index: int) -> str | None:
    """The currency of the partner's Local Currency Trading accounts (one in ten), else
    None (USD)."""
    if index % LCT_EVERY != LCT_EVERY // 2:
        return None
    return LCT_CURRENCIES[index // LCT_EVERY % len(LCT_CURRENCIES)]


def broker_account(seed: int, index: int) -> BrokerAccountRecord:
    """The `index`-th customer account of the world's Broker API partner."""
    r = rng(seed, ALPACA_BROKER, "account", index)
    account_id = uuid4(r)
    account_type = "margin" if r.random() < 0.6 else "cash"
    multiplier = Decimal(r.choice((2, 4))) if account_type == "margin" else Decimal(1)
    currency = lct_currency(index)
    if currency is not None:  # LCT trades on cash only
        account_type, multiplier = "cash", Decimal(1)
    status = r.choices(("active", "restricted", "closed"), weights=(88, 8, 4))[0]
    account_number = str(r.randint(10**8, 10**9 - 1))
    account = Account(
        account_id=account_id,
        venue=ALPACA_BROKER,
        user_id=account_id,
        connection_id=account_id,
        institution="Alpaca",
        account_number=account_number,
        name=f"Alpaca Brokerage {account_number[-4:]}",
        account_type=account_type,
        multiplier=multiplier,
        status=status,
        base_currency=currency or "USD",
        is_paper=False,
        created_at=_created_at(seed, index),
    )
    return BrokerAccountRecord(account, _profile(r, account_id))
