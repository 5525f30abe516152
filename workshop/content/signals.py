"""Words and phrases that may point to a disclosure: `signals/<lang>.toml`, read and checked.

A pupil's anonymous question that contains one of them is marked for the presenter, who then
sees what to do now and cannot put it on the projector. Each file lists a language's phrases
and examples that must and must not be marked: `workshop check` and the tests run them, so a
phrase that marks every question, or one that misses what it is there for, is found before a
lesson. A question is checked against every language's list at once: pupils mix languages,
and no language is stored with a question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .fields import Table

if TYPE_CHECKING:
    from .load import _Reader

FOLDER = "signals"
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
LONGEST = 60  # characters: a phrase is a few words, never a sentence


def words(text: str) -> str:
    """Text as phrases are matched: lower case, without accents, words split by single spaces
    ("J'ai envoyé" reads "j ai envoye"), so a pupil's spelling and typing matter less."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def _pattern(phrase: str) -> str:
    """A phrase as a regular expression on `words`: whole words, and a word ending in * matches
    every word that starts with it ("threaten*" marks "threatens" and "threatening")."""
    parts = [re.escape(words(part)) + (r"\w*" if part.endswith("*") else "") for part in phrase.split()]
    return r"(?<!\w)" + " ".join(parts) + r"(?!\w)"


@dataclass(frozen=True)
class SignalList:
    """One language's phrases, and its examples that must and must not be marked."""

    lang: str
    phrases: tuple[str, ...]
    marked: tuple[str, ...]  # examples each must be marked
    not_marked: tuple[str, ...]  # examples none may be marked

    def matches(self, text: str) -> bool:
        return bool(_compiled(self.phrases).search(words(text)))


_patterns: dict[tuple[str, ...], re.Pattern] = {}


def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    if phrases not in _patterns:
        _patterns[phrases] = re.compile("|".join(map(_pattern, phrases)) or r"(?!)")
    return _patterns[phrases]


def may_be_disclosure(signals: dict[str, SignalList], text: str) -> bool:
    """Whether any language's list marks this question."""
    return any(signal_list.matches(text) for signal_list in signals.values())


def read_signals(reader: _Reader) -> dict[str, SignalList]:
    """Every language's list, by language; problems go to the reader's list."""
    lists = [_list(reader, path) for path in reader.files(FOLDER, "*.toml")]
    signals = {signal_list.lang: signal_list for signal_list in lists if signal_list}
    if not signals:
        reader.problems.add(FOLDER, "", "missing: at least one language's signals/<lang>.toml")
    for signal_list in signals.values():
        rel = f"{FOLDER}/{signal_list.lang}.toml"
        for example in signal_list.not_marked:
            marking = [other.lang for other in signals.values() if other.matches(example)]
            if marking:
                reader.problems.add(rel, "not_marked", f"'{example}' is marked by {', '.join(marking)}.toml")
    return signals


def _list(reader: _Reader, path: Path) -> SignalList | None:
    table = reader.toml(path)
    if table is None:
        return None
    if not LANGUAGE.match(path.stem):
        table.problem("", f"'{path.stem}' is not a language code such as en or fr")
    signal_list = SignalList(
        lang=path.stem,
        phrases=table.texts("phrases"),
        marked=table.texts("marked"),
        not_marked=table.texts("not_marked"),
    )
    table.finish()
    _check_phrases(table, signal_list.phrases)
    for example in signal_list.marked:
        if not signal_list.matches(example):
            table.problem("marked", f"'{example}' is not marked by any phrase")
    return signal_list


def _check_phrases(table: Table, phrases: tuple[str, ...]) -> None:
    seen = set()
    for phrase in phrases:
        key = " ".join(phrase.casefold().split())
        if not words(phrase):
            table.problem("phrases", f"'{phrase}' has no letters")
        elif len(phrase) > LONGEST:
            table.problem("phrases", f"'{phrase[:20]}…' is too long: at most {LONGEST} characters")
        elif key in seen:
            table.problem("phrases", f"'{phrase}' is listed twice")
        elif re.search(r"\*(?=\S)|(?<!\w)\*", phrase):
            table.problem("phrases", f"'{phrase}': * goes only at the end of a word")
        seen.add(key)
