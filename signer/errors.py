"""Errors a user sees, with the exit code each one maps to.

Every error that reaches the command line is one of these: one message that says what is wrong
and where, never a traceback. Each class carries its :class:`ExitCode` (as OCRmyPDF's
exceptions do), so the command line never picks a number itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Self


class ExitCode(IntEnum):
    """What a `kinerja` command's exit status means."""

    OK = 0
    FAILED = 1  # a document did not verify, or an evaluation refused one
    BAD_INPUT = 2  # unusable input: a file, a workbook, a passphrase, an option
    MISSING_DEPENDENCY = 3  # a program kinerja needs is not installed (LibreOffice)
    INTERRUPTED = 130  # Ctrl-C; run the same command again to carry on


class KinerjaError(Exception):
    """Base of every error with a message meant for the user."""

    exit_code = ExitCode.BAD_INPUT
    lines: tuple[str, ...] = ()
    """A message of several lines (a header and its problems), line by line: the command line
    prints each made safe, so a line break inside quoted data cannot start a forged line."""

    @classmethod
    def of_lines(cls, lines: Iterable[str]) -> Self:
        """The error whose message is ``lines``, one per line."""
        meant = tuple(lines)
        error = cls("\n".join(meant))
        error.lines = meant
        return error


class InputError(KinerjaError):
    """The input is unusable: a missing or malformed file, a wrong passphrase, a bad option."""


class VerificationFailed(KinerjaError):
    """A document or an evaluation did not pass its checks."""

    exit_code = ExitCode.FAILED


class MissingDependency(KinerjaError):
    """A program kinerja needs is not installed; the message says how to install it."""

    exit_code = ExitCode.MISSING_DEPENDENCY


@dataclass(frozen=True)
class Problem:
    """One problem in a workbook, located by sheet, row and column (1-based, as Excel shows)."""

    sheet: str
    row: int | None
    column: str | None  # the column letter, e.g. "G"
    header: str | None  # the column's header text, e.g. "Target"
    message: str  # what is wrong and what was expected

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}" + (f" ({self.header})" if self.header else ""))
        elif self.header is not None:
            where.append(f"column '{self.header}'")
        return f"{', '.join(where)}: {self.message}"


class WorkbookError(InputError):
    """A workbook with problems; carries every problem found, not only the first."""

    def __init__(self, path: object, problems: Iterable[Problem]):
        self.path = path
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"{path}: {count} problem{'s' if count != 1 else ''} found, nothing was written"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)
