"""Problem rows kept in order in bounded memory: a file of a million bad lines has a million
``problems`` rows, held as a few thousand at a time, the rest in an anonymous temporary file.

    spool = ProblemSpool()
    spool.extend(problems)          # Problem records, in order
    [t.num_rows for t in spool.tables()]   # [4096, 4096, …, 1808]: the same rows, as Arrow
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO

import pyarrow as pa

from etl.io.parquet import to_arrow
from etl.problems import Problem

# Rows held as Python records before they go to disk as Arrow: ~2 MB, and no file at all for
# the usual file with a handful of problems.
HELD_ROWS = 4096


class ProblemSpool:
    """Problem records in the order given; past ``HELD_ROWS`` they are written to a temporary
    file (zstd Arrow IPC) and read back by ``tables``. ``codes`` counts every row's code."""

    def __init__(self) -> None:
        self._held: list[Problem] = []
        self._file: IO[bytes] | None = None
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None
        self.codes: Counter[str] = Counter()

    def extend(self, problems: Iterable[Problem]) -> None:
        """Add problems after those given before."""
        for problem in problems:
            self._held.append(problem)
            self.codes[problem.code] += 1
        if len(self._held) >= HELD_ROWS:
            self._spill()

    def __len__(self) -> int:
        return self.codes.total()

    def _spill(self) -> None:
        table = to_arrow("problems", [p.as_row() for p in self._held])
        if self._writer is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by tables()/close()
            self._writer = pa.ipc.new_stream(self._file, table.schema,
                                             options=pa.ipc.IpcWriteOptions(compression="zstd"))
        self._writer.write_table(table)
        self._held = []

    def tables(self) -> Iterator[pa.Table]:
        """Every row given, in order, a few thousand at a time (once: the spool is then empty)."""
        try:
            if self._writer is not None and self._file is not None:
                self._writer.close()
                self._file.seek(0)
                for batch in pa.ipc.open_stream(self._file):
                    yield pa.Table.from_batches([batch])
            if self._held:
                yield to_arrow("problems", [p.as_row() for p in self._held])
        finally:
            self.close()

    def close(self) -> None:
        """Forget every row (and the temporary file)."""
        if self._file is not None:
            self._file.close()
        self._file, self._writer, self._held = None, None, []
