"""SnapTrade: one API key, many end users, each with connections and accounts."""
