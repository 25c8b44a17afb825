"""The model card: what the champion is, how good it is, and how fair its decisions are."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from credit_scoring.core import formatting
from credit_scoring.core import grades as scale
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling.evaluate import to_markdown
from credit_scoring.training.fairness import disparity, gap_table

LANGS = ("fr", "en")
# The French headers of the card's tables (the English ones are the column names).
HEADERS_FR = {
    "group": "groupe",
    "clients": "clients",
    "default_rate": "taux de défaut",
    "approval_rate": "taux d'acceptation",
    "false_negative_rate": "taux de faux négatifs",
    "false_positive_rate": "taux de faux positifs",
    "roc_auc": "ROC AUC",
    "grade": "classe",
    "pd_range": "plage de PD",
    "share": "part",
    "predicted_pd": "PD prédite",
    "observed_default_rate": "taux de défaut observé",
    "defaults": "défauts",
    "jeffreys_p_value": "p-valeur de Jeffreys",
    "binomial_p_value": "p-valeur binomiale",
    "attribute": "attribut",
    "metric": "mesure",
    "gap_with_protected": "écart avec eux",
    "gap_without_protected": "écart sans eux",
    "decile": "décile",
    "min_probability": "probabilité la plus basse",
    "max_probability": "probabilité la plus haute",
    "cum_defaults_share": "part cumulée des défaillants",
    "cum_repaid_share": "part cumulée des bons clients",
    "ks": "KS",
    "lift": "lift",
    "rows_used": "lignes utilisées par pli",
    "rows_available": "lignes par pli",
}
# Group and attribute labels of the fairness tables, in French.
GROUPS_FR = {
    "F": "femmes",
    "M": "hommes",
    "unknown": "non renseigné",
    "under 30": "moins de 30 ans",
    "30–45": "30 à 45 ans",
    "45–60": "45 à 60 ans",
    "over 60": "60 ans et plus",
    "CODE_GENDER": "sexe",
    "age_band": "tranche d'âge",
    "approval_rate": "taux d'acceptation",
    "false_negative_rate": "taux de faux négatifs",
    "false_positive_rate": "taux de faux positifs",
}


def table_markdown(table: pd.DataFrame, lang: str = "en", digits: int = 4) -> str:
    """A markdown table in ``lang``: French headers, labels and decimal commas in French.

    Parameters
    ----------
    table : DataFrame
        The table; its index is not written.
    lang : {"fr", "en"}, default="en"
        English gives :func:`~credit_scoring.modeling.evaluate.to_markdown`'s table.
    digits : int, default=4
        Decimals of float cells.

    Returns
    -------
    str
        The markdown table.

    Examples
    --------
    >>> print(table_markdown(pd.DataFrame({"group": ["over 60"], "roc_auc": [0.75]}), "fr", 2))
    | groupe | ROC AUC |
    |---|---|
    | 60 ans et plus | 0,75 |
    """
    if lang != "fr":
        return to_markdown(table, digits=digits)

    def cell(value: Any) -> str:
        if isinstance(value, float | np.floating):
            return formatting.number(float(value), "fr", digits)
        if value is None:
            return "—"
        return GROUPS_FR.get(str(value), str(value))

    lines = [
        "| " + " | ".join(HEADERS_FR.get(str(c), str(c)) for c in table.columns) + " |",
        "|" + "---|" * len(table.columns),
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join(lines)


def _n(value: float, lang: str, digits: int = 4) -> str:
    return formatting.number(value, lang, digits) if lang == "fr" else f"{value:.{digits}f}"


FAIRNESS_COLUMNS = [
    "group",
    "clients",
    "default_rate",
    "approval_rate",
    "false_negative_rate",
    "false_positive_rate",
    "roc_auc",
]


def fairness_markdown(tables: dict[str, pd.DataFrame], lang: str = "en") -> str:
    """The fairness tables in markdown, each with its gaps between groups.

    Parameters
    ----------
    tables : dict of str to DataFrame
        :func:`~credit_scoring.training.fairness.fairness_report`.
    lang : {"fr", "en"}, default="en"
        The language of the text, the headers and the groups.

    Returns
    -------
    str
        Per attribute its table and the gaps in approval, false negative and false
        positive rates (groups of at least 100 clients); a sentence when there is none.
    """
    parts = []
    for attribute, table in tables.items():
        gaps = [
            _n(disparity(table, m), lang, 3)
            for m in ("approval_rate", "false_negative_rate", "false_positive_rate")
        ]
        if lang == "fr":
            title = GROUPS_FR.get(attribute, attribute).capitalize()
            sentence = (
                f"Écart entre groupes (≥ 100 clients) : taux d'acceptation {gaps[0]}, taux de "
                f"faux négatifs {gaps[1]}, taux de faux positifs {gaps[2]}."
            )
        else:
            title = attribute
            sentence = (
                f"Gap between groups (≥ 100 clients): approval rate {gaps[0]}, false negative "
                f"rate {gaps[1]}, false positive rate {gaps[2]}."
            )
        parts.append(
            f"**{title}**\n\n{table_markdown(table[FAIRNESS_COLUMNS], lang, 3)}\n\n{sentence}"
        )
    if parts:
        return "\n\n".join(parts)
    return (
        "_Ni sexe ni date de naissance dans les données : équité non mesurée._"
        if lang == "fr"
        else "_No sex or birth date column: fairness not measured._"
    )


def grades_markdown(table: pd.DataFrame, lang: str = "en") -> str:
    """The master scale with the out-of-fold figures per grade.

    Parameters
    ----------
    table : DataFrame
        :func:`~credit_scoring.modeling.evaluate.grade_table`.
    lang : {"fr", "en"}, default="en"
        The language of the text and the headers.

    Returns
    -------
    str
        The table in markdown, then the points scale and how to read the two p-values.
    """
    shown = table.assign(
        pd_range=[
            f"{formatting.percent(lo, lang)} – {formatting.percent(hi, lang)}"
            if lang == "fr"
            else f"{lo:.1%} – {hi:.1%}"
            for lo, hi in zip(table["pd_from"], table["pd_to"], strict=True)
        ]
    )[
        [
            "grade",
            "pd_range",
            "clients",
            "share",
            "predicted_pd",
            "observed_default_rate",
            "defaults",
            "jeffreys_p_value",
            "binomial_p_value",
        ]
    ]
    if lang == "fr":
        return (
            f"{table_markdown(shown, 'fr', 4)}\n\nPoints : {scale.scale_description('fr')} La "
            "p-valeur de Jeffreys est la probabilité, selon la loi a posteriori Beta(défauts + "
            "1/2, clients − défauts + 1/2), que le taux de défaut soit au plus la PD prédite : "
            "sous 0,05, la PD de la classe paraît sous-estimée. La p-valeur binomiale est celle "
            "du test exact bilatéral."
        )
    return (
        f"{to_markdown(shown, digits=4)}\n\nPoints: {scale.scale_description()} The Jeffreys "
        "p-value is the probability, under the posterior Beta(defaults + 1/2, clients − "
        "defaults + 1/2), that the default rate is at most the predicted PD: below 0.05 the "
        "grade's PD looks underestimated. The binomial p-value is the exact two-sided test."
    )


def protected_markdown(protected: dict[str, Any] | None, lang: str = "en") -> str:
    """The AUC cost of leaving sex and family status out, and the gaps before and after.

    Parameters
    ----------
    protected : dict or None
        :func:`~credit_scoring.training.pipeline.protected_summary`: ``auc_with``,
        ``auc_without``, ``cost_with``, ``cost_without``, ``fairness_before`` and
        ``fairness_after``.
    lang : {"fr", "en"}, default="en"
        The language of the text and the table.

    Returns
    -------
    str
        Markdown; a sentence saying the cost was not measured when ``protected`` is empty.
    """
    if not protected:
        return (
            "_Aucun attribut protégé dans la table d'entraînement : coût non mesuré._"
            if lang == "fr"
            else "_No protected attribute in the training table: cost not measured._"
        )
    gaps = gap_table(protected["fairness_before"], protected["fairness_after"])
    p = protected
    auc_with, auc_without = _n(p["auc_with"], lang), _n(p["auc_without"], lang)
    delta = p["auc_with"] - p["auc_without"]
    cost = (
        ("+" if delta >= 0 else "−") + formatting.number(abs(delta), "fr", 4)
        if lang == "fr"
        else f"{delta:+.4f}"
    )
    cost_with, cost_without = _n(p["cost_with"], lang), _n(p["cost_without"], lang)
    if lang == "fr":
        return (
            "Le sexe (`CODE_GENDER`) et la situation familiale (`NAME_FAMILY_STATUS`, avec le "
            "nombre de membres du foyer et l'accompagnant, qui la révèlent) ne sont pas des "
            "entrées du modèle. La même configuration entraînée avec eux en entrées "
            "supplémentaires, sur les mêmes plis : ROC AUC hors échantillon "
            f"**{auc_with}** avec eux contre **{auc_without}** sans eux (coût {cost}) ; coût "
            f"par demandeur {cost_with} avec eux contre {cost_without} sans eux.\n\n"
            "Écarts entre groupes au seuil propre à chaque modèle (le plus grand moins le plus "
            f"petit, groupes d'au moins 100 clients) :\n\n{table_markdown(gaps, 'fr', 3)}"
        )
    return (
        f"Sex (`CODE_GENDER`) and family status (`NAME_FAMILY_STATUS`, with the number of "
        f"family members and the accompanying person, which reveal it) are not model inputs. "
        f"The same configuration trained with them as extra inputs, on the same folds: "
        f"out-of-fold ROC AUC **{auc_with}** with them against **{auc_without}** without "
        f"(cost {cost}); cost per applicant {cost_with} with them against {cost_without} "
        f"without.\n\n"
        f"Gaps between groups at each model's own threshold (largest minus smallest, groups "
        f"of at least 100 clients):\n\n{to_markdown(gaps, digits=3)}"
    )


def ks_markdown(table: pd.DataFrame, lang: str = "en") -> str:
    """A KS table in markdown, three decimals.

    Parameters
    ----------
    table : DataFrame
        :func:`~credit_scoring.modeling.evaluate.ks_table`.
    lang : {"fr", "en"}, default="en"
        The language of the headers and the decimals.

    Returns
    -------
    str
        The markdown table.
    """
    return table_markdown(table, lang, 3)


def model_card(
    *,
    model_name: str,
    winner: str,
    metrics: dict[str, float],
    params: dict[str, Any],
    fairness: dict[str, pd.DataFrame],
    n_features: int,
    fingerprint: str,
    cost_fn: float,
    cost_fp: float,
    grades: pd.DataFrame | None = None,
    ks: pd.DataFrame | None = None,
    protected: dict[str, Any] | None = None,
    monotone: int = 0,
    lang: str = "en",
) -> str:
    """Markdown model card (Mitchell et al. headings, kept short), in French or English.

    Parameters
    ----------
    model_name : str
        The registered model's name.
    winner : str
        The winning candidate's name.
    metrics : dict of str to float
        The run's metrics (:func:`~credit_scoring.training.steps.run_metrics`).
    params : dict
        The run's parameters (:func:`~credit_scoring.training.steps.run_params`).
    fairness : dict of str to DataFrame
        The champion's fairness tables.
    n_features : int
        Number of model inputs.
    fingerprint : str
        The training data's fingerprint.
    cost_fn : float
        Cost of a defaulter accepted.
    cost_fp : float
        Cost of a good client refused.
    grades : DataFrame, optional
        The grade table; "Not computed" without it.
    ks : DataFrame, optional
        The champion's KS table; "Not computed" without it.
    protected : dict, optional
        What leaving the protected attributes out costs (:func:`protected_markdown`).
    monotone : int, default=0
        Number of inputs with a monotone constraint.
    lang : {"fr", "en"}, default="en"
        The card's language: text, table headers, groups and decimals.

    Returns
    -------
    str
        The card in markdown, dated at the current UTC time.

    Raises
    ------
    KeyError
        ``metrics`` lacks one of the figures the card always shows (``roc_auc``,
        ``pr_auc``, ``brier``, ``ece``, ``threshold`` or the costs).
    """
    m = metrics
    if lang == "fr":
        return _card_fr(
            model_name=model_name,
            winner=winner,
            m=m,
            params=params,
            fairness=fairness,
            n_features=n_features,
            fingerprint=fingerprint,
            cost_fn=cost_fn,
            cost_fp=cost_fp,
            grades=grades,
            ks=ks,
            protected=protected,
            monotone=monotone,
        )
    grade_section = grades_markdown(grades) if grades is not None else "_Not computed._"
    ks_section = ks_markdown(ks) if ks is not None else "_Not computed._"
    return f"""# Model card — {model_name}

## Model details
- Trained {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; winner **{winner}**
  (LightGBM gradient boosting, {params.get("calibration", "?")} calibration fitted out of fold).
- {n_features} features (feature-set version {params.get("feature_set_version", "?")});
  training data fingerprint `{fingerprint}`. {monotone} of them carry a monotone constraint
  declared in the feature metadata (external scores, income, late payments, refusals,
  estimated interest rate...): raising one, all else equal, moves the risk one way only.
- Sex and family status are not inputs; age is (see the methodology note).

## Intended use
Helps relationship managers decide on consumer-credit applications of clients with little
or no credit history. The probability of default and its reasons support the advisor, who
may override the decision with a justification; every decision is logged.

## Performance (out of fold, {int(m.get("n_train", 0)):,} clients, {m.get("default_rate", 0):.1%} defaulters)
| metric | value |
|---|---|
| ROC AUC | {m["roc_auc"]:.4f} (logistic-regression baseline {m.get("baseline_roc_auc", float("nan")):.4f}) |
| Gini (2·AUC − 1) | {m.get("gini", 2 * m["roc_auc"] - 1):.4f} |
| KS | {m.get("ks", float("nan")):.4f} |
| PR AUC | {m["pr_auc"]:.4f} |
| Brier score | {m["brier"]:.4f} |
| Expected calibration error | {m["ece"]:.4f} |
| Threshold (refuse when p ≥ t) | {m["threshold"]:.4f} |
| Cost per applicant at the threshold | {m["cost_per_applicant"]:.4f} |
| Cost per applicant at 0.5 | {m["cost_at_half"]:.4f} |
| Cost per applicant, accepting everyone | {m["cost_accept_all"]:.4f} |

Costs: a defaulter accepted costs {cost_fn:g}, a good client refused costs {cost_fp:g}.

## Rating grades (master scale, out of fold)
{grade_section}

## KS table by score decile (out of fold, riskiest decile first)
{ks_section}

## Protected attributes
{protected_markdown(protected)}

## Fairness (decisions at the threshold, out of fold)
A false negative grants credit to a client who then defaults; a false positive refuses a
client who would have repaid.

{fairness_markdown(fairness)}

## Limits
- Trained on a sample of Home Credit applications; history tables cover only part of the
  clients, so scores of clients without history rely on the application alone.
- Age is an input; differences in approval rates between sexes and age bands partly follow
  differences in observed default rates and must be reviewed by people before any use in
  production.
- Probabilities are calibrated on the training population; re-check calibration when the
  population drifts (see the drift report).
"""


def _card_fr(
    *,
    model_name: str,
    winner: str,
    m: dict[str, float],
    params: dict[str, Any],
    fairness: dict[str, pd.DataFrame],
    n_features: int,
    fingerprint: str,
    cost_fn: float,
    cost_fp: float,
    grades: pd.DataFrame | None,
    ks: pd.DataFrame | None,
    protected: dict[str, Any] | None,
    monotone: int,
) -> str:
    """The card in French (:func:`model_card` with ``lang="fr"``)."""

    def n(value: float | None, digits: int = 4) -> str:
        return formatting.number(value, "fr", digits)

    missing = "_Non calculé._"
    grade_section = grades_markdown(grades, "fr") if grades is not None else missing
    ks_section = ks_markdown(ks, "fr") if ks is not None else missing
    calibration = {"sigmoid": "sigmoïde", "isotonic": "isotonique"}.get(
        str(params.get("calibration")), str(params.get("calibration", "?"))
    )
    return f"""# Fiche du modèle — {model_name}

## Le modèle
- Entraîné le {formatting.datetime(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "fr")} (UTC) ;
  candidat retenu **{winner}** (gradient boosting LightGBM, calibration {calibration} ajustée
  hors échantillon).
- {formatting.number(n_features, "fr", 0)} variables (version du jeu de variables
  {params.get("feature_set_version", "?")}) ; empreinte des données d'entraînement
  `{fingerprint}`. {formatting.number(monotone, "fr", 0)} d'entre elles portent une contrainte
  monotone déclarée dans les métadonnées des variables (scores externes, revenu, retards de
  paiement, refus, taux d'intérêt estimé...) : augmenter l'une d'elles, le reste égal, ne fait
  varier le risque que dans un sens.
- Le sexe et la situation familiale ne sont pas des entrées ; l'âge en est une (voir la note
  méthodologique).

## Usage prévu
Aider les conseillers à décider des demandes de crédit à la consommation de clients qui ont
peu ou pas d'historique de crédit. La probabilité de défaut et ses raisons éclairent le
conseiller, qui peut déroger à la décision en la justifiant ; chaque décision est journalisée.

## Performance (hors échantillon, {formatting.number(m.get("n_train", 0), "fr", 0)} clients, {formatting.percent(m.get("default_rate", 0), "fr")} de défaillants)
| mesure | valeur |
|---|---|
| ROC AUC | {n(m["roc_auc"])} (référence régression logistique {n(m.get("baseline_roc_auc"))}) |
| Gini (2·AUC − 1) | {n(m.get("gini", 2 * m["roc_auc"] - 1))} |
| KS | {n(m.get("ks"))} |
| PR AUC | {n(m["pr_auc"])} |
| Score de Brier | {n(m["brier"])} |
| Erreur de calibration attendue (ECE) | {n(m["ece"])} |
| Seuil (refus quand p ≥ s) | {n(m["threshold"])} |
| Coût par demandeur au seuil | {n(m["cost_per_applicant"])} |
| Coût par demandeur au seuil de 0,5 | {n(m["cost_at_half"])} |
| Coût par demandeur en acceptant tout le monde | {n(m["cost_accept_all"])} |

Coûts : un défaillant accepté coûte {formatting.number(cost_fn, "fr", 2)}, un bon client
refusé coûte {formatting.number(cost_fp, "fr", 2)}.

## Classes de risque (échelle maîtresse, hors échantillon)
{grade_section}

## Table KS par décile de score (hors échantillon, décile le plus risqué d'abord)
{ks_section}

## Attributs protégés
{protected_markdown(protected, "fr")}

## Équité (décisions au seuil, hors échantillon)
Un faux négatif accorde un crédit à un client qui fait ensuite défaut ; un faux positif
refuse un client qui aurait remboursé.

{fairness_markdown(fairness, "fr")}

## Limites
- Entraîné sur un échantillon des demandes Home Credit ; les tables d'historique ne couvrent
  qu'une partie des clients, et le score d'un client sans historique repose sur sa seule
  demande.
- L'âge est une entrée ; les écarts de taux d'acceptation entre sexes et tranches d'âge
  suivent en partie les écarts de taux de défaut observés et doivent être revus par des
  personnes avant tout usage en production.
- Les probabilités sont calibrées sur la population d'entraînement ; revérifiez la
  calibration quand la population dérive (voir le rapport de dérive).
"""


def card_in(report: Mapping[str, Any], lang: str) -> str:
    """The model card of a champion's report in ``lang``.

    Reports written before the cards were bilingual hold the English card only
    (``model_card``): it is given for either language.

    Parameters
    ----------
    report : mapping
        The champion's report (:func:`~credit_scoring.training.pipeline.build_report`).
    lang : {"fr", "en"}
        The reader's language.

    Returns
    -------
    str
        The card's markdown, or an empty string when the report has none.

    Examples
    --------
    >>> card_in({"model_cards": {"fr": "# Fiche", "en": "# Card"}}, "fr")
    '# Fiche'
    >>> card_in({"model_card": "# Card"}, "fr")
    '# Card'
    """
    cards = report.get("model_cards") or {}
    return str(
        cards.get(lang) or report.get("model_card") or report.get("model_card_markdown") or ""
    )


def described_importance(
    top: Mapping[str, float], metas: Mapping[str, FeatureMeta], lang: str
) -> list[dict[str, Any]]:
    """Global importance as rows a person reads: the feature, its description, its share.

    Parameters
    ----------
    top : mapping of str to float
        Importance by feature name, largest first (the report's ``top_features``).
    metas : mapping of str to FeatureMeta
        The features' descriptions.
    lang : {"fr", "en"}
        The language of the descriptions.

    Returns
    -------
    list of dict
        ``feature``, ``description`` (the name when undescribed) and ``importance``.
    """
    return [
        {
            "feature": name,
            "description": metas[name].description(lang) if name in metas else name,
            "importance": float(value),
        }
        for name, value in top.items()
    ]


def described_points(
    rows: list[dict[str, Any]], metas: Mapping[str, FeatureMeta], lang: str
) -> list[dict[str, Any]]:
    """The scorecard's points rows, each characteristic with its description in ``lang``.

    Parameters
    ----------
    rows : list of dict
        The report's ``scorecard_points``.
    metas : mapping of str to FeatureMeta
        The features' descriptions.
    lang : {"fr", "en"}
        The language of the descriptions.

    Returns
    -------
    list of dict
        The rows with ``description`` added (the characteristic when undescribed).
    """
    return [
        {
            **row,
            "description": (
                metas[str(row.get("characteristic"))].description(lang)
                if str(row.get("characteristic")) in metas
                else str(row.get("characteristic", ""))
            ),
        }
        for row in rows
    ]
