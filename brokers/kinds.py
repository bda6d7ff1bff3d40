"""Every broker kind brokerlake reads: the one registration. A new broker is its package
(brokers/<kind>/, exporting SPEC) and one line here."""

from __future__ import annotations

from brokers import alpaca, alpaca_broker, plaid, snaptrade, tradr
from brokers.spec import BrokerSpec

SPECS: tuple[BrokerSpec, ...] = (
    alpaca.SPEC,
    alpaca_broker.SPEC,
    snaptrade.SPEC,
    tradr.SPEC,
    plaid.SPEC,
)
BY_KIND: dict[str, BrokerSpec] = {spec.kind: spec for spec in SPECS}
