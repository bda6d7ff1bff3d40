"""Where a home lives: a local folder, or object storage (`s3://bucket/prefix`, `gs://`,
`az://`). The lake's Delta tables are read and written by delta-rs, which reaches every
one of them itself (credentials from the standard environment: `AWS_*`, `GOOGLE_*`,
`AZURE_*`); the few plain files beside them (the catalog) go through pyarrow's
filesystems, which read the same environment."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pyarrow.fs as pafs
from fsspec.implementations.arrow import ArrowFSWrapper

REMOTE_SCHEMES = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss")


def is_remote(home: str | Path) -> bool:
    return urlparse(str(home)).scheme in REMOTE_SCHEMES


def resolve_home(home: str | Path) -> str:
    """A home as the lake names it: an absolute folder, or the object storage URI."""
    if is_remote(home):
        return str(home).rstrip("/")
    return str(Path(home).expanduser().resolve())


def join(home: str, *parts: str) -> str:
    if is_remote(home):
        return "/".join([home.rstrip("/"), *parts])
    return str(Path(home, *parts))


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem of a remote URI and the path within it. An S3 endpoint
    other than AWS's (MinIO, a test server) comes from `AWS_ENDPOINT_URL`, as for
    delta-rs."""
    scheme = urlparse(uri).scheme
    if scheme in ("s3", "s3a"):
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3")
        options: dict[str, object] = {}
        if endpoint:
            parsed = urlparse(endpoint)
            options = {"endpoint_override": parsed.netloc, "scheme": parsed.scheme or "https"}
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            options["region"] = region
        return pafs.S3FileSystem(**options), uri.split("://", 1)[1]  # type: ignore[arg-type]
    return pafs.FileSystem.from_uri(uri)


class ObjectStore(ArrowFSWrapper):
    """A remote home's filesystem as fsspec presents it, for DuckDB to read the lake's
    Parquet files through (`register_filesystem`) where its httpfs extension cannot be
    loaded."""

    protocol = REMOTE_SCHEMES

    def __init__(self, uri: str) -> None:
        super().__init__(filesystem(uri)[0])


def put_file(local: Path, uri: str) -> None:
    """Upload `local` to `uri` in one request: readers see the old object or the new."""
    fs, path = filesystem(uri)
    with fs.open_output_stream(path) as out, open(local, "rb") as data:
        out.write(data.read())


def get_file(uri: str, local: Path) -> bool:
    """Download `uri` to `local`; False when there is no such object."""
    fs, path = filesystem(uri)
    if fs.get_file_info(path).type == pafs.FileType.NotFound:
        return False
    with fs.open_input_stream(path) as data, open(local, "wb") as out:
        out.write(data.read())
    return True
