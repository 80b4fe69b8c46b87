"""One error type for a problem in a file, and the list that collects them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a source file: path relative to the project, 1-based line and column (0: the whole file)."""

    source: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.source
        return f"{self.source}:{self.line}:{self.col or 1}"


@dataclass(frozen=True)
class SiteError:
    """A user error or warning at a location, with an optional hint and source excerpt."""

    loc: Location
    message: str
    hint: str = ""
    severity: str = "error"
    excerpt: tuple[tuple[int, str], ...] = ()

    def format(self) -> str:
        """Render as `path:line:col: error: message` plus an optional `hint:` line."""
        text = f"{self.loc}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def sort_key(self) -> tuple:
        """Order errors by file, line and column so output is stable."""
        return (self.loc.source, self.loc.line, self.loc.col, self.message)


class BuildFailed(Exception):
    """Raised when a stage finds user errors; carries every error of the run."""

    def __init__(self, errors: list[SiteError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(set(errors), key=SiteError.sort_key)  # many pages can meet one mistake


@dataclass
class Problems:
    """Collects errors and warnings across a stage instead of stopping at the first."""

    errors: list[SiteError] = field(default_factory=list)
    warnings: list[SiteError] = field(default_factory=list)

    def error(self, loc: Location, message: str, hint: str = "") -> None:
        """Record an error at a location."""
        self.errors.append(SiteError(loc, message, hint))

    def warn(self, loc: Location, message: str, hint: str = "") -> None:
        """Record a warning at a location."""
        self.warnings.append(SiteError(loc, message, hint, severity="warning"))

    def raise_if_any(self) -> None:
        """Stop the build with every error collected so far."""
        if self.errors:
            raise BuildFailed(self.errors)


def excerpt(text: str, line: int, context: int = 2) -> tuple[tuple[int, str], ...]:
    """Return the numbered source lines around a 1-based line."""
    lines = text.splitlines()
    lo, hi = max(1, line - context), min(len(lines), line + context)
    return tuple((n, lines[n - 1]) for n in range(lo, hi + 1))
