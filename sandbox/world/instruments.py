"""The fixed universe of instruments every account trades, with their base prices.

Canadian listings form a second universe, in CAD. The universe does not depend on the
seed (asset ids are global at a broker); the seed only moves prices. Option and future
prices are per contract (premium x 100, index points x 50), so a position's market value
is always quantity x price. Options spreads pair each option with a second strike of its
underlying (`SPREAD_PAIRS`); the E-mini future is held at Interactive Brokers.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.world.model import Instrument
from sandbox.world.randomness import rng, uuid4

# symbol, kind, exchange, name, base price (USD)
_UNIVERSE: tuple[tuple[str, str, str, str, str], ...] = (
    ("AAPL", "equity", "NASDAQ", "Apple Inc. Common Stock", "189.50"),
    ("MSFT", "equity", "NASDAQ", "Microsoft Corporation Common Stock", "415.20"),
    ("AMZN", "equity", "NASDAQ", "Amazon.com, Inc. Common Stock", "178.30"),
    ("GOOGL", "equity", "NASDAQ", "Alphabet Inc. Class A Common Stock", "152.10"),
    ("META", "equity", "NASDAQ", "Meta Platforms, Inc. Class A Common Stock", "498.70"),
    ("NVDA", "equity", "NASDAQ", "NVIDIA Corporation Common Stock", "121.40"),
    ("TSLA", "equity", "NASDAQ", "Tesla, Inc. Common Stock", "242.80"),
    ("NFLX", "equity", "NASDAQ", "Netflix, Inc. Common Stock", "612.00"),
    ("AMD", "equity", "NASDAQ", "Advanced Micro Devices, Inc. Common Stock", "158.90"),
    ("INTC", "equity", "NASDAQ", "Intel Corporation Common Stock", "31.25"),
    ("CSCO", "equity", "NASDAQ", "Cisco Systems, Inc. Common Stock", "49.80"),
    ("PEP", "equity", "NASDAQ", "PepsiCo, Inc. Common Stock", "168.40"),
    ("JPM", "equity", "NYSE", "JPMorgan Chase & Co. Common Stock", "198.60"),
    ("V", "equity", "NYSE", "Visa Inc. Class A Common Stock", "276.10"),
    ("JNJ", "equity", "NYSE", "Johnson & Johnson Common Stock", "152.30"),
    ("WMT", "equity", "NYSE", "Walmart Inc. Common Stock", "68.90"),
    ("PG", "equity", "NYSE", "Procter & Gamble Company Common Stock", "165.70"),
    ("XOM", "equity", "NYSE", "Exxon Mobil Corporation Common Stock", "113.40"),
    ("KO", "equity", "NYSE", "Coca-Cola Company Common Stock", "62.15"),
    ("DIS", "equity", "NYSE", "Walt Disney Company Common Stock", "101.80"),
    ("BA", "equity", "NYSE", "Boeing Company Common Stock", "178.20"),
    ("ORCL", "equity", "NYSE", "Oracle Corporation Common Stock", "127.60"),
    ("SPY", "etf", "ARCA", "SPDR S&P 500 ETF Trust", "521.30"),
    ("QQQ", "etf", "NASDAQ", "Invesco QQQ Trust, Series 1", "447.90"),
    ("IWM", "etf", "ARCA", "iShares Russell 2000 ETF", "205.40"),
    ("VTI", "etf", "ARCA", "Vanguard Total Stock Market ETF", "259.80"),
    ("VOO", "etf", "ARCA", "Vanguard S&P 500 ETF", "478.20"),
    ("GLD", "etf", "ARCA", "SPDR Gold Shares", "215.60"),
    ("TLT", "etf", "NASDAQ", "iShares 20+ Year Treasury Bond ETF", "92.40"),
    ("XLF", "etf", "ARCA", "Financial Select Sector SPDR Fund", "41.70"),
    ("AAPL270115C00200000", "option", "", "AAPL Jan 15 2027 200 Call", "1850.00"),
    ("MSFT270115P00400000", "option", "", "MSFT Jan 15 2027 400 Put", "2420.00"),
    ("SPY261218C00550000", "option", "", "SPY Dec 18 2026 550 Call", "1275.00"),
    ("TSLA270219P00220000", "option", "", "TSLA Feb 19 2027 220 Put", "1960.00"),
    ("NVDA261218C00130000", "option", "", "NVDA Dec 18 2026 130 Call", "845.00"),
    ("BTC/USD", "crypto", "CRYPTO", "Bitcoin / US Dollar", "67250.00"),
    ("ETH/USD", "crypto", "CRYPTO", "Ethereum / US Dollar", "3450.00"),
    ("SOL/USD", "crypto", "CRYPTO", "Solana / US Dollar", "152.40"),
    ("LTC/USD", "crypto", "CRYPTO", "Litecoin / US Dollar", "84.20"),
    ("LINK/USD", "crypto", "CRYPTO", "Chainlink / US Dollar", "17.35"),
)


# Listed in Toronto, traded in CAD: held by the Canadian brokerages' accounts only.
_CAD_UNIVERSE: tuple[tuple[str, str, str, str, str], ...] = (
    ("SHOP.TO", "equity", "TSX", "Shopify Inc.", "104.20"),
    ("RY.TO", "equity", "TSX", "Royal Bank of Canada", "168.35"),
    ("TD.TO", "equity", "TSX", "Toronto-Dominion Bank", "81.90"),
    ("ENB.TO", "equity", "TSX", "Enbridge Inc.", "61.45"),
    ("CNQ.TO", "equity", "TSX", "Canadian Natural Resources Limited", "45.10"),
    ("XIU.TO", "etf", "TSX", "iShares S&P/TSX 60 Index ETF", "38.75"),
    ("VFV.TO", "etf", "TSX", "Vanguard S&P 500 Index ETF", "142.60"),
    ("ZAG.TO", "etf", "TSX", "BMO Aggregate Bond Index ETF", "13.95"),
)


# The second strike of each option's vertical spreads (the same underlying and expiry).
_SPREAD_STRIKES: tuple[tuple[str, str, str, str, str], ...] = (
    ("AAPL270115C00210000", "option", "", "AAPL Jan 15 2027 210 Call", "1420.00"),
    ("MSFT270115P00380000", "option", "", "MSFT Jan 15 2027 380 Put", "1640.00"),
    ("SPY261218C00560000", "option", "", "SPY Dec 18 2026 560 Call", "905.00"),
    ("TSLA270219P00200000", "option", "", "TSLA Feb 19 2027 200 Put", "1385.00"),
    ("NVDA261218C00140000", "option", "", "NVDA Dec 18 2026 140 Call", "515.00"),
)
# symbol, exchange, name, base price per contract (points x multiplier), multiplier
_FUTURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("ESZ26", "CME", "E-mini S&P 500 Dec 2026", "265000.00", "50"),
)
MULTIPLIER = {"option": Decimal(100)}


def _instrument(
    symbol: str,
    kind: str,
    exchange: str,
    name: str,
    currency: str,
    multiplier: Decimal | None = None,
) -> Instrument:
    return Instrument(
        symbol=symbol,
        kind=kind,
        currency=currency,
        asset_id=uuid4(rng("asset", symbol)),
        exchange=exchange,
        name=name,
        multiplier=multiplier or MULTIPLIER.get(kind, Decimal(1)),
    )


INSTRUMENTS: tuple[Instrument, ...] = tuple(
    _instrument(symbol, kind, exchange, name, "USD")
    for symbol, kind, exchange, name, _ in _UNIVERSE
)
CAD_INSTRUMENTS: tuple[Instrument, ...] = tuple(
    _instrument(symbol, kind, exchange, name, "CAD")
    for symbol, kind, exchange, name, _ in _CAD_UNIVERSE
)
SPREAD_STRIKES: tuple[Instrument, ...] = tuple(
    _instrument(symbol, kind, exchange, name, "USD")
    for symbol, kind, exchange, name, _ in _SPREAD_STRIKES
)
FUTURES: tuple[Instrument, ...] = tuple(
    _instrument(symbol, "future", exchange, name, "USD", Decimal(multiplier))
    for symbol, exchange, name, _, multiplier in _FUTURES
)
BASE_PRICES: dict[str, Decimal] = {
    row[0]: Decimal(row[4]) for row in (*_UNIVERSE, *_CAD_UNIVERSE, *_SPREAD_STRIKES)
} | {symbol: Decimal(price) for symbol, _, _, price, _ in _FUTURES}
BY_KIND: dict[str, tuple[Instrument, ...]] = {
    kind: tuple(i for i in INSTRUMENTS if i.kind == kind)
    for kind in ("equity", "etf", "option", "crypto")
}
# Each option with its second strike: (the option, the other strike).
SPREAD_PAIRS: tuple[tuple[Instrument, Instrument], ...] = tuple(
    zip(BY_KIND["option"], SPREAD_STRIKES, strict=True)
)
