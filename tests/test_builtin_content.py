"""The content the kit ships: it loads, every page renders, and its facts match the sources."""

from __future__ import annotations

import re

from workshop.content import loaded_content
from workshop.settings import PROJECT_ROOT

from helpers import all_public_urls, html_lang, signed_in

# Luxembourg's services as childprotection.lu lists them (see the reference sources); 112 and
# 113 are the country's emergency numbers.
REFERENCE_PHONES = {
    "police-emergency": "113",
    "emergency": "112",
    "kjt": "116 111",
    "bee-secure-helpline": "8002-1234",
    "police-child-protection": "12321",
    "alupse": "26 18 48 1",
    "sos-detresse": "45 45 45",
    "ork": "26 123 124",
    "one": "247-73696",
    "scas": "47 58 21-1",
    "fed": "40 73 35",
}
REFERENCE_HOURS = {
    "kjt": {
        "mon": (("17:00", "22:00"),),
        "tue": (("14:00", "22:00"),),
        "wed": (("17:00", "22:00"),),
        "thu": (("14:00", "22:00"),),
        "fri": (("17:00", "22:00"),),
        "sat": (("14:00", "20:00"),),
    },
    "alupse": {day: (("09:00", "17:00"),) for day in ("mon", "tue", "wed", "thu", "fri")},
    "sos-detresse": {
        **{day: (("15:00", "23:00"),) for day in ("mon", "tue", "wed", "thu", "sun")},
        "fri": (("15:00", "07:00"),),
        "sat": (("15:00", "07:00"),),
    },
}


def test_directory_matches_the_reference(app):
    directory = loaded_content(app).directory
    services = {service.id: service for service in directory.services}
    assert {sid: s.phone for sid, s in services.items() if s.phone} == REFERENCE_PHONES
    for sid, hours in REFERENCE_HOURS.items():
        assert {day.weekday: day.spans for day in services[sid].hours} == hours, sid
    assert services["bee-secure-stopline"].anonymous is True
    assert services["bee-secure-stopline"].website == "https://stopline.bee-secure.lu"
    assert services["police-child-protection"].anonymous is False
    assert [s.id for s in directory.in_order[:2]] == ["police-emergency", "emergency"]


# Numbers in the content that are not phone numbers: Penal Code articles, a fine, age bands.
NOT_PHONES = {"385-2", "383", "384", "140", "443", "251", "10-12", "13-16"}
PHONE_LIKE = re.compile(r"(?<![\w.,])(\d{2,4}(?:[ -]\d{1,6})+|\d{3,6})(?!\w|[.,]\d)")


def teaching_files():
    return [
        *PROJECT_ROOT.glob("slides/*/*.md"),
        *PROJECT_ROOT.glob("slides/*/module.toml"),
        *PROJECT_ROOT.glob("quizzes/*.toml"),
        *PROJECT_ROOT.glob("scenarios/*.toml"),
        PROJECT_ROOT / "guide" / "facilitator.md",
    ]


def test_every_phone_number_in_the_content_is_a_reference_number():
    known = set(REFERENCE_PHONES.values())
    found = set()
    for path in teaching_files():
        for number in PHONE_LIKE.findall(path.read_text(encoding="utf-8")):
            if not re.fullmatch(r"(19|20)\d\d", number):  # a year
                assert number in known | NOT_PHONES, (path.name, number)
                found.add(number)
    assert {"116 111", "12321", "113"} <= found


def test_every_builtin_public_page_renders_with_help(app):
    client = signed_in(app)  # the answer key is the presenter's on a running server
    urls = all_public_urls(app)
    assert len(urls) >= 25
    for url in urls[1:]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert html_lang(html) == url.split("/")[1], url
        assert 'class="help-link"' in html, url


def test_the_law_slide_quotes_the_reference(app):
    law = loaded_content(app).modules_by_id["online-friends"].slides_by_id["the-law"].body
    for fact in (
        "385-2",
        "2011",
        "under 16",
        "one month to three years",
        "251 to 50,000 euros",
        "one to five years",
        "75,000 euros",
    ):
        assert fact in law, fact


# Web addresses the content may write out: the reference's (SRC:92, :104, :147), and Take It
# Down's own address, which the reference does not list.
REFERENCE_ADDRESSES = {"stopline.bee-secure.lu", "www.kjt.lu", "www.childprotection.lu"}
TAKE_IT_DOWN = "takeitdown.ncmec.org"
WEB_ADDRESS = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:lu|org|com|net|eu)\b", re.IGNORECASE)


def test_every_web_address_in_the_content_is_exactly_a_known_one():
    found = {address for path in teaching_files() for address in WEB_ADDRESS.findall(path.read_text("utf-8"))}
    assert found == REFERENCE_ADDRESSES | {TAKE_IT_DOWN}


def test_sextortion_names_every_route_on_screen(app):
    slides = loaded_content(app).modules_by_id["sextortion"].slides_by_id
    assert "**12321**" in slides["what-to-do"].body
    removal = slides["getting-images-removed"].body
    assert f"**Take It Down** ({TAKE_IT_DOWN})" in removal and "taken before you were 18" in removal
    assert "web address to the **BEE SECURE Stopline**" in removal


def test_take_it_down_comes_with_its_address_wherever_pupils_read_about_it(app):
    content = loaded_content(app)
    bodies = [
        slide.body for module in content.modules for slide in module.slides if "Take It Down" in slide.body
    ]
    assert len(bodies) >= 2
    for body in bodies:
        assert TAKE_IT_DOWN in body and "taken before you were 18" in body, body


# SRC:64 scopes the one anonymous route to the reports the reference is about, and to websites:
# the kit says it in these words wherever it says which reports can be anonymous.
ANONYMITY_RULE = (
    "of reports about the sexual abuse or exploitation of children, only sexual images of children "
    "found on a website can be reported anonymously"
)


def test_the_anonymity_rule_is_said_the_same_narrow_way_everywhere():
    stated = 0
    for path in teaching_files():
        text = " ".join(path.read_text(encoding="utf-8").replace("*", "").split()).lower()
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if "only" in sentence and "anonym" in sentence:
                assert ANONYMITY_RULE in sentence, (path.name, sentence)
                stated += 1
    assert stated >= 9
