"""The before-and-after check's statements: `statements/<module-id>.toml`, read and checked.

A module's statements are rated by pupils near the start of a live lesson and again at the
end, with the same words. The rules here keep them usable as a measure: 3 to 5 for each age
band, short enough for a phone, and covering what pupils feel able to do and whether they would
seek help. A statement no longer asked moves to `[[retired]]` with its words, so that answers
stored under its id still read in the class's figures and the season report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .fields import Table, unique_ids
from .model import AGE_BANDS, MEASURES, RETIRED_MEASURES, BeforeAfterCheck, Module, PlanKind, Statement

if TYPE_CHECKING:
    from .load import _Reader

FOLDER = "statements"
FEWEST, MOST = 3, 5
LONGEST = 120  # characters: a statement is read on a phone, next to a five-word scale


def read_before_after(reader: _Reader, modules: tuple[Module, ...]) -> dict[str, BeforeAfterCheck]:
    """Every statements file, by module id; problems go to the reader's list."""
    modules_by_id = {module.id: module for module in modules}
    checks = (_check(reader, path, modules_by_id) for path in reader.files(FOLDER, "*.toml"))
    return {check.module_id: check for check in checks if check}


def _check(reader: _Reader, path: Path, modules_by_id: dict[str, Module]) -> BeforeAfterCheck | None:
    table = reader.toml(path)
    if table is None:
        return None
    module_id = table.identifier("module")
    if module_id and module_id != path.stem:
        table.problem("module", f"'{module_id}' must equal the file name '{path.stem}'")
    module = modules_by_id.get(module_id)
    if module_id and module is None:
        table.problem("module", f"no module '{module_id}' in slides/")
    bands = module.age_bands if module else AGE_BANDS
    check = BeforeAfterCheck(
        module_id=module_id,
        opens_after=table.identifier("opens_after"),
        statements=tuple(_statement(reader, t, bands) for t in table.tables("statements")),
        retired=tuple(_retired(t) for t in table.tables("retired", required=False)),
    )
    unique_ids(reader.problems, table.file, "statements", [s.id for s in check.statements + check.retired])
    table.finish()
    if module:
        for band in module.age_bands:
            _check_band(table, module, check, band)
    return check


def _statement(reader: _Reader, table: Table, bands: tuple[str, ...]) -> Statement:
    statement = Statement(
        id=table.identifier(),
        measures=_measures(table, MEASURES),
        text=table.text("text"),
        age_bands=reader.bands(table, bands),
    )
    if len(statement.text) > LONGEST:
        table.problem("text", f"too long for a phone: {len(statement.text)} characters, at most {LONGEST}")
    table.finish()
    return statement


def _retired(table: Table) -> Statement:
    """A statement earlier seasons asked: its id and words, to read the figures stored with it."""
    statement = Statement(
        id=table.identifier(),
        measures=_measures(table, RETIRED_MEASURES),
        text=table.text("text"),
        retired=True,
    )
    table.finish()
    return statement


def _measures(table: Table, allowed: tuple[str, ...]) -> str:
    measures = table.text("measures")
    if measures and measures not in allowed:
        table.problem("measures", f"'{measures}' is not one of {', '.join(allowed)}")
    return measures


def _check_band(table: Table, module: Module, check: BeforeAfterCheck, band: str) -> None:
    """Each age band gets a full check, opening at a slide its lesson has."""
    statements = check.for_band(band)
    if not FEWEST <= len(statements) <= MOST:
        table.problem("statements", f"ages {band} need {FEWEST} to {MOST} statements, have {len(statements)}")
    missing = [m for m in MEASURES if m not in {s.measures for s in statements}]
    if statements and missing:
        table.problem("statements", f"ages {band} have no statement that measures {', '.join(missing)}")
    plan = module.plan_for(band)
    slides = [item.ref for item in plan[:-1] if item.kind == PlanKind.SLIDE]
    if check.opens_after and check.opens_after not in slides:
        table.problem(
            "opens_after",
            f"no slide '{check.opens_after}' before the last entry of the plan for ages {band} "
            f"in slides/{module.id}/module.toml",
        )
