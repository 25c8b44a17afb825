"""Features of the application itself: raw values, encodings and domain ratios.

Follows the public Kaggle kernel "LightGBM with simple features" (jsaguiar):
DAYS_EMPLOYED = 365243 (a placeholder used for pensioners) becomes missing with a
separate flag; categoricals are one-hot encoded from the fixed lists in
``categories.py``; the ratios bankers read (credit/income, annuity/income, payment
rate...) and summaries of the external scores are added.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from credit_scoring.core.kaggle import EMPLOYED_PLACEHOLDER
from credit_scoring.features import categories as cats
from credit_scoring.features._dsl import (
    NULL_FLOAT,
    ZERO,
    Feature,
    bare,
    f64,
    flag,
    is_value,
    make_meta,
    ratio,
    slug,
)
from credit_scoring.features.metadata import EXCLUDED_COLUMNS
from credit_scoring.features.phrases import (
    BUILDING_COLUMNS,
    DOCUMENT_COLUMNS,
    ENQUIRY_COLUMNS,
    phrase,
)

SOURCE = "application"
_TEXT_FLAGS = {"FLAG_OWN_CAR": "Y", "FLAG_OWN_REALTY": "Y", "EMERGENCYSTATE_MODE": "Yes"}
_SKIP = {"SK_ID_CURR", "TARGET"}


def _raw(name: str, expr: ir.Value) -> Feature:
    p = phrase("application", name)
    return Feature(f64(expr), make_meta(name, SOURCE, p.en, bare(p.fr), p.unit, name))


def _derived(name: str, expr: ir.Value, en: str, fr: str, unit: str, group: str) -> Feature:
    return Feature(f64(expr), make_meta(name, SOURCE, en, fr, unit, group))


def _raw_features(app: ir.Table, numeric: list[str]) -> list[Feature]:
    out = []
    for col in numeric:
        value = app[col]
        if col == "DAYS_EMPLOYED":
            value = ibis.ifelse(value == EMPLOYED_PLACEHOLDER, NULL_FLOAT, f64(value))
        out.append(_raw(col, value))
    for col, yes in _TEXT_FLAGS.items():
        out.append(_raw(col, ibis.cases((app[col] == yes, 1), (app[col].notnull(), 0))))
    return out


def _one_hot(app: ir.Table) -> list[Feature]:
    out = []
    for col, values in cats.APPLICATION.items():
        if col in EXCLUDED_COLUMNS:
            continue
        p = phrase("application", col)
        for value in values:
            en, fr = cats.label(value)
            out.append(
                _derived(
                    f"{col}_{slug(value)}",
                    is_value(app[col], value),
                    f"{p.en}: {en}",
                    f"{bare(p.fr)} : {fr}",
                    "flag",
                    col,
                )
            )
    levels = ibis.cases(
        *((v == app.NAME_EDUCATION_TYPE, i) for i, v in enumerate(cats.EDUCATION_LEVELS))
    )
    out.append(
        _derived(
            "EDUCATION_LEVEL",
            levels,
            "education level (0 lower secondary to 4 degree)",
            "niveau d'études (0 premier cycle à 4 diplôme universitaire)",
            "score",
            "NAME_EDUCATION_TYPE",
        )
    )
    return out


def _ext_sources(app: ir.Table) -> list[Feature]:
    e = [f64(app[f"EXT_SOURCE_{i}"]) for i in (1, 2, 3)]
    present = sum((f64(x.notnull()) for x in e), ZERO)
    total = sum((x.fill_null(0.0) for x in e), ZERO)
    mean = total / present.nullif(0.0)
    # no spread of the scores: raising one score can widen or narrow it, so a model using it
    # could not promise that a higher external score never raises the risk (monotonicity)
    # coalesce makes every argument non-missing unless all are, so LEAST/GREATEST agree on engines
    a, b, c = e
    filled = (ibis.coalesce(a, b, c), ibis.coalesce(b, a, c), ibis.coalesce(c, a, b))
    g = "EXT_SOURCE"
    return [
        _derived(
            "EXT_SOURCES_MEAN",
            mean,
            "average of the external scores",
            "moyenne des scores externes",
            "score",
            g,
        ),
        _derived(
            "EXT_SOURCES_MIN",
            ibis.least(*filled),
            "lowest external score",
            "score externe le plus bas",
            "score",
            g,
        ),
        _derived(
            "EXT_SOURCES_MAX",
            ibis.greatest(*filled),
            "highest external score",
            "score externe le plus haut",
            "score",
            g,
        ),
        _derived(
            "EXT_SOURCES_PROD",
            a * b * c,
            "product of the three external scores",
            "produit des trois scores externes",
            "score",
            g,
        ),
        _derived(
            "EXT_SOURCES_WEIGHTED",
            a * 2.0 + b + c * 3.0,
            "weighted sum of the external scores (2, 1, 3)",
            "somme pondérée des scores externes (2, 1, 3)",
            "score",
            g,
        ),
        _derived(
            "EXT_SOURCES_COUNT",
            present,
            "number of external scores known",
            "nombre de scores externes connus",
            "count",
            g,
        ),
    ]


def _ratios(app: ir.Table) -> list[Feature]:
    income, credit = app.AMT_INCOME_TOTAL, app.AMT_CREDIT
    annuity, goods = app.AMT_ANNUITY, app.AMT_GOODS_PRICE
    birth = f64(app.DAYS_BIRTH)
    employed = ibis.ifelse(
        app.DAYS_EMPLOYED == EMPLOYED_PLACEHOLDER, NULL_FLOAT, f64(app.DAYS_EMPLOYED)
    )
    docs = sum((f64(app[c]).fill_null(0.0) for c in DOCUMENT_COLUMNS), ZERO)
    # the _MODE and _MEDI variants are known exactly when the _AVG one is: count the 14 averages
    building = sum((f64(app[c].notnull()) for c in BUILDING_COLUMNS if c.endswith("_AVG")), ZERO)
    enquiries = sum((f64(app[c]) for c in ENQUIRY_COLUMNS), ZERO)
    d = _derived
    return [
        d(
            "CREDIT_INCOME_RATIO",
            ratio(credit, income),
            "credit amount relative to the monthly income",
            "montant du crédit rapporté au revenu mensuel",
            "ratio",
            "CREDIT_INCOME_RATIO",
        ),
        d(
            "INCOME_CREDIT_PERC",
            ratio(income, credit),
            "monthly income relative to the credit amount",
            "revenu mensuel rapporté au montant du crédit",
            "ratio",
            "CREDIT_INCOME_RATIO",
        ),
        d(
            "ANNUITY_INCOME_PERC",
            ratio(annuity, income),
            "share of the monthly income taken by the monthly payment",
            "part du revenu mensuel absorbée par la mensualité",
            "ratio",
            "ANNUITY_INCOME_RATIO",
        ),
        d(
            "PAYMENT_RATE",
            ratio(annuity, credit),
            "annuity relative to the credit amount",
            "annuité rapportée au montant du crédit",
            "ratio",
            "PAYMENT_RATE",
        ),
        d(
            "CREDIT_TERM_YEARS",  # the name is kept for trained models: it counts months
            ratio(credit, annuity),
            "credit length in monthly payments",
            "durée du crédit en nombre de mensualités",
            "months",
            "PAYMENT_RATE",
        ),
        d(
            "GOODS_CREDIT_RATIO",
            ratio(goods, credit),
            "price of the goods relative to the credit",
            "prix du bien rapporté au crédit",
            "ratio",
            "GOODS_CREDIT_RATIO",
        ),
        d(
            "CREDIT_GOODS_DIFF",
            f64(credit) - f64(goods),
            "credit amount above the goods price",
            "montant du crédit au-delà du prix du bien",
            "currency",
            "GOODS_CREDIT_RATIO",
        ),
        d(
            "DAYS_EMPLOYED_PERC",
            ratio(employed, birth),
            "share of life spent in the current job",
            "part de la vie passée dans l'emploi actuel",
            "ratio",
            "DAYS_EMPLOYED",
        ),
        d(
            "DAYS_EMPLOYED_PENSIONER",
            flag(app.DAYS_EMPLOYED == EMPLOYED_PLACEHOLDER),
            "pensioner or no job start date recorded",
            "retraité ou sans date d'embauche enregistrée",
            "flag",
            "DAYS_EMPLOYED",
        ),
        d("AGE_YEARS", -birth / 365.25, "age", "âge", "years", "DAYS_BIRTH"),
        d(
            "EMPLOYED_YEARS",
            -employed / 365.25,
            "years in the current job",
            "années dans l'emploi actuel",
            "years",
            "DAYS_EMPLOYED",
        ),
        d(
            "INCOME_PER_CHILD",
            ratio(income, f64(app.CNT_CHILDREN) + 1.0),
            "monthly income per child (plus one)",
            "revenu mensuel par enfant (plus un)",
            "currency",
            "AMT_INCOME_TOTAL",
        ),
        d(
            "ANNUITY_LEFT_INCOME",
            f64(income) - f64(annuity),
            "monthly income left after the monthly payment",
            "revenu mensuel restant après la mensualité",
            "currency",
            "ANNUITY_INCOME_RATIO",
        ),
        d(
            "CAR_AGE_RATIO",
            ratio(app.OWN_CAR_AGE, -birth / 365.25),
            "car age relative to age",
            "âge de la voiture rapporté à l'âge",
            "ratio",
            "OWN_CAR_AGE",
        ),
        d(
            "PHONE_CHANGE_AGE_RATIO",
            ratio(app.DAYS_LAST_PHONE_CHANGE, birth),
            "time since the phone changed relative to age",
            "ancienneté du téléphone rapportée à l'âge",
            "ratio",
            "DAYS_LAST_PHONE_CHANGE",
        ),
        d(
            "ID_PUBLISH_AGE_RATIO",
            ratio(app.DAYS_ID_PUBLISH, birth),
            "time since the identity document changed relative to age",
            "ancienneté de la pièce d'identité rapportée à l'âge",
            "ratio",
            "DAYS_ID_PUBLISH",
        ),
        d(
            "REGISTRATION_AGE_RATIO",
            ratio(app.DAYS_REGISTRATION, birth),
            "time since the registration changed relative to age",
            "ancienneté de l'enregistrement rapportée à l'âge",
            "ratio",
            "DAYS_REGISTRATION",
        ),
        d(
            "DEF_OBS_30_RATIO",
            ratio(app.DEF_30_CNT_SOCIAL_CIRCLE, app.OBS_30_CNT_SOCIAL_CIRCLE),
            "share of acquaintances in default at 30 days",
            "part des proches en défaut à 30 jours",
            "share",
            "SOCIAL_CIRCLE",
        ),
        d(
            "DOCUMENT_COUNT",
            docs,
            "number of documents provided",
            "nombre de documents fournis",
            "count",
            "FLAG_DOCUMENT",
        ),
        d(
            "BUILDING_INFO_COUNT",
            building,
            "number of building details known",
            "nombre d'informations connues sur l'immeuble",
            "count",
            "BUILDING_INFO",
        ),
        d(
            "ENQUIRIES_TOTAL",
            enquiries,
            "credit bureau enquiries over all periods up to a year",
            "consultations du bureau de crédit, toutes périodes jusqu'à un an",
            "count",
            "AMT_REQ_CREDIT_BUREAU",
        ),
        d(
            "EXT_SOURCE_1_AGE",
            f64(app.EXT_SOURCE_1) * (-birth / 365.25),
            "external score 1 times age",
            "score externe 1 multiplié par l'âge",
            "score",
            "EXT_SOURCE",
        ),
    ]


def define(app: ir.Table, numeric: list[str]) -> list[Feature]:
    """Row-level features of the (conformed) application table; ``numeric`` lists its number
    columns in schema order."""
    cols = [c for c in numeric if c not in _SKIP and c not in EXCLUDED_COLUMNS]
    return _raw_features(app, cols) + _one_hot(app) + _ext_sources(app) + _ratios(app)
