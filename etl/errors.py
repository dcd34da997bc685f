"""The exception tree. Most bad input is *not* an exception but a ``problems`` row.

    EtlError                      base of everything raised on purpose (exit code 1)
    ├── ConfigError               bad arguments or settings (exit code 2)
    ├── StrictModeError           --strict and the build met problems (exit code 3)
    ├── OutputLockedError         another build holds the output folder (exit code 4)
    ├── WorkersDyingError         worker processes die on file after file (exit code 1)
    └── UnreachableError          a Dask scheduler or an output URL that cannot be reached or
                                  written (exit code 5)

The ``etl`` command also turns an operating-system error (``OSError``: permission denied, disk
full, …) into ``error: <message>`` and exit code 1.

    >>> issubclass(StrictModeError, EtlError)
    True
"""

from __future__ import annotations


class EtlError(Exception):
    """Base class; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class ConfigError(EtlError):
    """Arguments or settings that cannot work, e.g. a date that is not a date."""

    exit_code = 2


class StrictModeError(EtlError):
    """Raised after a ``--strict`` build that recorded problems."""

    exit_code = 3


class OutputLockedError(EtlError):
    """Another build is writing the same output folder."""

    exit_code = 4


class WorkersDyingError(EtlError):
    """Worker processes died on many files in a row, each run alone: the machine or the set-up
    is at fault (memory, a broken install), not those files."""


class UnreachableError(EtlError):
    """A Dask scheduler that does not answer, or an output URL that cannot be listed or written
    (missing credentials, no such bucket, no network)."""

    exit_code = 5
