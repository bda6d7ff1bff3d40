"""Looking for values that must not be stored (secrets, personal data) in files and text.

Many thousands of values are searched at once with one regular expression built as a
trie, so a scan costs about one pass over the data however many values there are.
Parquet is compressed on disk, so its values are read and searched too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl


def _trie_pattern(values: Iterable[str]) -> str:
    trie: dict = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}  # a value ends here

    def render(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return render(trie)


class Needles:
    """A set of values to find (values of fewer than four characters are refused: they
    would match ordinary text)."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = sorted(set(values))
        short = [v for v in self.values if len(v) < 4]
        if short or not self.values:
            raise ValueError(f"needles must be at least four characters: {short[:3]}")
        pattern = _trie_pattern(self.values)
        self._text = re.compile(pattern)
        self._bytes = re.compile(pattern.encode())

    def in_text(self, text: str) -> str | None:
        match = self._text.search(text)
        return match.group() if match else None

    def in_file(self, path: Path) -> str | None:
        """The first value found in the file's bytes or, for Parquet, its values."""
        match = self._bytes.search(path.read_bytes())
        if match:
            return match.group().decode(errors="replace")
        if path.suffix == ".parquet":
            return self.in_text(pl.read_parquet(path).cast(pl.String).write_csv())
        return None

    def in_tree(self, *roots: Path) -> list[tuple[Path, str]]:
        """(file, value) for every file under the roots that holds one of the values."""
        found = []
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.is_file() and (value := self.in_file(path)) is not None:
                    found.append((path, value))
        return found
