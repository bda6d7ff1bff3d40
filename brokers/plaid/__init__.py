"""Plaid Investments: the investment accounts of the Items (users' logins at institutions)
whose access tokens are configured. Plaid has no orders."""

from brokers.plaid.connector import PlaidConnector
from brokers.plaid.spec import SPEC

__all__ = ["SPEC", "PlaidConnector"]
