"""Content files -> the content model, with every problem collected before anything runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .checks import check_modules, check_scenario
from .fields import ContentError, Problems, Table, unique_ids
from .model import (
    AGE_BANDS,
    QUESTION_KINDS,
    WEEKDAYS,
    WRITTEN_PLAN_KINDS,
    Choice,
    Content,
    Directory,
    Module,
    OpeningHours,
    PlanItem,
    PlanKind,
    Question,
    Quiz,
    Scenario,
    Service,
    Slide,
    Step,
    StepChoice,
)
from .signals import read_signals
from .statements import read_before_after

TIME_SPAN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
PHONE = re.compile(r"^\+?[0-9][0-9 -]*[0-9]$")
FRONT_MATTER = "+++"
NOTES_MARK = "???"
GUIDE_FILE = "guide/facilitator.md"
ENCODING = "utf-8-sig"  # UTF-8, and also the same with a BOM, as old Notepad saves it


def _curriculum_order(module: Module) -> tuple[int, str]:
    return module.order, module.id


def load_content(root: Path, directory_file: str) -> Content:
    """Read every content file below `root`; raise ContentError listing all problems."""
    reader = _Reader(Path(root))
    quizzes = {q.id: q for q in map(reader.quiz, reader.files("quizzes", "*.toml")) if q}
    scenarios = {s.id: s for s in map(reader.scenario, reader.files("scenarios", "*.toml")) if s}
    modules = tuple(sorted(filter(None, map(reader.module, reader.module_folders())), key=_curriculum_order))
    directory = reader.directory(directory_file)
    guide = reader.markdown_file(GUIDE_FILE)
    before_after = read_before_after(reader, modules)
    signals = read_signals(reader)
    check_modules(reader.problems, modules, quizzes, scenarios)
    if reader.problems:
        raise ContentError(list(reader.problems))
    return Content(modules, quizzes, scenarios, directory, guide, before_after, signals)


class _Reader:
    """Reads the files below one folder and names each problem by its path there, as an author
    sees it; a file that cannot be read gives a problem and None, and reading goes on."""

    def __init__(self, root: Path):
        self.root = root
        self.problems = Problems()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def files(self, folder: str, pattern: str) -> list[Path]:
        # Sorted: the order of a folder's files differs between systems, and problems, lists
        # and catalogs must come out the same everywhere.
        return sorted((self.root / folder).glob(pattern))

    def module_folders(self) -> list[Path]:
        return sorted(p for p in (self.root / "slides").glob("*") if p.is_dir())

    def toml(self, path: Path) -> Table | None:
        rel = self.rel(path)
        try:
            values = tomllib.loads(path.read_text(encoding=ENCODING))
        except FileNotFoundError:
            self.problems.add(rel, "", "missing")
            return None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self.problems.add(rel, "", f"not valid TOML: {error}")
            return None
        return Table(self.problems, rel, values)

    def own_id(self, table: Table, expected: str) -> str:
        """Read `id` and insist it matches the file or folder name that holds it."""
        found = table.identifier()
        if found and found != expected:
            table.problem("id", f"'{found}' must equal the file or folder name '{expected}'")
        return found

    def bands(self, table: Table, allowed: tuple[str, ...] = AGE_BANDS) -> tuple[str, ...]:
        """The age bands a table names; none named means every band allowed there."""
        bands = table.texts("age_bands", required=False)
        for band in bands:
            if band not in allowed:
                table.problem("age_bands", f"'{band}' is not one of {', '.join(allowed)}")
        return bands or allowed

    # Quizzes

    def quiz(self, path: Path) -> Quiz | None:
        table = self.toml(path)
        if table is None:
            return None
        quiz = Quiz(
            id=self.own_id(table, path.stem),
            title=table.text("title"),
            intro=table.text("intro", required=False),
            questions=tuple(self.question(t) for t in table.tables("questions")),
        )
        unique_ids(self.problems, table.file, "questions", [q.id for q in quiz.questions])
        table.finish()
        return quiz

    def question(self, table: Table) -> Question:
        kind = table.text("kind")
        if kind and kind not in QUESTION_KINDS:
            table.problem("kind", f"'{kind}' is not one of {', '.join(QUESTION_KINDS)}")
        choice_tables = table.tables("choices")
        question = Question(
            id=table.identifier(),
            kind=kind,
            text=table.text("text"),
            choices=tuple(self.choice(t) for t in choice_tables),
            age_bands=self.bands(table),
        )
        unique_ids(self.problems, table.file, table.field("choices"), [c.id for c in question.choices])
        self.check_answers(table, question, any("correct" in t.values for t in choice_tables))
        table.finish()
        return question

    def choice(self, table: Table) -> Choice:
        choice = Choice(
            id=table.identifier(),
            text=table.text("text"),
            feedback=table.text("feedback"),
            correct=bool(table.flag("correct")),
        )
        table.finish()
        return choice

    def check_answers(self, table: Table, question: Question, marks_correct: bool) -> None:
        """Each kind of question has its own rule for how many answers are right."""
        right = len(question.right_choice_ids)
        if len(question.choices) == 1:
            table.problem("choices", "needs at least two choices")
        if question.kind == "poll" and marks_correct:
            table.problem("choices", "a poll has no right answer: remove 'correct'")
        elif question.kind in ("single", "true_false") and right != 1:
            table.problem("choices", f"needs exactly one right answer (correct = true), has {right}")
        elif question.kind == "multiple" and right == 0:
            table.problem("choices", "needs at least one right answer (correct = true)")
        if question.kind == "true_false" and {c.id for c in question.choices} != {"true", "false"}:
            table.problem("choices", "a true_false question has two choices, ids 'true' and 'false'")

    # Scenarios

    def scenario(self, path: Path) -> Scenario | None:
        table = self.toml(path)
        if table is None:
            return None
        scenario = Scenario(
            id=self.own_id(table, path.stem),
            title=table.text("title"),
            summary=table.text("summary"),
            start=table.identifier("start"),
            steps=tuple(self.step(t) for t in table.tables("steps")),
        )
        unique_ids(self.problems, table.file, "steps", [s.id for s in scenario.steps])
        table.finish()
        check_scenario(self.problems, table.file, scenario)
        return scenario

    def step(self, table: Table) -> Step:
        choices = table.tables("choices", required=False)
        step = Step(
            id=table.identifier(),
            title=table.text("title", required=False),
            text=table.text("text"),
            choices=tuple(self.step_choice(t) for t in choices),
        )
        unique_ids(self.problems, table.file, table.field("choices"), [c.id for c in step.choices])
        table.finish()
        return step

    def step_choice(self, table: Table) -> StepChoice:
        choice = StepChoice(
            id=table.identifier(),
            text=table.text("text"),
            feedback=table.text("feedback"),
            next=table.identifier("next"),
        )
        table.finish()
        return choice

    # Modules and slides

    def module(self, folder: Path) -> Module | None:
        table = self.toml(folder / "module.toml")
        if table is None:
            return None
        bands = self.bands(table)
        plan = tuple(self.plan_item(t, bands) for t in table.tables("plan"))
        module = Module(
            id=self.own_id(table, folder.name),
            title=table.text("title"),
            summary=table.text("summary"),
            age_bands=bands,
            duration_minutes=table.integer("duration_minutes"),
            learning_goals=table.texts("learning_goals"),
            content_warning=table.text("content_warning"),
            plan=plan,
            slides=self.slides(table, folder, plan),
            order=table.integer("order", required=False),
        )
        table.finish()
        return module

    def plan_item(self, table: Table, module_bands: tuple[str, ...]) -> PlanItem:
        kinds = [kind for kind in WRITTEN_PLAN_KINDS if kind in table.values]
        if len(kinds) != 1:
            table.problem("", "needs exactly one of slide, quiz, scenario")
        kind = kinds[0] if kinds else PlanKind.SLIDE
        item = PlanItem(kind, table.identifier(kind), self.bands(table, module_bands))
        table.finish()
        return item

    def slides(self, table: Table, folder: Path, plan: tuple[PlanItem, ...]) -> tuple[Slide, ...]:
        """Every Markdown file of the folder; each must be in the plan and each slide a file."""
        planned = [item.ref for item in plan if item.kind == PlanKind.SLIDE]
        files = {path.stem: path for path in sorted(folder.glob("*.md"))}
        for stem, path in files.items():
            if stem not in planned:
                self.problems.add(self.rel(path), "", "not in the plan of module.toml")
        for index, item in enumerate(plan):
            if item.kind == PlanKind.SLIDE and item.ref and item.ref not in files:
                table.problem(f"plan[{index + 1}].slide", f"no file {self.rel(folder / (item.ref + '.md'))}")
        slides = (self.slide(path) for stem, path in files.items() if stem in planned)
        return tuple(s for s in slides if s)

    def slide(self, path: Path) -> Slide | None:
        rel = self.rel(path)
        # A file saved on Windows ends its lines with \r\n; the +++ and ??? marks are found by \n.
        source = path.read_text(encoding=ENCODING).replace("\r\n", "\n")
        head, sep, rest = source.removeprefix(FRONT_MATTER + "\n").partition("\n" + FRONT_MATTER)
        if not source.startswith(FRONT_MATTER + "\n") or not sep:
            self.problems.add(rel, "front matter", "must start with a +++ block holding the title")
            return None
        try:
            table = Table(self.problems, rel, tomllib.loads(head))
        except tomllib.TOMLDecodeError as error:
            self.problems.add(rel, "front matter", f"not valid TOML: {error}")
            return None
        body, marked, notes = rest.partition("\n" + NOTES_MARK + "\n")
        slide = Slide(path.stem, table.text("title"), body.strip(), notes.strip(), bool(table.flag("help")))
        table.finish()
        if not slide.body:
            self.problems.add(rel, "body", "empty: write what the class sees")
        if not marked or not slide.notes:
            self.problems.add(rel, "notes", "missing: add a line ??? and the speaker notes below")
        return slide

    # The help directory and the guide

    def directory(self, directory_file: str) -> Directory | None:
        table = self.toml(self.root / directory_file)
        if table is None:
            return None
        directory = Directory(
            country=table.text("country"),
            timezone=table.text("timezone"),
            services=tuple(self.service(t) for t in table.tables("services")),
        )
        unique_ids(self.problems, table.file, "services", [s.id for s in directory.services])
        table.finish()
        return directory

    def service(self, table: Table) -> Service:
        service = Service(
            id=table.identifier(),
            name=table.text("name"),
            helps_with=table.text("helps_with"),
            for_whom=table.text("for_whom"),
            phone=table.text("phone", required=False),
            website=table.text("website", required=False),
            anonymous=table.flag("anonymous", default=None),
            emergency=bool(table.flag("emergency")),
            always_open=bool(table.flag("always_open")),
            featured=bool(table.flag("featured")),
            for_parents=bool(table.flag("for_parents")),
            hours=self.hours(table.table("hours")),
        )
        if not (service.phone or service.website):
            table.problem("", "needs a phone or a website")
        if service.phone and not PHONE.match(service.phone):
            table.problem("phone", f"'{service.phone}' is not a phone number")
        if service.website and not service.website.startswith(("https://", "http://")):
            table.problem("website", "must start with https://")
        if service.always_open and service.hours:
            table.problem("hours", "a service that is always open has no hours")
        table.finish()
        return service

    def hours(self, table: Table | None) -> tuple[OpeningHours, ...]:
        if table is None:
            return ()
        days = []
        for weekday in WEEKDAYS:
            spans = table.texts(weekday, required=False)
            for span in spans:
                if not TIME_SPAN.match(span):
                    table.problem(weekday, f"'{span}' is not a time span like 09:00-17:00")
            if spans:
                days.append(OpeningHours(weekday, tuple(tuple(s.split("-")) for s in spans)))
        table.finish()
        return tuple(days)

    def markdown_file(self, rel: str) -> str:
        path = self.root / rel
        if not path.is_file():
            self.problems.add(rel, "", "missing")
            return ""
        return path.read_text(encoding=ENCODING).strip()


__all__ = ["ContentError", "load_content"]
