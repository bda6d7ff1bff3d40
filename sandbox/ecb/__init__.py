"""The European Central Bank's euro foreign exchange reference rates, as the ECB serves
them (`/stats/eurofxref/eurofxref-daily.xml`, `-hist-90d.xml`, `-hist.xml`), with
deterministic rates for every currency it quotes."""

from sandbox.ecb.app import PREFIX, build_app, describe
from sandbox.ecb.rates import CURRENCIES, published_days, rate_on

__all__ = ["CURRENCIES", "PREFIX", "build_app", "describe", "published_days", "rate_on"]
