"""Problems are data: a thing that could not be read or resolved becomes a row, not a crash.

    >>> Problem("a.txt", None, None, "ingest", "error", "empty_file", "file is empty").code
    'empty_file'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One row of the ``problems`` table."""

    input_file: str | None
    line: int | None
    article_id: str | None
    stage: str
    severity: str  # "error" | "warning"
    code: str
    message: str

    def as_row(self) -> dict[str, Any]:
        """The problem as a ``problems`` table row."""
        return asdict(self)
