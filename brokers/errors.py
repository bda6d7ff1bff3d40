"""Errors a source can raise, worded in the user's terms and free of secrets."""

from __future__ import annotations


class SourceError(Exception):
    """Something went wrong reading one source; names the source and, where known, the call."""

    def __init__(
        self,
        source: str,
        message: str,
        *,
        endpoint: str | None = None,
        status: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.source = source
        self.endpoint = endpoint
        self.status = status
        self.detail = detail  # the broker's own error text (redacted), where it gave one
        where = f" ({endpoint})" if endpoint else ""
        super().__init__(f"source {source!r}{where}: {message}")


class CredentialsRejected(SourceError):
    """The API refused the source's credentials (HTTP 401/403)."""


class AccessDenied(CredentialsRejected):
    """The credentials are valid but do not reach what was asked: an account outside the
    key's scope, or this machine outside the key's IP allow-list."""


class BrokerHTTPError(SourceError):
    """The API answered with an error status that retrying did not cure."""


class StreamCut(BrokerHTTPError):
    """A stream the API had started ended before its end (a dropped connection, a read
    timeout): what was read stands, the rest must be asked for again."""


class PayloadError(SourceError):
    """The API answered 200 with a body that is not the JSON the connector expects."""


class PagingError(SourceError):
    """A paginator could not make progress without skipping or repeating rows."""


class ConfigError(ValueError):
    """sources.yaml (or the built-in sources) is invalid: one line per problem, each naming
    the file, the source and the field, and saying what to do."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(problems))
