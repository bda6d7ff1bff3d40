"""Talking to broker APIs, no Dagster: the shared HTTP transport, then one package per broker."""
