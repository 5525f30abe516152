"""Checks across records: branching that goes nowhere, plans naming what does not exist."""

from __future__ import annotations

from .fields import Problems
from .model import Module, PlanKind, Quiz, Scenario


def check_scenario(problems: Problems, file: str, scenario: Scenario) -> None:
    """Every choice leads somewhere, every step is reached, every path can end."""
    steps = scenario.steps_by_id
    if scenario.start and scenario.start not in steps:
        problems.add(file, "start", f"no step '{scenario.start}'")
    for step in scenario.steps:
        for choice in step.choices:
            if choice.next and choice.next not in steps:
                problems.add(
                    file,
                    f"steps[{step.id}].choices[{choice.id}].next",
                    f"leads to a missing step '{choice.next}'",
                )
    if not any(step.is_ending for step in scenario.steps):
        problems.add(file, "steps", "no ending: a scenario needs a step without choices")
    if scenario.start not in steps:
        return
    reached = {step.id for step in scenario.walk()}
    for step in scenario.steps:
        if step.id not in reached:
            problems.add(file, f"steps[{step.id}]", "no path from the start reaches this step")
    for step_id in reached - _can_end(scenario):
        problems.add(file, f"steps[{step_id}]", "no ending can be reached from this step")


def _can_end(scenario: Scenario) -> set[str]:
    """Ids of the steps from which some path reaches an ending."""
    ending = {step.id for step in scenario.steps if step.is_ending}
    # Grow the set backwards from the endings until nothing is added: a loop in the story
    # (A leads to B, B back to A) is then reported instead of making this walk forever.
    grew = True
    while grew:
        before = len(ending)
        ending |= {s.id for s in scenario.steps if any(c.next in ending for c in s.choices)}
        grew = len(ending) > before
    return ending


def check_modules(
    problems: Problems, modules: tuple[Module, ...], quizzes: dict[str, Quiz], scenarios: dict[str, Scenario]
) -> None:
    """Every plan names quizzes and scenarios that exist, and opens and closes with help."""
    known = {PlanKind.QUIZ: quizzes, PlanKind.SCENARIO: scenarios}
    folders = {PlanKind.QUIZ: "quizzes/", PlanKind.SCENARIO: "scenarios/"}
    for module in modules:
        file = f"slides/{module.id}/module.toml"
        for index, item in enumerate(module.plan):
            if item.kind in known and item.ref and item.ref not in known[item.kind]:
                problems.add(
                    file,
                    f"plan[{index + 1}].{item.kind}",
                    f"no {item.kind} '{item.ref}' in {folders[item.kind]}",
                )
        for band in module.age_bands:
            _check_help_at_ends(problems, file, module, band)


def _check_help_at_ends(problems: Problems, file: str, module: Module, band: str) -> None:
    """Where to get help opens and closes every lesson, whatever the age band."""
    plan = module.plan_for(band)
    for position, item in (("first", plan[:1]), ("last", plan[-1:])):
        slide = module.slides_by_id.get(item[0].ref) if item and item[0].kind == PlanKind.SLIDE else None
        if not (slide and slide.help):
            problems.add(
                file, "plan", f"the {position} entry for ages {band} must be a slide with help = true"
            )
