"""Reproducible performance runs of brokerlake against the sandbox (`make bench`)."""
