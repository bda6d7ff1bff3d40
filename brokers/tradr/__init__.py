"""TradrAPI: the accounts one API key (account or user key) covers."""

from brokers.tradr.connector import TradrConnector

__all__ = ["TradrConnector"]
