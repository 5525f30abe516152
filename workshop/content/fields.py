"""Reading TOML tables field by field, collecting every problem instead of stopping at one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, named by file and field so an author can find it."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised once, with the whole list, when the content cannot be used."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Problems(list):
    """Every problem found so far, in the order the files were read."""

    def add(self, file: str, field: str, message: str) -> None:
        self.append(Problem(file, field, message))


class Table:
    """A TOML table being read: typed getters that record problems and remember used keys."""

    def __init__(self, problems: Problems, file: str, values: Any, path: str = ""):
        self.problems, self.file, self.path = problems, file, path
        self.values = values if isinstance(values, dict) else {}
        if not isinstance(values, dict):
            self.problem("", "must be a table")
        self.used: set[str] = set()

    def field(self, key: str) -> str:
        """A key's full name for messages, as an author finds it: `questions[secret].kind`."""
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str) -> None:
        """Record a problem with one key of this table (an empty key: the table itself)."""
        self.problems.add(self.file, self.field(key) if key else self.path, message)

    def _get(self, key: str, kind: type | tuple[type, ...], required: bool, default: Any) -> Any:
        self.used.add(key)
        if key not in self.values:
            if required:
                self.problem(key, "missing")
            return default
        value = self.values[key]
        # In Python a bool is an int: `order = true` must not pass for a number.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(key, f"must be {_describe(kind)}")
            return default
        return value

    def text(self, key: str, required: bool = True) -> str:
        """A text, stripped; a required one must not be blank."""
        value = self._get(key, str, required, "")
        if required and key in self.values and isinstance(value, str) and not value.strip():
            self.problem(key, "must not be empty")
        return value.strip()

    def identifier(self, key: str = "id") -> str:
        """An id as URLs and answers use it: lowercase letters, digits and hyphens."""
        value = self.text(key)
        if value and not ID_PATTERN.match(value):
            self.problem(key, f"'{value}' is not an id (lowercase letters, digits, hyphens)")
        return value

    def flag(self, key: str, default: bool | None = False) -> bool | None:
        """true or false, or the default where the key is left out."""
        return self._get(key, bool, False, default)

    def integer(self, key: str, required: bool = True, default: int = 0) -> int:
        """A whole number."""
        return self._get(key, int, required, default)

    def texts(self, key: str, required: bool = True) -> tuple[str, ...]:
        """A list of texts, each stripped and none blank."""
        values = self._get(key, list, required, [])
        if any(not isinstance(v, str) or not v.strip() for v in values):
            self.problem(key, "must be a list of texts")
            return ()
        if required and key in self.values and not values:
            self.problem(key, "must not be empty")
        return tuple(v.strip() for v in values)

    def tables(self, key: str, required: bool = True) -> list[Table]:
        """An array of tables, each named in messages by its id (or its position)."""
        values = self._get(key, list, required, [])
        if required and key in self.values and not values:
            self.problem(key, "must not be empty")
        return [
            Table(self.problems, self.file, value, f"{self.field(key)}[{_label(value, i)}]")
            for i, value in enumerate(values)
        ]

    def table(self, key: str) -> Table | None:
        """A sub-table, or None where the key is left out."""
        if key not in self.values:
            self.used.add(key)
            return None
        self._get(key, dict, True, {})
        return Table(self.problems, self.file, self.values[key], self.field(key))

    def finish(self) -> None:
        """Report keys nobody asked for: an unknown key is a typo until proven otherwise."""
        for key in self.values:
            if key not in self.used:
                self.problem(key, "unknown key")


def unique_ids(problems: Problems, file: str, path: str, ids: list[str]) -> None:
    """Record each id used twice in one list: answers refer to ids, so two must never be equal."""
    seen: set[str] = set()
    for item_id in ids:
        if item_id and item_id in seen:
            problems.add(file, f"{path}[{item_id}].id", f"duplicate id '{item_id}'")
        seen.add(item_id)


def _label(value: Any, index: int) -> str:
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return value["id"]
    return str(index + 1)


def _describe(kind: type | tuple[type, ...]) -> str:
    names = {str: "a text", bool: "true or false", int: "a whole number", list: "a list", dict: "a table"}
    return names.get(kind, str(kind))
