"""One term per concept: the dashboard's labels and the categories' words use the glossary's
term (``docs/glossary.md``) in each language, never a word it says to avoid, and every term
is in use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from credit_scoring.dashboard.i18n import catalog
from credit_scoring.lending.form import codes

GLOSSARY = Path(__file__).parents[2] / "docs" / "glossary.md"
RULES = Path(__file__).parents[2] / "src" / "credit_scoring" / "lending" / "policy_rules.json"


def glossary() -> list[dict[str, str | list[str]]]:
    """The glossary's rows: concept, the French and English terms, the words to avoid."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("Concept", "") or set(cells[0]) <= {"-"}:
            continue
        concept, fr, en, avoid_fr, avoid_en = cells
        rows.append(
            {
                "concept": concept,
                "fr": fr,
                "en": en,
                "avoid_fr": [w.strip() for w in avoid_fr.split(";") if w.strip()],
                "avoid_en": [w.strip() for w in avoid_en.split(";") if w.strip()],
            }
        )
    return rows


def labels_of(lang: str) -> dict[str, str]:
    """Every label a person reads in ``lang``: the locale file's, the categories' words (the
    form's choices and the history's codes, ``lending/form/codes.py``), then the committee's
    rules as the advisor and the applicant read them (``lending/policy_rules.json``)."""
    words = {f"codes.{value}": codes.category_label(value, lang) for value in codes.known_values()}
    rules = {
        f"rules.{rule['code']}.{kind}": rule[f"{kind}_{lang}"]
        for rule in json.loads(RULES.read_text(encoding="utf-8"))["rules"]
        for kind in ("text", "applicant")
    }
    return {**catalog(lang), **words, **rules}


def _mentions(text: str, term: str) -> bool:
    """Whether ``text`` says ``term`` as words (case and apostrophes aside)."""
    norm = text.lower().replace("’", "'")
    return re.search(rf"(?<!\w){re.escape(term.lower())}(?!\w)", norm) is not None


def test_the_glossary_is_read() -> None:
    rows = glossary()
    assert len(rows) >= 10
    concepts = {r["fr"] for r in rows}
    assert {"revenu mensuel", "probabilité de défaut", "prêt personnel"} <= concepts


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_locale_labels_avoid_the_words_the_glossary_rules_out(lang: str) -> None:
    labels = labels_of(lang)
    found = [
        (key, word, row["fr" if lang == "fr" else "en"])
        for row in glossary()
        for word in row[f"avoid_{lang}"]
        for key, text in labels.items()
        if _mentions(text, str(word))
    ]
    assert not found, f"use the glossary's term instead (key, word, term): {found}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_glossary_term_is_used_in_the_locale(lang: str) -> None:
    text = "\n".join(labels_of(lang).values())
    missing = [row[lang] for row in glossary() if not _mentions(text, str(row[lang]))]
    assert not missing, f"terms of docs/glossary.md no label uses: {missing}"


def test_a_ruled_out_word_is_caught() -> None:
    assert _mentions("Revenu total du client", "revenu total")
    assert not _mentions("Revenu totalement inconnu", "revenu total")
