"""The credit committee's review pack: a PDF of slides, in French and in English.

A committee that approves a scoring model reads a short deck, not a model card: what the
model is for, who it was trained on, which candidates were compared, the cost curve and
the threshold, calibration and grades, fairness by sex and age, the reasons it gives most
often, what the back-test found once outcomes matured, its limits and what changed since
the previous version. This module draws that deck from the run's own figures (the report
dict of :func:`credit_scoring.training.pipeline.build_report`, the plots the training
wrote, the latest back-test): it computes nothing new and prints no figure it was not given.

Landscape A4, one idea per slide, big figures and few words. Drawn with fpdf2 in DejaVu
Sans (:mod:`credit_scoring.core.fonts`, the same fonts as the applicant letter).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from credit_scoring.core import formatting
from credit_scoring.core.fonts import FONT, FONT_DIR, FontError, load_fonts, printable

log = logging.getLogger(__name__)

LANGS = ("fr", "en")
FILE_NAME = "review_pack_{lang}.pdf"
REPORT_FILE = "report.json"  # the training report the pack was drawn from
PREVIOUS_FILE = "previous_report.json"  # the version before, for "what changed"

# the plots the training writes under ``<run>/plots`` (modeling.evaluate.plot_all, explain)
COST_PLOT = "cost_vs_threshold.png"
CALIBRATION_PLOT = "calibration.png"
ROC_PLOT = "roc_pr.png"
REASONS_PLOT = "shap_bar.png"

TITLE = 26.0
BIG = 40.0
BODY = 15.0
SMALL = 11.0
MAX_ROWS = 10  # table rows on one slide

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "cover": "Dossier de revue du modèle",
        "cover_sub": "Pour le comité de crédit — modèle {name}, candidat retenu : {winner}",
        "cover_date": "Établi le {date}",
        "cover_backtest": "Mis à jour après le back-test du {date}",
        "purpose": "À quoi sert le modèle",
        "purpose_1": "Il estime la probabilité qu'un demandeur ne rembourse pas son crédit.",
        "purpose_2": "Au-dessus du seuil de {s}, il conseille de refuser ; "
        "le conseiller décide et peut passer outre en le motivant.",
        "purpose_3": "Chaque score est accompagné de ses raisons principales "
        "et d'une classe de risque.",
        "population": "Données et population",
        "clients": "clients à l'entraînement",
        "default_rate": "taux de défaut observé",
        "features": "Version des variables : {v} — empreinte des données : {f}",
        "candidates": "Modèles candidats comparés",
        "candidate": "Candidat",
        "cost": "Coût / demandeur",
        "chosen": "Candidat retenu : {winner}.",
        "threshold": "Courbe de coût et seuil",
        "threshold_value": "seuil de refus",
        "cost_per_applicant": "Coût par demandeur : {c} (tout accepter : {a})",
        "cost_ratio": "Un défaut non détecté coûte {fn}, un bon client refusé {fp}.",
        "calibration": "Calibration",
        "calibration_line": "Brier {b} — erreur de calibration (ECE) {e}",
        "grades": "Classes de risque",
        "grade": "Classe",
        "pd": "PD prévue",
        "observed": "Défaut observé",
        "jeffreys": "p Jeffreys",
        "defaults": "Défauts",
        "fairness": "Équité : sexe et âge",
        "group": "Groupe",
        "rate": "Taux de défaut",
        "approval": "Acceptation",
        "fnr": "Défauts manqués",
        "fpr": "Bons refusés",
        "fairness_note": "Le sexe n'est pas une variable du modèle ; il sert au seul contrôle "
        "d'équité.",
        "sex": "Sexe",
        "age": "Âge",
        "reasons": "Raisons les plus souvent données",
        "reasons_top": "Variables les plus influentes (TreeSHAP moyen)",
        "backtest": "Back-test sur les résultats observés",
        "stability": "Stabilité de la population (PSI, CSI) et dérive",
        "month": "Mois",
        "rows": "Scores",
        "verdict": "Verdict",
        "stable": "stable",
        "watch": "à surveiller",
        "action": "à traiter",
        "psi_note": "PSI du score par mois contre la population d'entraînement : "
        "stable sous 0,10, à surveiller jusqu'à 0,25, à traiter au-delà.",
        "csi_worst": "CSI les plus fortes : {items}",
        "no_stability": "Pas encore de PSI : aucun score servi comparé à l'entraînement "
        "(credit-scoring monitor baseline, puis credit-scoring backtest).",
        "drift_line": "Dernier rapport de dérive ({date}) : {verdict}, part pondérée des "
        "variables qui bougent {share} ; en tête : {top}.",
        "no_drift": "Aucun rapport de dérive encore (credit-scoring drift, ou la page "
        "Dérive des données).",
        "drift_ok": "rien à signaler",
        "backtest_line": "{n} clients, {d} défauts observés — back-test du {date}",
        "light": "Feu",
        "alerts": "À examiner : {a}",
        "no_alert": "Aucune alerte : aucune classe en rouge, AUC au-dessus du plancher.",
        "dev_auc": "AUC au développement {dev} — z = {z}, p = {p}",
        "no_backtest": "Back-test : aucun résultat encore mûr",
        "no_backtest_1": "Aucun remboursement ni défaut n'a encore été enregistré "
        "pour les scores servis.",
        "no_backtest_2": "Le back-test viendra quand les résultats seront chargés "
        "(credit-scoring outcomes load, puis credit-scoring backtest).",
        "limits": "Limites",
        "limits_1": "Les chiffres d'entraînement sont hors échantillon (validation croisée) "
        "sur la population d'entraînement, pas sur les clients servis depuis.",
        "limits_2": "Les défauts se constatent des mois après la décision : "
        "le back-test ne couvre que les résultats mûrs.",
        "limits_3": "Un conseiller qui passe outre au modèle change la population observée "
        "(les refusés n'ont pas de résultat).",
        "limits_4": "La dérive des données se suit avec credit-scoring monitor ; "
        "un modèle ancien doit être réentraîné.",
        "changes": "Ce qui a changé depuis la version précédente",
        "first": "Première version : aucune version précédente à comparer.",
        "before": "Avant",
        "after": "Maintenant",
        "winner_label": "Candidat retenu",
        "n_train": "Clients",
        "added": "Nouvelles variables influentes : {f}",
        "removed": "Variables sorties du top : {f}",
        "page": "Page {n}",
    },
    "en": {
        "cover": "Model review pack",
        "cover_sub": "For the credit committee — model {name}, chosen candidate: {winner}",
        "cover_date": "Prepared on {date}",
        "cover_backtest": "Updated after the back-test of {date}",
        "purpose": "What the model is for",
        "purpose_1": "It estimates the probability that an applicant will not repay.",
        "purpose_2": "Above the threshold of {s} it advises refusal; "
        "the advisor decides and may override it, giving a reason.",
        "purpose_3": "Every score comes with its principal reasons and a risk grade.",
        "population": "Data and population",
        "clients": "clients in training",
        "default_rate": "observed default rate",
        "features": "Feature set: {v} — data fingerprint: {f}",
        "candidates": "Candidate models compared",
        "candidate": "Candidate",
        "cost": "Cost / applicant",
        "chosen": "Chosen candidate: {winner}.",
        "threshold": "Cost curve and threshold",
        "threshold_value": "refusal threshold",
        "cost_per_applicant": "Cost per applicant: {c} (accept everyone: {a})",
        "cost_ratio": "A missed default costs {fn}, a good client refused {fp}.",
        "calibration": "Calibration",
        "calibration_line": "Brier {b} — expected calibration error (ECE) {e}",
        "grades": "Risk grades",
        "grade": "Grade",
        "pd": "Predicted PD",
        "observed": "Observed default",
        "jeffreys": "Jeffreys p",
        "defaults": "Defaults",
        "fairness": "Fairness: sex and age",
        "group": "Group",
        "rate": "Default rate",
        "approval": "Approval",
        "fnr": "Missed defaults",
        "fpr": "Good refused",
        "fairness_note": "Sex is not an input of the model; it is used for the fairness "
        "check only.",
        "sex": "Sex",
        "age": "Age",
        "reasons": "Reasons most often given",
        "reasons_top": "Most influential features (mean TreeSHAP)",
        "backtest": "Back-test on observed outcomes",
        "stability": "Population stability (PSI, CSI) and drift",
        "month": "Month",
        "rows": "Scores",
        "verdict": "Verdict",
        "stable": "stable",
        "watch": "watch",
        "action": "act",
        "psi_note": "Score PSI by month against the training population: "
        "stable below 0.10, watch up to 0.25, act above.",
        "csi_worst": "Largest CSI: {items}",
        "no_stability": "No PSI yet: no served score compared with training "
        "(credit-scoring monitor baseline, then credit-scoring backtest).",
        "drift_line": "Latest drift report ({date}): {verdict}, importance-weighted share of "
        "moving features {share}; first: {top}.",
        "no_drift": "No drift report yet (credit-scoring drift, or the Data drift page).",
        "drift_ok": "nothing to report",
        "backtest_line": "{n} clients, {d} observed defaults — back-test of {date}",
        "light": "Light",
        "alerts": "To look at: {a}",
        "no_alert": "No alert: no grade is red, the AUC is above its floor.",
        "dev_auc": "AUC at development {dev} — z = {z}, p = {p}",
        "no_backtest": "Back-test: no outcome has matured yet",
        "no_backtest_1": "No repayment or default has been recorded yet for the scores served.",
        "no_backtest_2": "The back-test comes once outcomes are loaded "
        "(credit-scoring outcomes load, then credit-scoring backtest).",
        "limits": "Limits",
        "limits_1": "Training figures are out of fold (cross-validation) on the training "
        "population, not on the clients served since.",
        "limits_2": "Defaults are seen months after the decision: the back-test covers "
        "matured outcomes only.",
        "limits_3": "An advisor overriding the model changes the population observed "
        "(refused applicants have no outcome).",
        "limits_4": "Data drift is followed with credit-scoring monitor; an old model must be "
        "retrained.",
        "changes": "What changed since the previous version",
        "first": "First version: there is no previous version to compare with.",
        "before": "Before",
        "after": "Now",
        "winner_label": "Chosen candidate",
        "n_train": "Clients",
        "added": "New influential features: {f}",
        "removed": "Features out of the top: {f}",
        "page": "Page {n}",
    },
}


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def fmt(value: Any, lang: str, digits: int = 3) -> str:
    """A number the way the language writes it (decimal comma in French); "—" if missing."""
    return formatting.number(_number(value), lang, digits)


def pct(value: Any, lang: str, digits: int = 1) -> str:
    """A share as a percentage ("8,1 %" / "8.1%"); "—" if missing."""
    return formatting.percent(_number(value), lang, digits)


def count(value: Any, lang: str) -> str:
    """A whole number with its thousands separator; "—" if missing."""
    return fmt(value, lang, 0)


class _Deck(FPDF):
    """Landscape A4 slides with a page number at the foot."""

    def __init__(self, lang: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.lang = lang
        self.set_auto_page_break(auto=False)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 9)
        self.set_text_color(120, 120, 120)
        self.cell(0, 6, TEXTS[self.lang]["page"].format(n=self.page_no()), align="R")
        self.set_text_color(0, 0, 0)

    def text_line(self, text: str, size: float = BODY, *, bold: bool = False, h: float = 0):
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(
            0,
            h or size * 0.5,
            printable(self, text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(size * 0.25)

    def slide(self, title: str) -> None:
        self.add_page()
        self.set_fill_color(22, 60, 110)
        self.rect(0, 0, self.w, 4, style="F")
        self.set_y(12)
        self.text_line(title, TITLE, bold=True)
        self.ln(2)

    def big(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Key figures side by side: the value in large type, its label beneath."""
        pairs = list(pairs)
        width = self.epw / max(len(pairs), 1)
        y = self.get_y()
        for i, (value, label) in enumerate(pairs):
            self.set_xy(self.l_margin + i * width, y)
            self.set_font(FONT, "B", BIG)
            self.set_text_color(22, 60, 110)
            self.cell(width, 18, printable(self, value), align="C")
            self.set_xy(self.l_margin + i * width, y + 19)
            self.set_font(FONT, "", BODY)
            self.set_text_color(60, 60, 60)
            self.cell(width, 8, printable(self, label), align="C")
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, y + 32)

    def grid(self, header: list[str], rows: list[list[str]], size: float = 12.5) -> None:
        self.set_font(FONT, "", size)
        self.set_fill_color(255, 255, 255)
        with super().table(
            headings_style=FontFace(emphasis="BOLD", fill_color=(220, 228, 240)),
            cell_fill_color=(246, 248, 252),
            cell_fill_mode="ROWS",
            text_align="CENTER",
            line_height=size * 0.6,
            first_row_as_headings=True,
        ) as table:
            for cells in [header, *rows[:MAX_ROWS]]:
                row = table.row()
                for cell in cells:
                    row.cell(printable(self, cell))
        self.ln(3)

    def image_fit(self, path: Path, *, top: float | None = None, width: float | None = None):
        """An image as large as the space left allows (keeps its proportions)."""
        top = self.get_y() if top is None else top
        room_h = self.h - top - 16
        room_w = width or self.epw
        x = self.l_margin + (self.epw - room_w) / 2
        self.image(str(path), x=x, y=top, w=room_w, h=room_h, keep_aspect_ratio=True)


def _plot(plots_dir: Path | None, name: str) -> Path | None:
    if plots_dir is None:
        return None
    path = plots_dir / name
    return path if path.is_file() else None


def _candidate_rows(report: dict[str, Any], lang: str) -> list[list[str]]:
    rows = []
    for r in report.get("comparison") or []:
        rows.append(
            [
                str(r.get("candidate") or r.get("model") or "?"),
                fmt(r.get("roc_auc"), lang),
                fmt(r.get("gini"), lang),
                fmt(r.get("ks"), lang),
                fmt(r.get("cost_per_applicant"), lang),
            ]
        )
    return rows


def _fairness_rows(rows: list[dict[str, Any]], lang: str) -> list[list[str]]:
    return [
        [
            str(r.get("group", "?")),
            count(r.get("clients"), lang),
            pct(r.get("default_rate"), lang),
            pct(r.get("approval_rate"), lang),
            pct(r.get("false_negative_rate"), lang),
            pct(r.get("false_positive_rate"), lang),
            fmt(r.get("roc_auc"), lang),
        ]
        for r in rows
    ]


def _reasons(report: dict[str, Any]) -> list[tuple[str, float]]:
    """The reasons given most often (``reasons``: label to count) or else the top features."""
    raw = report.get("reasons") or report.get("top_features") or {}
    if isinstance(raw, dict):
        items = [(str(k), _number(v) or 0.0) for k, v in raw.items()]
    else:
        items = [
            (str(r.get("label") or r.get("feature")), _number(r.get("count")) or 0.0)
            for r in raw
            if isinstance(r, dict)
        ]
    return sorted(items, key=lambda kv: -kv[1])[:10]


def _bars(pdf: _Deck, items: list[tuple[str, float]]) -> None:
    """Horizontal bars drawn in the PDF (no image needed), longest first."""
    if not items:
        return
    top = max(v for _, v in items) or 1.0
    label_w, bar_w, h = 95.0, pdf.epw - 125.0, 11.0
    pdf.set_font(FONT, "", 12.5)
    for label, value in items:
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(label_w, h - 2, printable(pdf, label[:48]), align="R")
        pdf.set_fill_color(22, 60, 110)
        pdf.rect(pdf.l_margin + label_w + 3, y + 1, max(bar_w * value / top, 0.5), h - 4, "F")
        pdf.set_xy(pdf.l_margin + label_w + 5 + bar_w * value / top, y)
        pdf.cell(25, h - 2, printable(pdf, f"{value:.3g}"))
        pdf.set_xy(pdf.l_margin, y + h)


def _cover(pdf: _Deck, report: dict[str, Any], backtest: dict[str, Any] | None, tx, lang):
    pdf.add_page()
    pdf.set_fill_color(22, 60, 110)
    pdf.rect(0, 0, pdf.w, 70, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, 28)
    pdf.text_line(tx["cover"], 34, bold=True)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(85)
    name = str(report.get("model_name") or "credit-default")
    pdf.text_line(tx["cover_sub"].format(name=name, winner=report.get("winner") or "?"), 18)
    today = dt.date.today().isoformat()
    pdf.text_line(tx["cover_date"].format(date=report.get("created_at") or today), BODY)
    if backtest:
        pdf.text_line(tx["cover_backtest"].format(date=backtest.get("created_at") or today))


def _purpose(pdf: _Deck, report: dict[str, Any], tx, lang):
    pdf.slide(tx["purpose"])
    pdf.ln(6)
    for key in ("purpose_1", "purpose_2", "purpose_3"):
        pdf.text_line("•  " + tx[key].format(s=pct(report.get("threshold"), lang)), 18, h=10)
        pdf.ln(4)


def _population(pdf: _Deck, report: dict[str, Any], tx, lang):
    m = report.get("metrics") or {}
    pdf.slide(tx["population"])
    pdf.ln(10)
    pdf.big(
        [
            (count(m.get("n_train"), lang), tx["clients"]),
            (pct(m.get("default_rate"), lang), tx["default_rate"]),
        ]
    )
    pdf.ln(12)
    fingerprint = str(report.get("data_fingerprint") or "—")[:16]
    pdf.text_line(tx["features"].format(v=report.get("feature_set_version") or "—", f=fingerprint))


def _candidates(pdf: _Deck, report: dict[str, Any], tx, lang):
    pdf.slide(tx["candidates"])
    m = report.get("metrics") or {}
    pdf.big(
        [
            (fmt(m.get("roc_auc"), lang), "AUC"),
            (fmt(m.get("gini"), lang), "Gini"),
            (fmt(m.get("ks"), lang), "KS"),
        ]
    )
    rows = _candidate_rows(report, lang)
    if rows:
        pdf.grid([tx["candidate"], "AUC", "Gini", "KS", tx["cost"]], rows)
    pdf.text_line(tx["chosen"].format(winner=report.get("winner") or "?"))


def _threshold(pdf: _Deck, report: dict[str, Any], plots_dir: Path | None, tx, lang):
    pdf.slide(tx["threshold"])
    costs = report.get("costs") or {}
    pdf.big([(pct(report.get("threshold"), lang), tx["threshold_value"])])
    pdf.text_line(
        tx["cost_per_applicant"].format(
            c=fmt(costs.get("per_applicant"), lang), a=fmt(costs.get("accept_all"), lang)
        )
    )
    if costs.get("cost_fn") is not None:
        pdf.text_line(
            tx["cost_ratio"].format(
                fn=fmt(costs.get("cost_fn"), lang, 0), fp=fmt(costs.get("cost_fp"), lang, 0)
            )
        )
    plot = _plot(plots_dir, COST_PLOT)
    if plot:
        pdf.image_fit(plot, width=pdf.epw * 0.7)


def _calibration(pdf: _Deck, report: dict[str, Any], plots_dir: Path | None, tx, lang):
    pdf.slide(tx["calibration"])
    m = report.get("metrics") or {}
    pdf.text_line(
        tx["calibration_line"].format(b=fmt(m.get("brier"), lang, 4), e=fmt(m.get("ece"), lang, 4))
    )
    plot = _plot(plots_dir, CALIBRATION_PLOT)
    if plot:
        pdf.image_fit(plot, width=pdf.epw * 0.7)
        return
    cal = report.get("calibration") or {}
    pairs = list(zip(cal.get("predicted") or [], cal.get("observed") or [], strict=False))
    if pairs:
        pdf.grid([tx["pd"], tx["observed"]], [[pct(p, lang), pct(o, lang)] for p, o in pairs])


def _grades(pdf: _Deck, report: dict[str, Any], tx, lang):
    rows = report.get("grades") or []
    if not rows:
        return
    pdf.slide(tx["grades"])
    pdf.grid(
        [tx["grade"], tx["clients"].split()[0].capitalize(), tx["defaults"], tx["pd"],
         tx["observed"], tx["jeffreys"]],
        [
            [
                str(r.get("grade")),
                count(r.get("clients"), lang),
                count(r.get("defaults"), lang),
                pct(r.get("predicted_pd", r.get("pd")), lang, 2),
                pct(r.get("observed_default_rate", r.get("observed")), lang, 2),
                fmt(r.get("jeffreys_p_value", r.get("jeffreys_p")), lang, 3),
            ]
            for r in rows
        ],
    )  # fmt: skip


def _fairness(pdf: _Deck, report: dict[str, Any], tx, lang):
    fairness = report.get("fairness") or {}
    pdf.slide(tx["fairness"])
    header = [tx["group"], "N", tx["rate"], tx["approval"],
              tx["fnr"], tx["fpr"], "AUC"]  # fmt: skip
    for key, label in (("CODE_GENDER", tx["sex"]), ("age_band", tx["age"])):
        rows = fairness.get(key)
        if isinstance(rows, list) and rows:
            pdf.text_line(label, BODY, bold=True)
            pdf.grid(header, _fairness_rows(rows, lang), size=11.5)
    pdf.text_line(tx["fairness_note"], SMALL)


def _reasons_slide(pdf: _Deck, report: dict[str, Any], plots_dir: Path | None, tx, lang):
    pdf.slide(tx["reasons"])
    items = _reasons(report)
    if not report.get("reasons"):
        pdf.text_line(tx["reasons_top"], SMALL)
    if items:
        _bars(pdf, items)
        return
    plot = _plot(plots_dir, REASONS_PLOT)
    if plot:
        pdf.image_fit(plot)


def _backtest(pdf: _Deck, backtest: dict[str, Any] | None, tx, lang):
    if not backtest:
        pdf.slide(tx["no_backtest"])
        pdf.ln(10)
        pdf.text_line(tx["no_backtest_1"], 18, h=10)
        pdf.ln(4)
        pdf.text_line(tx["no_backtest_2"], BODY)
        return
    pdf.slide(tx["backtest"])
    pdf.big(
        [
            (fmt(backtest.get("auc"), lang), "AUC"),
            (fmt(backtest.get("gini"), lang), "Gini"),
            (fmt(backtest.get("ks"), lang), "KS"),
        ]
    )
    pdf.text_line(
        tx["backtest_line"].format(
            n=count(backtest.get("clients"), lang),
            d=count(backtest.get("defaults"), lang),
            date=backtest.get("created_at") or "—",
        )
    )
    dev = backtest.get("development") or {}
    if _number(dev.get("development_auc")) is not None:
        pdf.text_line(
            tx["dev_auc"].format(
                dev=fmt(dev.get("development_auc"), lang),
                z=fmt(dev.get("z"), lang, 2),
                p=fmt(dev.get("p_value"), lang),
            ),
            SMALL,
        )
    rows = backtest.get("grades") or []
    if rows:
        pdf.grid(
            [tx["grade"], "N", tx["defaults"], tx["pd"], tx["observed"], tx["jeffreys"],
             tx["light"]],
            [
                [
                    str(r.get("grade")),
                    count(r.get("clients"), lang),
                    count(r.get("defaults"), lang),
                    pct(r.get("pd"), lang, 2),
                    pct(r.get("observed"), lang, 2),
                    fmt(r.get("jeffreys_p"), lang, 3),
                    str(r.get("light") or "—"),
                ]
                for r in rows
            ],
            size=11.5,
        )  # fmt: skip
    alerts = backtest.get("alerts") or []
    pdf.text_line(
        tx["alerts"].format(a="; ".join(map(str, alerts[:3]))) if alerts else tx["no_alert"],
        SMALL,
    )


def _limits(pdf: _Deck, tx, lang):
    pdf.slide(tx["limits"])
    pdf.ln(4)
    for key in ("limits_1", "limits_2", "limits_3", "limits_4"):
        pdf.text_line("•  " + tx[key], 16, h=8.5)
        pdf.ln(3)


def _changes(pdf: _Deck, report: dict[str, Any], previous: dict[str, Any] | None, tx, lang):
    pdf.slide(tx["changes"])
    if not previous:
        pdf.ln(10)
        pdf.text_line(tx["first"], 18)
        return
    now, then = report.get("metrics") or {}, previous.get("metrics") or {}
    rows = [
        [tx["winner_label"], str(previous.get("winner") or "—"), str(report.get("winner") or "—")],
        [tx["n_train"], count(then.get("n_train"), lang), count(now.get("n_train"), lang)],
        ["AUC", fmt(then.get("roc_auc"), lang), fmt(now.get("roc_auc"), lang)],
        ["Gini", fmt(then.get("gini"), lang), fmt(now.get("gini"), lang)],
        ["KS", fmt(then.get("ks"), lang), fmt(now.get("ks"), lang)],
        [tx["threshold_value"].capitalize(), pct(previous.get("threshold"), lang),
         pct(report.get("threshold"), lang)],
        [tx["cost"], fmt((previous.get("costs") or {}).get("per_applicant"), lang),
         fmt((report.get("costs") or {}).get("per_applicant"), lang)],
    ]  # fmt: skip
    pdf.grid(["", tx["before"], tx["after"]], rows)
    old = list(previous.get("top_features") or {})[:10]
    new = list(report.get("top_features") or {})[:10]
    added = [f for f in new if f not in old]
    removed = [f for f in old if f not in new]
    if added:
        pdf.text_line(tx["added"].format(f=", ".join(added)), SMALL)
    if removed:
        pdf.text_line(tx["removed"].format(f=", ".join(removed)), SMALL)


def _stability(pdf: _Deck, backtest: dict[str, Any] | None, drift: dict[str, Any] | None, tx, lang):
    """Score PSI by month, the largest feature CSIs and the latest drift report."""
    pdf.slide(tx["stability"])
    population = (backtest or {}).get("population_stability") or {}
    if population.get("available") and population.get("score"):
        pdf.text_line(tx["psi_note"], SMALL)
        pdf.ln(2)
        rows = sorted(population["score"], key=lambda r: str(r.get("month")))[-MAX_ROWS:]
        pdf.grid(
            [tx["month"], tx["rows"], "PSI", tx["verdict"]],
            [
                [
                    str(r.get("month") or "—"),
                    count(r.get("rows"), lang),
                    fmt(r.get("psi"), lang, 3),
                    tx.get(str(r.get("verdict")), "—"),
                ]
                for r in rows
            ],
        )
        ranked = sorted(
            (r for r in population.get("features") or [] if _number(r.get("psi")) is not None),
            key=lambda r: -float(r["psi"]),
        )[:3]
        if ranked:
            items = ", ".join(
                f"{r.get('variable')} {fmt(r.get('psi'), lang, 3)} "
                f"({tx.get(str(r.get('verdict')), '—')}, {r.get('month')})"
                for r in ranked
            )
            pdf.text_line(tx["csi_worst"].format(items=items), SMALL)
    else:
        pdf.ln(6)
        pdf.text_line(tx["no_stability"], BODY)
    pdf.ln(3)
    if drift:
        verdict = str(drift.get("verdict") or "")
        top = [str(c.get("column")) for c in (drift.get("top_drifted") or [])[:3]]
        pdf.text_line(
            tx["drift_line"].format(
                date=str(drift.get("created_at") or "—")[:10],
                verdict=tx.get(verdict, tx["drift_ok"]) if verdict != "ok" else tx["drift_ok"],
                share=pct(drift.get("weighted_drift_share"), lang),
                top=", ".join(top) or "—",
            ),
            SMALL,
        )
    else:
        pdf.text_line(tx["no_drift"], SMALL)


def render_review_pack(
    report: dict[str, Any],
    lang: str,
    *,
    backtest: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
    drift: dict[str, Any] | None = None,
    plots_dir: Path | None = None,
    font_dir: Path | None = None,
) -> bytes:
    """The review pack as PDF bytes, in one language.

    Parameters
    ----------
    report : dict
        The training report (:func:`credit_scoring.training.pipeline.build_report`).
    lang : {"fr", "en"}
        The language of the slides.
    backtest : dict, optional
        The latest back-test (:func:`credit_scoring.monitoring.backtest_report.backtest`);
        None gives the slide saying no outcome has matured yet.
    previous : dict, optional
        The previous version's training report; None says this is the first version.
    drift : dict, optional
        The latest drift report's summary (``credit-scoring drift``); None says none was made.
    plots_dir : Path, optional
        The run's ``plots`` folder; the cost curve and calibration plots found there are
        embedded (a missing plot is left out, never drawn from other figures).
    font_dir : Path, optional
        Folder of the DejaVu fonts (default: Debian's ``fonts-dejavu-core``).

    Returns
    -------
    bytes
        The PDF document.

    Raises
    ------
    ValueError
        ``lang`` is neither "fr" nor "en".
    FontError
        The DejaVu fonts are missing (the message names the package).
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    tx = TEXTS[lang]
    pdf = _Deck(lang)
    load_fonts(pdf, font_dir or FONT_DIR, needed_by="the review pack")
    pdf.set_title(tx["cover"])
    pdf.set_lang(lang)
    _cover(pdf, report, backtest, tx, lang)
    _purpose(pdf, report, tx, lang)
    _population(pdf, report, tx, lang)
    _candidates(pdf, report, tx, lang)
    _threshold(pdf, report, plots_dir, tx, lang)
    _calibration(pdf, report, plots_dir, tx, lang)
    _grades(pdf, report, tx, lang)
    _fairness(pdf, report, tx, lang)
    _reasons_slide(pdf, report, plots_dir, tx, lang)
    _backtest(pdf, backtest, tx, lang)
    _stability(pdf, backtest, drift, tx, lang)
    _limits(pdf, tx, lang)
    _changes(pdf, report, previous, tx, lang)
    return bytes(pdf.output())


def write_review_pack(
    report: dict[str, Any],
    out_dir: Path,
    *,
    backtest: dict[str, Any] | None,
    previous: dict[str, Any] | None,
    drift: dict[str, Any] | None = None,
    font_dir: Path | None = None,
) -> dict[str, Path]:
    """Write ``review_pack_fr.pdf`` and ``review_pack_en.pdf`` in ``out_dir``.

    Parameters
    ----------
    report : dict
        The training report (:func:`credit_scoring.training.pipeline.build_report`).
    out_dir : Path
        The report folder (created if needed); its ``plots`` sub-folder, when present,
        gives the cost curve and calibration plots.
    backtest : dict or None
        The latest back-test, or None when no outcome has matured yet.
    previous : dict or None
        The previous version's training report, or None for the first version.
    drift : dict, optional
        The latest drift report's summary, or None when none was made.
    font_dir : Path, optional
        Folder of the DejaVu fonts.

    Returns
    -------
    dict of str to Path
        The PDF of each language.

    Raises
    ------
    FontError
        The DejaVu fonts are missing.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = out_dir / "plots"
    paths = {}
    for lang in LANGS:
        path = out_dir / FILE_NAME.format(lang=lang)
        path.write_bytes(
            render_review_pack(
                report,
                lang,
                backtest=backtest,
                previous=previous,
                drift=drift,
                plots_dir=plots if plots.is_dir() else None,
                font_dir=font_dir,
            )
        )
        paths[lang] = path
    return paths


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object stored by an earlier run, or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def latest_drift(reports_dir: Path) -> dict[str, Any] | None:
    """The newest drift report's summary under ``<reports_dir>/drift``, or None."""
    folder = reports_dir / "drift"
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        found = _read_json(path)
        if found is not None and "verdict" in found:
            return found
    return None


def write_training_pack(
    report: dict[str, Any], out_dir: Path, reports_dir: Path, *, model_name: str
) -> list[Path]:
    """After a training run: the pack, and the report it was drawn from, in the run's folder.

    The previous version is the report stored in ``<reports_dir>/model`` by the last run
    (read before this run replaces that folder); the back-test is
    ``<reports_dir>/backtest/latest.json`` when one was run.

    Parameters
    ----------
    report : dict
        The run's training report.
    out_dir : Path
        The run's report folder.
    reports_dir : Path
        The reports root (``settings.reports_dir``).
    model_name : str
        The registered model's name, printed on the cover.

    Returns
    -------
    list of Path
        ``report.json``, ``previous_report.json`` (when there is a previous version) and
        the two PDFs, to log with the run (no PDF when the DejaVu fonts are missing: the
        error is logged, the run goes on).
    """
    report = {**report, "model_name": model_name, "created_at": dt.date.today().isoformat()}
    previous = _read_json(reports_dir / "model" / REPORT_FILE)
    files = [out_dir / REPORT_FILE]
    out_dir.mkdir(parents=True, exist_ok=True)
    files[0].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    if previous is not None:
        files.append(out_dir / PREVIOUS_FILE)
        files[-1].write_text(json.dumps(previous, ensure_ascii=False, indent=1), encoding="utf-8")
    backtest = _read_json(reports_dir / "backtest" / "latest.json")
    try:
        pdfs = write_review_pack(
            report, out_dir, backtest=backtest, previous=previous, drift=latest_drift(reports_dir)
        )
    except FontError as exc:  # hours of training are not lost for a missing font
        log.error("review pack not written: %s", exc)
        return files
    return [*files, *pdfs.values()]


def write_backtest_pack(backtest: dict[str, Any], reports_dir: Path) -> dict[str, Path]:
    """After a back-test: the champion's pack drawn again with the new back-test.

    Written over the packs in ``<reports_dir>/model`` (what ``GET /model/review-pack``
    serves), from the training report stored there.

    Parameters
    ----------
    backtest : dict
        The back-test just stored.
    reports_dir : Path
        The reports root (``settings.reports_dir``).

    Returns
    -------
    dict of str to Path
        The PDF of each language; empty when no training report is stored there (a model
        trained before the review pack existed: train again to get one).
    """
    folder = reports_dir / "model"
    report = _read_json(folder / REPORT_FILE)
    if report is None:
        return {}
    previous = _read_json(folder / PREVIOUS_FILE)
    try:
        return write_review_pack(
            report, folder, backtest=backtest, previous=previous, drift=latest_drift(reports_dir)
        )
    except FontError as exc:  # the back-test itself is stored: say why the pack is not
        log.error("review pack not written: %s", exc)
        return {}


def pack_path(reports_dir: Path, lang: str) -> Path:
    """Where the current champion's pack in ``lang`` is served from."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return reports_dir / "model" / FILE_NAME.format(lang=lang)


__all__ = [
    "LANGS",
    "FontError",
    "pack_path",
    "render_review_pack",
    "write_backtest_pack",
    "write_review_pack",
    "write_training_pack",
]
