"""A module's lesson plan for one age band, laid out as the slides the projector shows."""

from __future__ import annotations

from dataclasses import dataclass

from .content import Content, Module, Question, Quiz, Scenario, Slide, Step


@dataclass(frozen=True)
class DeckSlide:
    """One projector slide: a written slide, a quiz question, or a scenario step."""

    kind: str
    slide: Slide | None = None
    quiz: Quiz | None = None
    question: Question | None = None
    scenario: Scenario | None = None
    step: Step | None = None


def build_deck(content: Content, module: Module, band: str) -> tuple[DeckSlide, ...]:
    """Quizzes become one slide per question, scenarios one slide per step met on the way."""
    deck: list[DeckSlide] = []
    for item in module.plan_for(band):
        if item.kind == "slide":
            deck.append(DeckSlide("slide", slide=module.slides_by_id[item.ref]))
        elif item.kind == "quiz":
            quiz = content.quizzes[item.ref]
            deck += [DeckSlide("question", quiz=quiz, question=q) for q in quiz.for_band(band)]
        else:
            scenario = content.scenarios[item.ref]
            deck += [DeckSlide("step", scenario=scenario, step=s) for s in scenario.walk()]
    return tuple(deck)


def bands_using(module_list: tuple[Module, ...], kind: str, ref: str) -> tuple[str, ...]:
    """The age bands for which some module's plan includes this quiz or scenario."""
    bands = {
        band
        for module in module_list
        for item in module.plan
        if item.kind == kind and item.ref == ref
        for band in item.age_bands
    }
    return tuple(sorted(bands))
