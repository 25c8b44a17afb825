"""The letter to the applicant: the decision on a credit application as a PDF to hand over.

Why a letter: an applicant refused, or decided on partly by an automated system, is owed
the decision and its principal reasons in words they can act on, what they can do about it
(documents to bring, terms that would be accepted), and their rights: human intervention,
to express their point of view and to contest the decision (GDPR Art. 22(3)), and an
explanation of the role of the automated system (EU AI Act Art. 86), with how and by when
to ask. The advisor's screen shows scores and feature contributions; this letter shows none
of that: no feature names, no "non renseigné", no model vocabulary.

The letter is built from a :class:`Letter` whose texts are already worded for the
applicant (reason labels of :mod:`credit_scoring.core.reason_codes`, the ``applicant_*``
texts of the policy rules). Every text is still sanitised before it reaches the PDF:
control and invisible formatting characters are removed, over-long words are broken,
characters the font cannot draw are replaced, and a reason whose text carries a placeholder
or a column name is replaced by its catalogue wording (or left out if its code is unknown).

The PDF is drawn with fpdf2 in DejaVu Sans (accents, the euro sign), which the runtime
image installs with the Debian package ``fonts-dejavu-core``. This module imports neither
the database nor the routes: a route builds the :class:`Letter` and returns the bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from credit_scoring.core import formatting
from credit_scoring.core.fonts import (
    FONT,
    FONT_DIR,
    FontError,
    load_fonts,
    printable,
)
from credit_scoring.core.fonts import (
    FONT_FILES as FONT_FILES,  # re-exported: the letter tests check the fonts
)
from credit_scoring.core.fonts import (
    FONT_PACKAGE as FONT_PACKAGE,
)
from credit_scoring.core.reason_codes import (
    CATALOGUE,
    document_texts,
    documents_for,
    reason_label,
)
from credit_scoring.core.results import ModelDecision
from credit_scoring.core.results import ScoreDecision as Decision
from credit_scoring.lending.form.refusal import CATEGORIES

DECISIONS: tuple[Decision | None, ...] = ("grant", "refuse", "refer", None)
LANGS = ("fr", "en")

_FONT = FONT

MAX_MODEL_REASONS = 4  # principal reasons for and against, each
MAX_ITEMS = 8  # alternatives, documents
MAX_TEXT = 600  # characters of one reason, alternative or document
MAX_NAME = 120
LONG_WORD = 40  # a longer run without a space is broken every LONG_WORD characters
NBSP = "\u00a0"

# what must never reach the applicant: placeholders, model vocabulary, column names
_FORBIDDEN = re.compile(
    r"non renseign|not provided|\bnan\b|\bNone\b|SHAP|log-odds|logit|probabilit|"
    r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"non renseign|not provided|\bnan\b|\bNone\b", re.IGNORECASE)
_COLUMN = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")


@dataclass(frozen=True)
class ApplicantSpace:
    """How the applicant reaches their own space: address, application number, code.

    ``code`` None: the letter says the code is the one of the first letter (the applicant
    downloading their letter from their space never receives a new one).
    """

    url: str
    code: str | None


class LetterFontError(FontError):
    """A font file the letter needs is missing; the message names it and the package."""


@dataclass(frozen=True)
class Letter:
    """Everything the letter says, already worded for the applicant.

    Attributes
    ----------
    application_id : int
        The reference of the application (``SK_ID_CURR`` or the new application's id).
    applicant_name : str or None
        None gives "Madame, Monsieur" / "Dear applicant".
    date : datetime.date
        The date of the letter (and of the decision).
    decision : {"grant", "refuse", "refer"} or None
        None when not decided yet: the letter says the application is under review.
    amount, term_months, monthly_annuity : float or None
        The credit asked for (or granted); unknown values are not mentioned.
    reasons_against, reasons_for : list of (code, text)
        Principal reasons in the applicant's words (reason-code catalogue), at most 4 each
        are printed, in the order given.
    policy : list of (code, text)
        The credit committee's rules that fired (``PolicyHit.applicant_text``), refusals
        first; they are given before the model's reasons.
    alternatives : list of str
        Worded offers ("Un montant de 12 000 € sur 36 mois serait accordé").
    documents : list of str
        Documents the applicant can bring (see :func:`documents_for`).
    model_version : str
        The version of the scoring model that took part in the decision.
    grade : str or None
        The risk grade given, printed in the reference block when known.
    lender_name : str
        The lender's name, at the head of the letter and in the rights paragraph.
    applicant_space : ApplicantSpace or None
        The applicant space's address and personal code (None: no such block).
    """

    application_id: int
    applicant_name: str | None
    date: dt.date
    decision: Decision | None
    amount: float | None
    term_months: float | None
    monthly_annuity: float | None
    reasons_against: list[tuple[str, str]]
    reasons_for: list[tuple[str, str]]
    policy: list[tuple[str, str]]
    alternatives: list[str]
    documents: list[str]
    model_version: str
    grade: str | None
    lender_name: str = "Prêt à dépenser"
    applicant_space: ApplicantSpace | None = None

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}, not {self.decision!r}")


# ---- formatting -------------------------------------------------------------------------


def format_money(value: float, lang: str, *, cents: bool = False) -> str:
    """An amount in euros: ``12 000 €`` / ``412,50 €`` in French, ``€12,000`` in English."""
    return formatting.money(value, lang, cents=cents)


def format_percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share as a percentage: 0.12 gives ``12,0 %`` in French, ``12.0%`` in English."""
    return formatting.percent(share, lang, decimals)


def format_date(day: dt.date, lang: str) -> str:
    """``1er décembre 2026`` / ``1 December 2026``."""
    return formatting.date(day, lang, "long")


def _months(term: float, lang: str) -> str:
    return formatting.duration(round(term), "month", lang)


# ---- who decided: the reasons the letter gives ------------------------------------------


@dataclass(frozen=True)
class Grounds:
    """What a letter says about why, chosen by who decided (:func:`letter_grounds`).

    Attributes
    ----------
    decision : {"grant", "refuse"} or None
        The final decision (None: not decided yet).
    decided_by : {"rule", "model", "advisor"} or None
        Who the refusal's reasons come from; None for a grant or an open application.
    policy, against, favour : list of (code, text)
        The refusing rules' applicant texts, the reasons against, the reasons in favour.
    documents : list of str
        What the applicant can bring.
    offers : bool
        Whether a counter-offer can change the outcome (a refusal by a rule or the model).
    """

    decision: Decision | None
    decided_by: Literal["rule", "model", "advisor"] | None
    policy: list[tuple[str, str]]
    against: list[tuple[str, str]]
    favour: list[tuple[str, str]]
    documents: list[str]
    offers: bool


def _codes(reasons: list[dict[str, Any]], direction: str, *, stated: bool) -> list[str]:
    """The reason codes of one direction, strongest first, each once.

    ``stated``: only the facts the file states (a value quoted), so a reason in favour never
    cites something the applicant did not or could not provide (no building details, no
    history with us).
    """
    out: list[str] = []
    for reason in reasons:
        code = reason.get("code") or ""
        if reason.get("direction") != direction or not code or code in out:
            continue
        if stated and (reason.get("value") is None or code not in CATALOGUE):
            continue
        out.append(code)
    return out


def letter_grounds(
    *,
    decision: Decision | None,
    model_decision: ModelDecision,
    policy: list[dict[str, Any]],
    reasons: list[dict[str, Any]],
    category: str | None,
    lang: str,
) -> Grounds:
    """The letter's reasons, documents and whether to offer another loan, by who decided.

    - a refusal with a refusing rule: the rules' applicant texts first, then the model's
      reasons only if the model refused too, then the advisor's category if one was given;
    - a refusal the model proposed: the model's principal reasons (then the advisor's
      category if one was given);
    - an advisor's refusal of what the model grants: the category's applicant text
      (:mod:`credit_scoring.lending.form.refusal`, ``other`` when none was recorded), never
      the model's factors, and no counter-offer (the model already granted the loan asked);
    - a grant: the model's reasons in favour when the model granted, no reasons for a
      refusal; an advisor's grant against the model cites no model reason.

    Parameters
    ----------
    decision : {"grant", "refuse"} or None
        The final decision recorded (None when not decided yet).
    model_decision : {"grant", "refuse"}
        The model's proposal, by the threshold.
    policy : list of dict
        The score's rules that fired (``code``, ``outcome``, ``applicant_fr``/``_en``).
    reasons : list of dict
        The score's reasons (``code``, ``direction``, ``value``).
    category : str or None
        The advisor's category of a refusal.
    lang : {"fr", "en"}

    Returns
    -------
    Grounds
    """
    refusing = [p for p in policy if p.get("outcome") == "refuse"]
    rules = [(p["code"], p.get(f"applicant_{lang}") or "") for p in refusing]
    against = _codes(reasons, "against", stated=False)
    favour = [(c, reason_label(c, lang)) for c in _codes(reasons, "for", stated=True)]
    model = [(c, reason_label(c, lang)) for c in against][:MAX_MODEL_REASONS]
    if decision == "grant":
        shown = favour if model_decision == "grant" else []
        return Grounds(decision, None, [], [], shown, [], False)
    if decision is None:
        return Grounds(None, None, rules, model, favour, [], False)
    given = CATEGORIES.get(category or "")
    # a category the advisor gave beside a rule's or the model's refusal comes after them
    extra = [("", given.applicant(lang))] if given else []
    extra_documents = list(given.documents) if given else []
    if refusing:
        mine = model if model_decision == "refuse" else []
        codes = [c for c, _ in rules] + [c for c, _ in mine]
        documents = documents_for(codes, lang) + document_texts(extra_documents, lang)
        return Grounds(
            "refuse", "rule", rules, mine + extra, favour, list(dict.fromkeys(documents)), True
        )
    if model_decision == "refuse":
        documents = documents_for(against, lang) + document_texts(extra_documents, lang)
        return Grounds(
            "refuse", "model", [], model + extra, favour, list(dict.fromkeys(documents)), True
        )
    chosen = given or CATEGORIES["other"]
    return Grounds(
        "refuse",
        "advisor",
        [],
        [("", chosen.applicant(lang))],
        favour,
        document_texts(list(chosen.documents), lang),
        False,
    )


# ---- sanitising -------------------------------------------------------------------------

_DROP_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


def sanitize(text: str, *, limit: int = MAX_TEXT) -> str:
    """One line of text safe to print: no control or invisible characters, no huge words.

    Line breaks and tabs become spaces, runs of spaces collapse, a word longer than
    ``LONG_WORD`` characters is broken with spaces, and the text is cut at ``limit``
    characters (with an ellipsis).
    """
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(
        " " if ch in "\t\n\r\x0b\x0c\u2028\u2029" else ch
        for ch in text
        if ch in "\t\n\r\x0b\x0c\u2028\u2029" or unicodedata.category(ch) not in _DROP_CATEGORIES
    )
    text = re.sub(r"[ \u3000]+", " ", text).strip()
    text = re.sub(
        rf"\S{{{LONG_WORD + 1},}}",
        lambda m: " ".join(
            m.group(0)[i : i + LONG_WORD] for i in range(0, len(m.group(0)), LONG_WORD)
        ),
        text,
    )
    # keep amounts and units on one line: "12 000 €", "36 mois"
    text = re.sub(r"(?<=\d) (?=\d{3}(?!\d))", NBSP, text)
    text = re.sub(r"(?<=\d) (?=[€%])", NBSP, text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _reason_text(code: str, text: str, lang: str) -> str | None:
    """The text of a reason fit for the applicant, or None to leave it out."""
    clean = sanitize(text)
    if clean and not _FORBIDDEN.search(clean):
        return clean
    entry = CATALOGUE.get(code)
    if entry is None:
        return None
    if _PLACEHOLDER.search(clean) or not clean:
        return entry.missing(lang)
    return entry.label(lang)


def _reasons(items: list[tuple[str, str]], lang: str, limit: int | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for raw_code, text in items:
        code = sanitize(raw_code, limit=12)
        worded = _reason_text(code, text, lang)
        if worded is not None and worded not in (t for _, t in out):
            out.append((code, worded))
    return out[:limit] if limit is not None else out


def worded_reasons(
    policy: list[tuple[str, str]],
    against: list[tuple[str, str]],
    favour: list[tuple[str, str]],
    lang: str,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The reasons against and in favour exactly as the letter prints them.

    The rules' texts first, then at most :data:`MAX_MODEL_REASONS` of the model's, each
    sanitised (or replaced by its catalogue wording, or left out): the applicant space
    shows these same lists (one source).

    Returns
    -------
    (against, favour) : lists of (code, text)
    """
    shown_against = _reasons(policy, lang, None) + _reasons(against, lang, MAX_MODEL_REASONS)
    return shown_against, _reasons(favour, lang, MAX_MODEL_REASONS)


def _lines(items: list[str]) -> list[str]:
    out = []
    for item in items:
        clean = sanitize(item)
        if clean and not _FORBIDDEN.search(clean) and clean not in out:
            out.append(clean)
    return out[:MAX_ITEMS]


# ---- wording ----------------------------------------------------------------------------


def _details(letter: Letter, lang: str) -> str:
    parts = []
    if letter.amount is not None:
        money = format_money(letter.amount, lang)
        parts.append(f" de {money}" if lang == "fr" else f" for {money}")
    if letter.term_months is not None and letter.term_months > 0:
        months = _months(letter.term_months, lang)
        parts.append(f" sur {months}" if lang == "fr" else f" over {months}")
    return "".join(parts)


def decision_sentence(letter: Letter, lang: str) -> str:
    """The decision in one sentence (the under-review sentence when not decided)."""
    d = _details(letter, lang)
    if lang == "fr":
        return {
            "grant": f"Nous avons le plaisir de vous informer que votre demande de crédit{d} "
            "est acceptée.",
            "refuse": "Nous sommes au regret de vous informer que nous ne pouvons pas accepter "
            f"votre demande de crédit{d}.",
            "refer": f"Votre demande de crédit{d} est transmise à un analyste crédit "
            "expérimenté, qui prendra la décision après un examen personnalisé.",
            None: f"Votre demande de crédit{d} est en cours d'examen : aucune décision n'a "
            "encore été prise.",
        }[letter.decision]
    return {
        "grant": f"We are pleased to inform you that your credit application{d} has been accepted.",
        "refuse": f"We regret to inform you that we cannot accept your credit application{d}.",
        "refer": f"Your credit application{d} has been passed to a senior credit analyst, who "
        "will make the decision after a personal review.",
        None: f"Your credit application{d} is under review: no decision has been made yet.",
    }[letter.decision]


_TITLES = {
    "fr": {
        ("against", "grant"): "Les points d'attention de votre dossier",
        ("against", "refuse"): "Les principales raisons de cette décision",
        ("against", "refer"): "Les points qui demandent un examen personnalisé",
        ("against", None): "Les points qui seront examinés",
        ("for", "grant"): "Les principales raisons de cette décision",
        ("for", "refuse"): "Les éléments favorables de votre dossier",
        ("for", "refer"): "Les éléments favorables de votre dossier",
        ("for", None): "Les éléments favorables de votre dossier",
        ("do", "grant"): "La suite",
        ("do", "refuse"): "Ce que vous pouvez faire",
        ("do", "refer"): "Ce que vous pouvez faire",
        ("do", None): "Ce que vous pouvez faire",
        ("rights", None): "Vos droits",
    },
    "en": {
        ("against", "grant"): "Points to note in your file",
        ("against", "refuse"): "The main reasons for this decision",
        ("against", "refer"): "The points that need a personal review",
        ("against", None): "The points that will be reviewed",
        ("for", "grant"): "The main reasons for this decision",
        ("for", "refuse"): "What counts in your favour",
        ("for", "refer"): "What counts in your favour",
        ("for", None): "What counts in your favour",
        ("do", "grant"): "Next steps",
        ("do", "refuse"): "What you can do",
        ("do", "refer"): "What you can do",
        ("do", None): "What you can do",
        ("rights", None): "Your rights",
    },
}

_TEXTS = {
    "fr": {
        "reference": "Référence : demande n° {id}",
        "subject": "Objet : votre demande de crédit",
        "hello": "Madame, Monsieur,",
        "hello_name": "Bonjour {name},",
        "date": "Le {date}",
        "annuity": "La mensualité correspondante est de {annuity}.",
        "no_reason": "Votre conseiller peut vous expliquer en détail les éléments de cette "
        "décision.",
        "alternatives": "Nous pouvons étudier avec vous les possibilités suivantes :",
        "documents": "Vous pouvez compléter votre dossier avec les documents suivants ; ils "
        "seront pris en compte lors d'un nouvel examen :",
        "advisor": "Votre conseiller reste à votre disposition pour en parler avec vous.",
        "grant_next": "Votre conseiller vous remettra l'offre de contrat de crédit, qui en "
        "précise toutes les conditions.",
        "system": "Pour étudier votre demande, nous utilisons un système automatisé "
        "d'évaluation du crédit (version {model}) ainsi que les règles fixées par notre "
        "comité de crédit.",
        "gdpr": "Conformément à l'article 22, paragraphe 3, du règlement général sur la "
        "protection des données (RGPD), vous avez le droit d'obtenir une intervention humaine "
        "de notre part, d'exprimer votre point de vue et de contester {subject}.",
        "ai_act": "Conformément à l'article 86 du règlement européen sur l'intelligence "
        "artificielle, vous avez également le droit d'obtenir des explications claires et "
        "utiles sur le rôle du système automatisé dans {subject} et sur les principaux "
        "éléments pris en compte.",
        "how": "Pour exercer ces droits, écrivez à {lender} ou adressez-vous à votre "
        "conseiller dans un délai de 30 jours à compter de la date de ce courrier, en "
        "rappelant la référence n° {id}. Une personne de notre équipe réexaminera alors votre "
        "dossier et vous répondra.",
        "subject_decided": "cette décision",
        "subject_pending": "la décision qui sera prise",
        "closing": "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos "
        "salutations distinguées.",
        "closing_name": "Nous vous prions d'agréer l'expression de nos salutations distinguées.",
        "signature": "Le service crédit de {lender}",
        "block": "Référence : demande n° {id} · Date : {date} · Version du modèle : {model}",
        "grade": " · Catégorie de risque : {grade}",
        "codes": " · Motifs : {codes}",
        "footer": "{lender} · demande n° {id} · page {page}/{{nb}}",
        "title": "Votre demande de crédit n° {id}",
        "space_title": "Votre espace personnel",
        "space": "Consultez en ligne les données sur lesquelles cette décision repose, ses "
        "raisons, ce qui pourrait la changer, et demandez un réexamen par une personne : "
        "{url}",
        "space_login": "Connectez-vous avec le numéro de demande {id}, votre date de "
        "naissance et votre code personnel :",
        "space_keep": "Ce code est personnel : ne le communiquez à personne. Nous ne vous le "
        "demanderons jamais par téléphone ni par courriel.",
        "space_same": "Connectez-vous avec le numéro de demande {id}, votre date de naissance "
        "et le code personnel figurant dans le premier courrier reçu ; votre conseiller peut "
        "vous en remettre un nouveau.",
    },
    "en": {
        "reference": "Reference: application no. {id}",
        "subject": "Subject: your credit application",
        "hello": "Dear applicant,",
        "hello_name": "Dear {name},",
        "date": "{date}",
        "annuity": "The corresponding monthly repayment is {annuity}.",
        "no_reason": "Your advisor can explain the elements of this decision to you in detail.",
        "alternatives": "We can look at the following options with you:",
        "documents": "You can complete your file with the following documents; they will be "
        "taken into account in a new review:",
        "advisor": "Your advisor is available to discuss this with you.",
        "grant_next": "Your advisor will give you the credit agreement offer, which sets out "
        "all its terms.",
        "system": "To review your application we use an automated credit assessment system "
        "(version {model}) together with the rules set by our credit committee.",
        "gdpr": "Under Article 22(3) of the General Data Protection Regulation (GDPR), you "
        "have the right to obtain human intervention on our part, to express your point of "
        "view and to contest {subject}.",
        "ai_act": "Under Article 86 of the EU Artificial Intelligence Act, you also have the "
        "right to obtain a clear and meaningful explanation of the role of the automated "
        "system in {subject} and of the main elements taken into account.",
        "how": "To exercise these rights, write to {lender} or speak to your advisor within "
        "30 days of the date of this letter, quoting reference no. {id}. A member of our "
        "team will then review your file and reply to you.",
        "subject_decided": "this decision",
        "subject_pending": "the decision that will be made",
        "closing": "Yours faithfully,",
        "closing_name": "Yours sincerely,",
        "signature": "The credit team, {lender}",
        "block": "Reference: application no. {id} · Date: {date} · Model version: {model}",
        "grade": " · Risk grade: {grade}",
        "codes": " · Reason codes: {codes}",
        "footer": "{lender} · application no. {id} · page {page}/{{nb}}",
        "title": "Your credit application no. {id}",
        "space_title": "Your personal space",
        "space": "See online the data this decision is based on, its reasons, what could "
        "change it, and ask for a review by a person: {url}",
        "space_login": "Sign in with application number {id}, your birth date and your "
        "personal code:",
        "space_keep": "This code is personal: do not share it with anyone. We will never ask "
        "you for it by phone or e-mail.",
        "space_same": "Sign in with application number {id}, your birth date and the personal "
        "code printed in the first letter you received; your advisor can give you a new one.",
    },
}


# ---- drawing ----------------------------------------------------------------------------

LINE = 4.9  # mm per line of body text
BODY = 10  # pt


class _LetterPDF(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(format="A4")
        self._footer = footer

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(_FONT, size=8)
        self.set_text_color(110, 110, 110)
        text = self._footer.replace("{page}", str(self.page_no()))
        self.cell(0, 6, _printable(self, text), align="C")
        self.set_text_color(0, 0, 0)


_printable = printable


def _load_fonts(pdf: FPDF, font_dir: Path) -> None:
    load_fonts(pdf, font_dir, needed_by="the applicant letter", error=LetterFontError)


def _para(pdf: FPDF, text: str, *, bold: bool = False, size: float = BODY, after: float = 2.5):
    pdf.set_font(_FONT, "B" if bold else "", size)
    pdf.multi_cell(0, LINE, _printable(pdf, text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(after)


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.will_page_break(LINE * 4):
        pdf.add_page()
    pdf.ln(1.5)
    _para(pdf, text, bold=True, size=11.5, after=1)


def _bullets(pdf: FPDF, items: list[str]) -> None:
    pdf.set_font(_FONT, "", BODY)
    for item in items:
        pdf.set_x(pdf.l_margin + 3)
        pdf.cell(5, LINE, "•")
        pdf.multi_cell(
            pdf.epw - 8, LINE, _printable(pdf, item), align="L",
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip
        pdf.ln(0.8)
    pdf.ln(1.5)


def render_letter(letter: Letter, lang: str, *, font_dir: Path | None = None) -> bytes:
    """The letter as a PDF (A4, DejaVu Sans), in French or English.

    Parameters
    ----------
    letter : Letter
        What the letter says.
    lang : {"fr", "en"}
    font_dir : Path, optional
        Folder holding ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``
        (default: ``/usr/share/fonts/truetype/dejavu``, Debian's ``fonts-dejavu-core``).

    Returns
    -------
    bytes
        The PDF document.

    Raises
    ------
    ValueError
        ``lang`` is not ``"fr"`` or ``"en"``.
    LetterFontError
        A font file is missing (the message names it and the package to install).
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    t = _TEXTS[lang]
    titles = _TITLES[lang]
    lender = sanitize(letter.lender_name, limit=MAX_NAME) or "Prêt à dépenser"
    name = sanitize(letter.applicant_name, limit=MAX_NAME) if letter.applicant_name else ""
    model = sanitize(letter.model_version, limit=80) or "?"
    app_id = int(letter.application_id)
    day = format_date(letter.date, lang)
    decision = letter.decision

    against, favour = worded_reasons(
        letter.policy, letter.reasons_against, letter.reasons_for, lang
    )
    alternatives = _lines(letter.alternatives)
    documents = _lines(letter.documents)

    pdf = _LetterPDF(t["footer"].format(lender=lender, id=app_id, page="{page}"))
    _load_fonts(pdf, font_dir or FONT_DIR)
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(sanitize(t["title"].format(id=app_id)))
    pdf.set_author(lender)
    pdf.set_lang(lang)
    pdf.set_creation_date(dt.datetime.combine(letter.date, dt.time(), tzinfo=dt.UTC))
    pdf.add_page()

    # head: lender, date, reference, addressee, subject
    _para(pdf, lender, bold=True, size=16, after=6)
    pdf.set_font(_FONT, "", BODY)
    pdf.cell(0, LINE, t["date"].format(date=day), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _para(pdf, t["reference"].format(id=app_id), after=1)
    if name:
        _para(pdf, name, after=1)
    pdf.ln(4)
    _para(pdf, t["subject"], bold=True, after=4)
    _para(pdf, t["hello_name"].format(name=name) if name else t["hello"], after=3)

    # the decision
    _para(pdf, decision_sentence(letter, lang), bold=True)
    if letter.monthly_annuity is not None:
        annuity = format_money(letter.monthly_annuity, lang, cents=True)
        _para(pdf, t["annuity"].format(annuity=annuity))

    # the principal reasons: for a grant what counted for, otherwise what counted against
    sections = [("for", favour), ("against", against)]
    if decision != "grant":
        sections.reverse()
    for kind, items in sections:
        if items:
            _heading(pdf, titles[(kind, decision)])
            _bullets(pdf, [text for _, text in items])
    if decision in ("refuse", "refer") and not against:
        _para(pdf, t["no_reason"])

    # what the applicant can do
    _heading(pdf, titles[("do", decision)])
    if decision == "grant":
        _para(pdf, t["grant_next"])
    if alternatives:
        _para(pdf, t["alternatives"], after=1)
        _bullets(pdf, alternatives)
    if documents:
        _para(pdf, t["documents"], after=1)
        _bullets(pdf, documents)
    _para(pdf, t["advisor"])

    # the applicant's own space: where, and how to sign in
    space = letter.applicant_space
    if space is not None:
        _heading(pdf, t["space_title"])
        _para(pdf, t["space"].format(url=sanitize(space.url, limit=200)), after=1)
        if space.code:
            _para(pdf, t["space_login"].format(id=app_id), after=1)
            _para(pdf, sanitize(space.code, limit=40), bold=True, size=13, after=1)
            _para(pdf, t["space_keep"])
        else:
            _para(pdf, t["space_same"].format(id=app_id))

    # the rights (GDPR Art. 22(3), AI Act Art. 86) and how to use them
    pending = "pending" if decision is None else "decided"
    _heading(pdf, titles[("rights", None)])
    _para(pdf, t["system"].format(model=model))
    subject = t[f"subject_{pending}"]
    _para(pdf, t["gdpr"].format(subject=subject))
    _para(pdf, t["ai_act"].format(subject=subject))
    _para(pdf, t["how"].format(lender=lender, id=app_id))

    # closing, signature, reference block
    pdf.ln(2)
    _para(pdf, t["closing_name"] if name else t["closing"], after=4)
    _para(pdf, t["signature"].format(lender=lender), after=8)
    block = t["block"].format(id=app_id, date=day, model=model)
    if letter.grade:
        block += t["grade"].format(grade=sanitize(letter.grade, limit=8))
    codes = [code for code, _ in against + favour if code]
    if codes:
        block += t["codes"].format(codes=", ".join(dict.fromkeys(codes)))
    pdf.set_text_color(80, 80, 80)
    _para(pdf, block, size=8.5, after=0)
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
