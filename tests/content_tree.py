"""A tiny, valid content tree written inline, which tests copy and then break on purpose."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from workshop.settings import PROJECT_ROOT

SLIDE = """\
+++
title = "{title}"
help = {help}
+++
{body}

???
{notes}
"""

TINY = {
    "slides/tiny/module.toml": """
        id = "tiny"
        title = "A tiny module"
        age_bands = ["10-12", "13-16"]
        duration_minutes = 45
        summary = "A module for tests."
        learning_goals = ["Pupils know where help is."]
        content_warning = "Talks about online friends."

        [[plan]]
        slide = "welcome"

        [[plan]]
        quiz = "tiny-quiz"

        [[plan]]
        slide = "law"
        age_bands = ["13-16"]

        [[plan]]
        scenario = "tiny-story"

        [[plan]]
        slide = "goodbye"
        """,
    "slides/tiny/welcome.md": SLIDE.format(
        title="Welcome", help="true", body="Hello class.", notes="Say hello."
    ),
    "slides/tiny/law.md": SLIDE.format(
        title="The law", help="false", body="Art. 385-2.", notes="Explain the law."
    ),
    "slides/tiny/goodbye.md": SLIDE.format(
        title="Goodbye", help="true", body="Help is here.", notes="Point at the numbers."
    ),
    "quizzes/tiny-quiz.toml": """
        id = "tiny-quiz"
        title = "Tiny quiz"

        [[questions]]
        id = "secret"
        kind = "single"
        text = "A new online friend asks Lea to keep a secret. What could Lea do?"

          [[questions.choices]]
          id = "tell"
          text = "Tell an adult she trusts."
          correct = true
          feedback = "Yes: a trusted adult can help."

          [[questions.choices]]
          id = "keep"
          text = "Keep the secret."
          feedback = "Secrets like this are a warning sign."

        [[questions]]
        id = "signs"
        kind = "multiple"
        text = "Which are warning signs?"

          [[questions.choices]]
          id = "gifts"
          text = "Gifts"
          correct = true
          feedback = "Gifts can build pressure."

          [[questions.choices]]
          id = "secrets"
          text = "Asking for secrets"
          correct = true
          feedback = "Secrets cut you off from help."

          [[questions.choices]]
          id = "homework"
          text = "Talking about homework"
          feedback = "That alone is ordinary."

        [[questions]]
        id = "your-fault"
        kind = "true_false"
        text = "If someone tricks you online, it is your fault."

          [[questions.choices]]
          id = "true"
          text = "True"
          feedback = "No: it is never your fault."

          [[questions.choices]]
          id = "false"
          text = "False"
          correct = true
          feedback = "Right: the adult is responsible."

        [[questions]]
        id = "opinion"
        kind = "poll"
        text = "Is it easy to tell an adult?"
        age_bands = ["13-16"]

          [[questions.choices]]
          id = "yes"
          text = "Yes"
          feedback = "Good to hear."

          [[questions.choices]]
          id = "no"
          text = "No"
          feedback = "Many people feel that way."
        """,
    "scenarios/tiny-story.toml": """
        id = "tiny-story"
        title = "Tiny story"
        summary = "Lea meets someone in a game."
        start = "start"

        [[steps]]
        id = "start"
        text = "Lea meets Max in a game. Max asks to chat in a private app."

          [[steps.choices]]
          id = "tell"
          text = "Lea tells her dad."
          next = "told"
          feedback = "Telling someone is always a good step."

          [[steps.choices]]
          id = "move"
          text = "Lea moves to the private app."
          next = "private"
          feedback = "A private app makes it harder for others to help."

        [[steps]]
        id = "private"
        text = "Max asks for a photo."

          [[steps.choices]]
          id = "block"
          text = "Lea blocks Max and tells her dad."
          next = "told"
          feedback = "Blocking and telling is the right step."

          [[steps.choices]]
          id = "ignore"
          text = "Lea stops replying."
          next = "stopped"
          feedback = "Stopping is good; telling someone is even better."

        [[steps]]
        id = "told"
        title = "Help arrives"
        text = "Her dad helps her keep the messages and report them."

        [[steps]]
        id = "stopped"
        title = "A pause"
        text = "Lea feels better and later talks to her teacher."
        """,
    "directory/test.toml": """
        country = "Luxembourg"
        timezone = "Europe/Luxembourg"

        [[services]]
        id = "police"
        name = "Police emergency"
        helps_with = "Danger now."
        for_whom = "Everyone"
        phone = "113"
        emergency = true
        always_open = true
        featured = true

        [[services]]
        id = "kjt"
        name = "KannerJugendtelefon"
        helps_with = "Someone who listens."
        for_whom = "Children and young people"
        phone = "116 111"
        anonymous = true
        featured = true

          [services.hours]
          mon = ["17:00-22:00"]
          sat = ["14:00-20:00"]
        """,
    "guide/facilitator.md": "## Before the session\n\nAgree on a contact person.\n",
    "signals/en.toml": """
        phrases = ["asking me for", "threaten* me"]
        marked = ["He keeps asking me for photos", "someone is threatening me"]
        not_marked = ["What is grooming?"]
        """,
}

DIRECTORY_FILE = "directory/test.toml"

# The tiny module's before-and-after check, in a file of its own: only the tests of the check
# add it, so the other tests walk the lesson as they always did.
STATEMENTS = {
    "statements/tiny.toml": """
        module = "tiny"
        opens_after = "welcome"

        [[statements]]
        id = "knows-a-number"
        measures = "confidence"
        text = "I know a number I can call if something online worries me."

        [[statements]]
        id = "photo-request"
        measures = "confidence"
        text = "I know what to do if someone online asks me for a photo."

        [[statements]]
        id = "would-tell"
        measures = "help-seeking"
        text = "If something online worried me, I would tell an adult I trust."

        [[statements]]
        id = "knows-the-law"
        measures = "confidence"
        text = "I know where grooming can be reported."
        age_bands = ["13-16"]
        """,
}


def write_tree(root: Path, files: dict[str, str] = TINY) -> Path:
    """Write `files` below root (paths relative, texts dedented) and return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def copy_builtin(root: Path) -> Path:
    """A copy of the shipped content, for tests that change it."""
    for folder in ("slides", "quizzes", "scenarios", "statements", "signals", "directory", "guide"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root
