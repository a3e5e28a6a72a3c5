"""`@points` and `@part`: how a graded test declares what it is worth and what it grades."""

from collections.abc import Callable
from typing import TypeVar

import pytest

F = TypeVar("F", bound=Callable[..., object])


def points(value: float) -> Callable[[F], F]:
    """Give the test `value` points, all or nothing."""
    if value <= 0:
        raise ValueError(f"points must be positive, got {value}")
    return pytest.mark.points(value)  # type: ignore[return-value]


def part(name: str) -> Callable[[F], F]:
    """Assign the test to a part of the assignment (a row of assignment.toml's [parts])."""
    if not name:
        raise ValueError("a part needs a name")
    return pytest.mark.part(name)  # type: ignore[return-value]
