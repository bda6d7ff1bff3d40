"""TradrAPI: the accounts one API key (account or user key) covers."""

from brokers.tradr.connector import TradrConnector
from brokers.tradr.spec import SPEC

__all__ = ["SPEC", "TradrConnector"]
