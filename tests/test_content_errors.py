"""Each kind of content problem is reported with its file and field, all at once."""

from __future__ import annotations

import pytest

from workshop.content import ContentError, load_content

from content_tree import DIRECTORY_FILE, TINY, write_tree


def problems_for(tmp_path, changes: dict[str, str | None]) -> list[str]:
    files = {**TINY, **{k: v for k, v in changes.items() if v is not None}}
    for rel in [k for k, v in changes.items() if v is None]:
        del files[rel]
    root = write_tree(tmp_path / "content", files)
    with pytest.raises(ContentError) as raised:
        load_content(root, DIRECTORY_FILE)
    return [str(problem) for problem in raised.value.problems]


def edit(rel: str, old: str, new: str) -> dict[str, str]:
    assert old in TINY[rel], f"{old!r} is not in {rel}"
    return {rel: TINY[rel].replace(old, new, 1)}


def test_tiny_tree_is_valid(tiny_root):
    content = load_content(tiny_root, DIRECTORY_FILE)
    assert [m.id for m in content.modules] == ["tiny"]
    assert content.quizzes["tiny-quiz"].questions[0].right_choice_ids == {"tell"}


def test_unknown_key(tmp_path):
    found = problems_for(
        tmp_path, edit("quizzes/tiny-quiz.toml", 'kind = "single"', 'kind = "single"\n        colour = "red"')
    )
    assert found == ["quizzes/tiny-quiz.toml: questions[secret].colour: unknown key"]


def test_missing_field(tmp_path):
    found = problems_for(
        tmp_path, edit("scenarios/tiny-story.toml", 'feedback = "Telling someone is always a good step."', "")
    )
    assert found == ["scenarios/tiny-story.toml: steps[start].choices[tell].feedback: missing"]


def test_wrong_type(tmp_path):
    found = problems_for(
        tmp_path, edit("slides/tiny/module.toml", "duration_minutes = 45", 'duration_minutes = "45"')
    )
    assert found == ["slides/tiny/module.toml: duration_minutes: must be a whole number"]


def test_duplicate_id(tmp_path):
    found = problems_for(tmp_path, edit("quizzes/tiny-quiz.toml", 'id = "keep"', 'id = "tell"'))
    assert "quizzes/tiny-quiz.toml: questions[secret].choices[tell].id: duplicate id 'tell'" in found


def test_choice_leading_to_missing_step(tmp_path):
    found = problems_for(tmp_path, edit("scenarios/tiny-story.toml", 'next = "private"', 'next = "nowhere"'))
    assert (
        "scenarios/tiny-story.toml: steps[start].choices[move].next: leads to a missing step 'nowhere'"
    ) in found


def test_step_no_path_reaches(tmp_path):
    found = problems_for(tmp_path, edit("scenarios/tiny-story.toml", 'next = "stopped"', 'next = "told"'))
    assert found == ["scenarios/tiny-story.toml: steps[stopped]: no path from the start reaches this step"]


def test_scenario_without_ending(tmp_path):
    story = TINY["scenarios/tiny-story.toml"]
    looping = story.split('[[steps]]\n        id = "told"')[0].replace('"told"', '"start"')
    looping = looping.replace('next = "stopped"', 'next = "start"')
    found = problems_for(tmp_path, {"scenarios/tiny-story.toml": looping})
    assert "scenarios/tiny-story.toml: steps: no ending: a scenario needs a step without choices" in found


LOOPING_STORY = """
    id = "tiny-story"
    title = "Round and round"
    summary = "A story with a loop."
    start = "start"

    [[steps]]
    id = "start"
    text = "Lea gets a message."
      [[steps.choices]]
      id = "reply"
      text = "Lea replies."
      next = "loop"
      feedback = "Replying is not wrong."
      [[steps.choices]]
      id = "tell"
      text = "Lea tells her mum."
      next = "end"
      feedback = "Telling someone helps."

    [[steps]]
    id = "loop"
    text = "The chat goes on."
      [[steps.choices]]
      id = "again"
      text = "Again."
      next = "loop"
      feedback = "Round again."

    [[steps]]
    id = "end"
    text = "Her mum helps."
    """


def test_step_from_which_no_ending_is_reached(tmp_path):
    found = problems_for(tmp_path, {"scenarios/tiny-story.toml": LOOPING_STORY})
    assert found == ["scenarios/tiny-story.toml: steps[loop]: no ending can be reached from this step"]


def test_question_without_right_answer(tmp_path):
    found = problems_for(
        tmp_path,
        edit("quizzes/tiny-quiz.toml", 'correct = true\n          feedback = "Yes', 'feedback = "Yes'),
    )
    assert found == [
        "quizzes/tiny-quiz.toml: questions[secret].choices: needs exactly one right "
        "answer (correct = true), has 0"
    ]


def test_poll_with_a_right_answer(tmp_path):
    found = problems_for(
        tmp_path, edit("quizzes/tiny-quiz.toml", 'text = "Yes"', 'text = "Yes"\n          correct = true')
    )
    assert found == [
        "quizzes/tiny-quiz.toml: questions[opinion].choices: a poll has no right answer: remove 'correct'"
    ]


def test_malformed_hours(tmp_path):
    found = problems_for(tmp_path, edit(DIRECTORY_FILE, '"17:00-22:00"', '"5pm-10pm"'))
    assert found == [
        f"{DIRECTORY_FILE}: services[kjt].hours.mon: '5pm-10pm' is not a time span like 09:00-17:00"
    ]


def test_markdown_file_not_in_any_plan(tmp_path):
    found = problems_for(tmp_path, {"slides/tiny/forgotten.md": TINY["slides/tiny/law.md"]})
    assert found == ["slides/tiny/forgotten.md: not in the plan of module.toml"]


def test_plan_names_a_missing_quiz(tmp_path):
    found = problems_for(
        tmp_path, edit("slides/tiny/module.toml", 'quiz = "tiny-quiz"', 'quiz = "lost-quiz"')
    )
    assert found == ["slides/tiny/module.toml: plan[2].quiz: no quiz 'lost-quiz' in quizzes/"]


def test_plan_names_a_missing_slide(tmp_path):
    found = problems_for(tmp_path, {"slides/tiny/law.md": None})
    assert found == ["slides/tiny/module.toml: plan[3].slide: no file slides/tiny/law.md"]


def test_help_must_open_and_close_every_band(tmp_path):
    found = problems_for(tmp_path, edit("slides/tiny/goodbye.md", "help = true", "help = false"))
    assert found == [
        "slides/tiny/module.toml: plan: the last entry for ages 10-12 must be a slide with help = true",
        "slides/tiny/module.toml: plan: the last entry for ages 13-16 must be a slide with help = true",
    ]


def test_slide_without_speaker_notes(tmp_path):
    found = problems_for(tmp_path, edit("slides/tiny/law.md", "???\nExplain the law.", ""))
    assert found == ["slides/tiny/law.md: notes: missing: add a line ??? and the speaker notes below"]


def test_invalid_toml_names_the_file(tmp_path):
    found = problems_for(tmp_path, {"quizzes/tiny-quiz.toml": "id = 'tiny-quiz\n"})
    assert len(found) == 2
    assert found[0].startswith("quizzes/tiny-quiz.toml: not valid TOML:")
    assert found[1] == "slides/tiny/module.toml: plan[2].quiz: no quiz 'tiny-quiz' in quizzes/"


def test_id_must_match_file_name(tmp_path):
    found = problems_for(
        tmp_path, edit("scenarios/tiny-story.toml", 'id = "tiny-story"', 'id = "other-story"')
    )
    assert (
        "scenarios/tiny-story.toml: id: 'other-story' must equal the file or folder name 'tiny-story'"
    ) in found


def test_every_problem_is_listed_at_once(tmp_path):
    changes = {
        **edit("quizzes/tiny-quiz.toml", 'kind = "single"', 'kind = "essay"'),
        **edit(DIRECTORY_FILE, 'phone = "116 111"', 'phone = "call us"'),
        "slides/tiny/forgotten.md": TINY["slides/tiny/law.md"],
    }
    found = problems_for(tmp_path, changes)
    assert any("questions[secret].kind: 'essay' is not one of" in p for p in found)
    assert f"{DIRECTORY_FILE}: services[kjt].phone: 'call us' is not a phone number" in found
    assert "slides/tiny/forgotten.md: not in the plan of module.toml" in found


def test_files_saved_with_a_byte_order_mark_are_read(tmp_path):
    """Old Notepad saves "UTF-8" with a BOM in front: the same content, not a broken file."""
    root = write_tree(tmp_path / "content")
    for rel in ("quizzes/tiny-quiz.toml", "slides/tiny/welcome.md", "guide/facilitator.md"):
        path = root / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    content = load_content(root, DIRECTORY_FILE)
    assert content.quizzes["tiny-quiz"].questions[0].right_choice_ids == {"tell"}
    assert content.guide.startswith("## Before the session")
