"""Routes and phrasings that were corrected and must not come back, in English and in every
language: a table of what a file (or a translated text) must say and must never say.

Each row names the review point it keeps fixed. The facts themselves (numbers, hours, addresses,
the anonymity rule) are checked in test_builtin_content.py; this file keeps the routes a pupil is
sent down: one answer to "Am I in trouble?", one rule for an image a pupil receives, the Stopline
never offered as help to 10-12, a line open at night on the sextortion crisis slide.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from workshop.content import loaded_content
from workshop.settings import PROJECT_ROOT

from helpers import TextOf

# One answer to "Am I in trouble if I sent one?", the same in both modules and the guide.
AM_I_IN_TROUBLE = (
    "Asking for help never gets you into trouble. Whether or not someone pressured you, you "
    "deserve help, not blame."
)
# One rule for an image a pupil receives: it is deleted only when the adult or the police say so.
WHEN_TOLD = "when the adult or the police say so"

# file: (what it must say, what it must never say again). Whitespace is folded before comparing.
ENGLISH = {
    "slides/nudes-and-pressure/what-happens-to-images.md": (
        [AM_I_IN_TROUBLE, "Asking for help never gets you into trouble."],
        [
            "do not promise an outcome either way",
            "If someone pressured you or passed your image on, they did wrong",
        ],
    ),
    "slides/sextortion/never-your-fault.md": (
        ["You are not in trouble for being a victim, or for asking for help."],
        ["You are not in trouble. You deserve help."],
    ),
    "guide/facilitator.md": (
        [
            AM_I_IN_TROUBLE,
            "The police are for reporting, not for this question.",
            "delete the image only " + WHEN_TOLD,
            "the pupil reports it with the app's report button",
            "with their opening hours where the services publish them",
        ],
        [
            "the police Child Protection Unit (12321) can advise",
            "do not promise an outcome either way",
            "If it is in a chat or an app, report it with the app's report button.",
            "directory with their opening hours.",
        ],
    ),
    "slides/abuse-images/what-abuse-images-are.md": (
        ["**The child or young person in the image is never to blame.**", "Coming across one by accident"],
        ["are all offences"],
    ),
    "quizzes/abuse-images.toml": (
        ["a young person who took an image of themselves needs help, not blame"],
        ["Sexual images of anyone under 18 are child sexual abuse images", "Delete that"],
    ),
    "slides/abuse-images/a-classmates-image.md": (
        ["delete the image " + WHEN_TOLD],
        ["and delete it.", "Delete that.", "Then leave the chat", "whose nude was passed on"],
    ),
    "slides/abuse-images/if-you-see-one.md": (
        ["report it in the app first, then leave the chat"],
        ["Close it, and leave the chat"],
    ),
    "scenarios/group-chat.toml": (
        ["notes the name of the chat and of the account, and tells her mum"],
        ["leaves the chat, and tells her mum"],
    ),
    "slides/nudes-and-pressure/forwarding-hurts.md": (
        [
            "4. Delete it " + WHEN_TOLD,
            "screenshot the profile and the messages, not the image",
            "From an adult or a stranger? Keep the chat",
        ],
        ["2. Delete it.", "delete the image either", "do not show it, delete it"],
    ),
    "slides/nudes-and-pressure/module.toml": (["delete the image " + WHEN_TOLD], ["do not forward, delete,"]),
    "quizzes/nudes-and-pressure.toml": (
        ["deletes it " + WHEN_TOLD],
        ["Not forward it, delete it", "It is better to delete it", "I deleted it", "and regrets it"],
    ),
    "scenarios/sofia-and-the-photo.toml": (
        [
            "so that the adults, not Sofia, deal with Tom and the copy on his phone",
            "the police say what Yanis does",
        ],
        [
            "who knows what to do if the photo ever turns up",
            "Yanis deletes the photo",
            "Not forwarding, deleting",
        ],
    ),
    "slides/sextortion/there-is-a-way-out.md": (
        ["**SOS Détresse 45 45 45**", "Friday and Saturday nights until 7am", "Call **112** or **113**"],
        ["whose number is on the help page"],
    ),
    "slides/sextortion/what-to-do.md": (["screenshot only the parts without it"], []),
    "scenarios/noah-under-pressure.toml": (["Noah is not alone with it"], ["The image is never shared"]),
    "scenarios/chiara-reports.toml": (
        [
            "Ms Bernard passes it on to the school's contact person",
            "Nobody at school looks at Zoe's messages",
        ],
        ["Zoe shows her the messages", "Ms Bernard can talk to Zoe"],
    ),
    "slides/getting-help/hoaxes-and-false-accusations.md": ([], ["five years"]),
    "quizzes/getting-help.toml": (
        ["Rui can ask to have his mum", "Someone sends Luca"],
        ["five years", "Rui can have his mum", "Someone sends Ben", "intimate image"],
    ),
    "slides/getting-help/after-a-police-report.md": (
        ["You can ask to have an adult you trust with you."],
        ["You can bring"],
    ),
    "slides/getting-help/keeping-evidence.md": (["a photo of someone without clothes"], ["intimate image"]),
    "slides/getting-help/what-we-learned.md": ([], ["intimate image"]),
    "directory/luxembourg.toml": (
        ["Report web pages with sexual images of children", "It does not take private chats."],
        [],
    ),
}


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", sorted(ENGLISH))
def test_an_english_file_says_what_was_corrected_and_not_what_was_wrong(path):
    text = folded((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    required, forbidden = ENGLISH[path]
    for phrase in required:
        assert folded(phrase) in text, (path, phrase)
    for phrase in forbidden:
        assert folded(phrase) not in text, (path, phrase)


TEACHING_FILES = [
    *PROJECT_ROOT.glob("slides/*/*.md"),
    *PROJECT_ROOT.glob("quizzes/*.toml"),
    *PROJECT_ROOT.glob("scenarios/*.toml"),
    PROJECT_ROOT / "guide" / "facilitator.md",
]
DELETING_AN_IMAGE = re.compile(
    r"\bdelet(?:e|es|ed)\s+(?:it(?! all)|the image|the photo|the video)\b", re.IGNORECASE
)


def test_an_image_a_pupil_receives_is_never_deleted_before_an_adult_or_the_police_say_so():
    """Deleting the image first destroys the evidence an adult or the police need: wherever the
    kit tells someone to delete an image, it says "when the adult or the police say so", or it says
    not to delete it. ("Asking them to delete it" is about asking the sender.)"""
    told = 0
    for path in TEACHING_FILES:
        text = folded(path.read_text(encoding="utf-8"))
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if DELETING_AN_IMAGE.search(sentence):
                allowed = WHEN_TOLD in sentence or re.search(r"\b(not|Asking them)\b", sentence)
                assert allowed, (path.name, sentence)
                told += WHEN_TOLD in sentence
    assert told >= 4


def test_the_stopline_is_not_offered_as_help_to_10_12(app, client):
    """The help box on every slide and story ending is seen by 10-12 too, whose lessons never say
    what the Stopline is for; it stays on the help page, with what it takes."""
    directory = loaded_content(app).directory
    assert "bee-secure-stopline" not in [service.id for service in directory.for_pupils]
    page = client.get("/en/modules/online-friends/10-12/slides/").get_data(as_text=True)
    assert "help-box" in page and "Stopline" not in TextOf(page).text
    help_page = TextOf(client.get("/en/help/").get_data(as_text=True)).text
    assert "web pages with sexual images of children" in help_page


# Each language: what the translation of a text (named by the start of its English msgid) must
# say, in a column per language; what it must never say; then what no text of a language may say.
ONE_ANSWER = {
    "fr": "Demander de l'aide ne vous attire jamais d'ennuis",
    "de": "Wer um Hilfe bittet, bekommt dadurch nie Ärger",
    "lb": "Wann s du ëm Hëllef frees, kriss du dowéinst ni Ierger",
    "pt": "Pedir ajuda nunca vos mete em sarilhos",
}
TRANSLATED = {
    '- **Likely questions.** "Am I in trouble': ONE_ANSWER,
    'If a pupil asks "Am I in trouble': ONE_ANSWER,
    "You are not in trouble for being a victim": {
        "fr": "Être victime ou demander de l'aide",
        "de": "um Hilfe bittest",
        "lb": "ëm Hëllef frees",
        "pt": "por pedires ajuda",
    },
    "1. Do not forward it or show it.": {
        "fr": "4. Supprime-la quand l'adulte ou la police le dit",
        "de": "4. Lösch es, wenn der Erwachsene oder die Polizei es sagt",
        "lb": "4. Läsch et, wann den Erwuessenen oder d'Police et seet",
        "pt": "4. Apaga-a quando o adulto ou a polícia disserem",
    },
    "Feeling desperate, also at night?": {
        "fr": "tous les jours de 15 h à 23 h, et les nuits du vendredi et du samedi jusqu'à 7 h",
        "de": "jeden Tag von 15 bis 23 Uhr, und in den Nächten auf Samstag und Sonntag bis 7 Uhr",
        "lb": "all Dag vu 15 bis 23 Auer",
        "pt": "todos os dias das 15h às 23h, e nas noites de sexta e de sábado até às 7h",
    },
    "Her mum tells the school's contact person": {
        "fr": "et pas Sofia",
        "de": "nicht Sofia",
        "lb": "an net d'Sofia",
        "pt": "e não a Sofia",
    },
    "- Grooming is reported to the **Grand Ducal Police": {"pt": "pede a alguém que se dispa"},
}
IN_EVERY_LANGUAGE = {
    "Feeling desperate, also at night?": ["**SOS Détresse 45 45 45**"],
    "Thinking of hurting yourself": ["**112**", "**113**"],
}
NOT_SAID = {
    '- **Likely questions.** "Am I in trouble': {lang: "12321" for lang in ONE_ANSWER},
    "1. Do not forward it or show it.": {
        "fr": "2. Supprime-la.",
        "de": "2. Lösch es.",
        "lb": "2. Läsch et.",
        "pt": "2. Apaga-a.",
    },
}
NEVER_IN = {
    "fr": ["ou demande de se déshabiller devant la webcam pendant"],
    "de": ["Eine Beratungsstelle wie das KannerJugendtelefon"],
    "lb": ["Menace sinn", "Menace fillen", " e Nacktbild", "ier e ëm", "wann e Iech", "wann e neen"],
    "pt": ["pede para se despir", "não de culpa", "não culpa.", "atrevida"],
}


def catalog(lang):
    with (PROJECT_ROOT / "translations" / lang / "LC_MESSAGES" / "content.po").open("rb") as handle:
        return [message for message in read_po(handle, locale=lang) if message.id]


@pytest.mark.parametrize("lang", sorted(NEVER_IN))
def test_a_translation_says_what_was_corrected_and_not_what_was_wrong(lang):
    messages = catalog(lang)
    for start in {*TRANSLATED, *IN_EVERY_LANGUAGE, *NOT_SAID}:
        required = [*IN_EVERY_LANGUAGE.get(start, ()), *filter(None, [TRANSLATED.get(start, {}).get(lang)])]
        forbidden = NOT_SAID.get(start, {}).get(lang)
        found = [message.string for message in messages if message.id.startswith(start)]
        assert found, (lang, start)
        for text in found:
            for phrase in required:
                assert phrase in text, (lang, start, phrase)
            assert not forbidden or forbidden not in text, (lang, start, forbidden)
    for message in messages:
        for phrase in NEVER_IN[lang]:
            assert phrase not in message.string, (lang, phrase, message.id[:60])
