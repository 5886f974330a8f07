"""Positions in a netlist, and the errors and warnings that name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Loc:
    """A 1-based position in a netlist source."""

    file: str
    line: int
    col: int

    def shifted(self, offset: int) -> Loc:
        """The position `offset` characters further along the same line."""
        return Loc(self.file, self.line, self.col + offset)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class NetlistError(Exception):
    """One error at one position of a netlist."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(f"{loc}: error: {message}")
        self.loc = loc
        self.message = message

    @property
    def errors(self) -> list[NetlistError]:
        """This error as a one-item list (so callers can treat both error classes alike)."""
        return [self]

    def __str__(self) -> str:
        return f"{self.loc}: error: {self.message}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NetlistError) and (self.loc, self.message) == (other.loc, other.message)

    def __hash__(self) -> int:
        return hash((self.loc, self.message))


class NetlistErrors(Exception):
    """Several errors found in one pass; `str()` gives one line per error."""

    def __init__(self, errors: Iterable[NetlistError]) -> None:
        unique: list[NetlistError] = []
        for error in errors:
            if error not in unique:
                unique.append(error)
        if not unique:
            raise ValueError("NetlistErrors needs at least one error")
        self.errors = unique
        super().__init__(str(self))

    @property
    def loc(self) -> Loc:
        """The position of the first error."""
        return self.errors[0].loc

    @property
    def message(self) -> str:
        """The message of the first error."""
        return self.errors[0].message

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass(frozen=True)
class NetlistWarning:
    """A warning at one position of a netlist."""

    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.loc}: warning: {self.message}"


class ErrorSink:
    """Collects errors so one pass can report several; `raise_if_any` ends the pass."""

    def __init__(self) -> None:
        self.errors: list[NetlistError] = []

    def add(self, loc: Loc, message: str) -> None:
        """Record one error."""
        self.errors.append(NetlistError(loc, message))

    def extend(self, error: NetlistError | NetlistErrors) -> None:
        """Record the error(s) carried by a raised exception."""
        self.errors.extend(error.errors)

    def raise_if_any(self) -> None:
        """Raise NetlistErrors if anything was recorded."""
        if self.errors:
            raise NetlistErrors(self.errors)
