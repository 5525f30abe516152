"""Teaching content: read from files once, checked in full, kept in immutable records."""

from .fields import ContentError, Problem
from .load import load_content
from .model import AGE_BANDS, Content, Module, Question, Quiz, Scenario, Service, Slide, Step

__all__ = [
    "AGE_BANDS",
    "Content",
    "ContentError",
    "Module",
    "Problem",
    "Question",
    "Quiz",
    "Scenario",
    "Service",
    "Slide",
    "Step",
    "load_content",
]
