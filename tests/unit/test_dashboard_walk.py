"""Every page of every role, in French and in English, says nothing a person cannot read.

Issue 21's "done when": a walk through the dashboard (Streamlit's AppTest, on the in-memory
API of :mod:`dashboard_fake` filled with a drift report and a back-test so that every
section shows) that fails a page when what it shows holds

- a string of the other language: a visible text equal to the other language's value of
  a locale key and not to this language's (an untranslated label, or a key missing from
  this language);
- a dot decimal on a French page (``0.75``: French writes ``0,75``);
- a raw code of the data set: ``XAP``, ``XNA``, ``None``, ``nan``, ``middle``, or a
  Kaggle column name (``AMT_CREDIT``);
- a regular expression (a validation pattern leaking into a message);
- an HTTP verb followed by a route (``GET /clients``).

One test per role, page and language, so a failure names the page to fix. What is read:
titles, texts, alerts, captions, widget labels and options, tab and expander labels,
tables (headers and cells), progress texts, metrics and the charts' titles, axes, legends
and labels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from dashboard_fake import FakeApi, backtest_report, drift_report
from dashboard_session import dashboard, log_in, logged_in, render_view
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import navigation, state
from credit_scoring.dashboard.i18n import catalog

LANGS = ("fr", "en")
USER_OF_ROLE = {"advisor": "alice", "senior": "sam", "analyst": "ana", "admin": "root"}
WALK = [
    pytest.param(role, page, lang, id=f"{role}-{page}-{lang}")
    for role in USER_OF_ROLE
    for page in state.ROLE_PAGES[role]
    for lang in LANGS
]

TEXT_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "text",
    "success",
    "info",
    "warning",
    "error",
    "latex",
)
LABELLED_KINDS = (
    "button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "select_slider",
    "slider",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "color_picker",
    "tabs",
    "expander",
)
RAW_CODES = re.compile(r"\b(?:XAP|XNA|None|nan|NaN)\b")
KAGGLE_COLUMN = re.compile(r"\b[A-Z]{2,}(?:_[A-Z0-9]+)+\b")
DOT_DECIMAL = re.compile(r"(?<![\w.\-/:])\d+\.\d+(?![\w.])")
REGEX = re.compile(r"\^[\[(\\]|\\[dwsb]|\[\^?[a-zA-Z0-9]-[a-zA-Z0-9]\]|\(\?[:P!=<]|[)\]][+*]?\$")
HTTP_ROUTE = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD)\s+/")
RUN_NAME = re.compile(r"\b(?:lightgbm_\w+|logistic_regression|random_forest|knn|dummy)\b")
ISO_DATE = re.compile(r"(?<![\w\-/])\d{4}-\d{2}-\d{2}(?![\w\-])")  # a person reads 31/12/2026
ATOM_CODES = {"middle", "none", "nan", "null", "unknown", "True", "False"}
# A language's name is written in that language on a language switch, whatever the page's.
ENDONYMS = {"Français", "English"}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _frame_texts(frame: pd.DataFrame) -> Iterator[str]:
    for name in [*frame.columns, *frame.index.names]:
        if name is not None and not isinstance(name, int):
            yield str(name)
    if not isinstance(frame.index, pd.RangeIndex):
        yield from (str(v) for v in frame.index)
    for column in frame.columns:
        for value in frame[column].tolist():
            if value is None or (isinstance(value, float) and pd.isna(value)):
                yield "None"  # shown as an empty cell "None" by Streamlit: a missing value
            elif isinstance(value, str | bool):
                yield str(value)
            elif isinstance(value, float) and not value.is_integer():
                yield repr(value)  # a raw float: shown with a dot whatever the language


def _chart_texts(spec: str) -> Iterator[str]:
    figure = json.loads(spec)
    layout = figure.get("layout", {})
    for key, axis in layout.items():
        if isinstance(axis, dict) and (key.startswith(("xaxis", "yaxis")) or key == "legend"):
            yield from _strings((axis.get("title") or {}).get("text"))
            yield from _strings(axis.get("ticktext"))
    yield from _strings((layout.get("title") or {}).get("text"))
    for note in layout.get("annotations") or []:
        yield from _strings(note.get("text"))
    for trace in figure.get("data", []):
        yield from _strings(trace.get("name"))
        for key in ("x", "y", "text", "labels"):
            values = trace.get(key)
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                yield from values


def visible_texts(at: AppTest) -> list[str]:
    """Every text the page shows, one string per element, label, option or table cell."""
    out: list[str] = []
    for kind in TEXT_KINDS:
        out.extend(str(e.value) for e in at.get(kind))
    for kind in LABELLED_KINDS:
        for element in at.get(kind):
            out.extend(_strings(getattr(element, "label", None)))
            out.extend(_strings(list(getattr(element, "options", []) or [])))
    for metric in at.get("metric"):
        out.extend([str(metric.label), str(metric.value)])
    for element in at.get("dataframe"):
        out.extend(_frame_texts(element.value))
    for element in at.get("table"):
        out.extend(_frame_texts(element.value))
    for kind in ("download_button", "link_button", "page_link"):
        out.extend(str(e.proto.label) for e in at.get(kind))
    out.extend(str(e.proto.text) for e in at.get("progress"))
    for chart in at.get("plotly_chart"):
        out.extend(_chart_texts(chart.proto.spec))
    return [text for text in out if text.strip()]


def _other_language_values(lang: str) -> dict[str, str]:
    """Values of the other language that this language words differently (key by value)."""
    this, other = catalog(lang), catalog("en" if lang == "fr" else "fr")
    ours = set(this.values())  # a word both languages use ("Variable", "Score") is not foreign
    return {
        value: key
        for key, value in other.items()
        if value not in ours and "{" not in value and len(value) >= 3
    }


def problems(texts: list[str], lang: str) -> list[str]:
    """What a person could not read in ``texts`` shown on a ``lang`` page, one line each."""
    foreign = _other_language_values(lang)
    found: list[str] = []
    for text in texts:
        stripped = text.strip()
        if stripped in foreign and stripped not in ENDONYMS:
            found.append(f"other language ({foreign[stripped]}): {stripped!r}")
        if stripped in ATOM_CODES:
            found.append(f"raw code: {stripped!r}")
        for pattern, what in (
            (RAW_CODES, "raw code"),
            (KAGGLE_COLUMN, "data set column"),
            (REGEX, "regular expression"),
            (HTTP_ROUTE, "HTTP route"),
            (ISO_DATE, "date not in the bank's format"),
            (RUN_NAME, "candidate's run name"),
        ):
            match = pattern.search(text)
            if match:
                found.append(f"{what} {match.group(0)!r} in {_excerpt(text, match)!r}")
        if lang == "fr":
            match = DOT_DECIMAL.search(text)
            if match:
                found.append(f"dot decimal {match.group(0)!r} in {_excerpt(text, match)!r}")
    return sorted(set(found))


def _excerpt(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")


@pytest.fixture
def full_fake(fake: FakeApi) -> FakeApi:
    """The fake API with every optional report present, so that every section shows."""
    fake.drift = drift_report()
    fake.backtest = backtest_report()
    return fake


@pytest.mark.parametrize(("role", "page", "lang"), WALK)
def test_every_page_speaks_the_users_language(
    full_fake: FakeApi, role: str, page: str, lang: str
) -> None:
    module = navigation.PAGES[page].render.__module__.rsplit(".", 1)[-1]
    at = logged_in(
        full_fake,
        render_view,
        module,
        user=USER_OF_ROLE[role],
        role=role,
        lang=lang,
        client_id=100002,
    )
    assert not at.exception, [e.value for e in at.exception]
    texts = visible_texts(at)
    assert texts, "the page shows nothing"
    found = problems(texts, lang)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
def test_the_login_page_and_the_navigation_speak_the_users_language(
    full_fake: FakeApi, lang: str
) -> None:
    """The whole app: the login page, then an administrator's sidebar (every section)."""
    at = dashboard(full_fake)
    at.session_state[state.LANG] = lang
    at.run()
    found = problems(visible_texts(at), lang)
    log_in(at, "root", "secret-r")
    assert not at.exception and at.session_state[state.ROLE] == "admin"
    sidebar = [str(e.value) for kind in TEXT_KINDS for e in at.sidebar.get(kind)]
    sidebar += [str(e.label) for kind in LABELLED_KINDS for e in at.sidebar.get(kind)]
    found += problems(visible_texts(at) + sidebar, lang)
    assert not found, "\n".join(found)


def test_the_walk_catches_what_it_looks_for() -> None:
    """The checks themselves: each kind of problem is found, correct text passes."""
    en_only = next(v for k, v in catalog("en").items() if "{" not in v and v != catalog("fr")[k])
    found = problems(
        [
            en_only,
            "Probabilité 0.75",
            "Montant AMT_CREDIT",
            "XNA",
            "middle",
            "doit correspondre à '^[0-9]+$'",
            "voir GET /clients/1",
        ],
        "fr",
    )
    kinds = {line.split(" ")[0] for line in found}
    assert kinds == {"other", "dot", "data", "raw", "regular", "HTTP"}, found
    assert problems(["Probabilité 0,75", "le 01/12/2026 à 09:00", "Version 1.2.3"], "fr") == []
    assert problems(["Probability 0.75"], "en") == []
