"""Application rows (train and test) of one chunk of clients, driven by a latent risk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy.special import ndtr

from credit_scoring.data.schemas import SCHEMAS
from credit_scoring.data.synth._base import (
    NO_DATE,
    Columns,
    inverse_cdf,
    marginal,
    sigmoid,
    without,
)
from credit_scoring.data.synth._base import (
    correlated_uniform as _u,
)

FIRST_ID = 100002
TABLE = "application_train"
# P(default) = sigmoid(_ALPHA + _BETA * risk); risk ~ N(0, 1) gives a mean near 8 %.
_ALPHA, _BETA = -3.7, 1.95
_PENSIONER_SHARE = 0.18
_INCOME_ORDER = [
    "Pensioner",
    "State servant",
    "Businessman",
    "Commercial associate",
    "Student",
    "Working",
    "Maternity leave",
    "Unemployed",
]
_EDUCATION_ORDER = [
    "Academic degree",
    "Higher education",
    "Incomplete higher",
    "Secondary / secondary special",
    "Lower secondary",
]
_BUILDING_EXTRA = (
    "FONDKAPREMONT_MODE",
    "HOUSETYPE_MODE",
    "WALLSMATERIAL_MODE",
    "EMERGENCYSTATE_MODE",
)
GROUPS = {
    "building": tuple(
        c
        for c in SCHEMAS[TABLE].columns
        if c.endswith(("_AVG", "_MODE", "_MEDI")) or c in _BUILDING_EXTRA
    ),
    "bureau_requests": tuple(
        c for c in SCHEMAS[TABLE].columns if c.startswith("AMT_REQ_CREDIT_BUREAU")
    ),
}


@dataclass
class Clients:
    """What the history tables need to know about the clients of a chunk."""

    ids: np.ndarray  # SK_ID_CURR, int64
    risk: np.ndarray  # latent standard normal; higher = more likely to default
    test: np.ndarray  # bool: row of application_test
    income: np.ndarray
    age_days: np.ndarray  # positive

    def __len__(self) -> int:
        return len(self.ids)


def application_test_mask(first_index: int, n: int, test_share: float) -> np.ndarray:
    """Spread test clients evenly over the id range; exactly round(N * share) of N overall."""
    i = np.arange(first_index, first_index + n, dtype="float64")
    return np.floor((i + 1) * test_share + 0.5) > np.floor(i * test_share + 0.5)


def _level(values: np.ndarray, name: str, level: str) -> np.ndarray:
    levels = marginal(TABLE, name)["levels"]
    return values == levels.index(level) if level in levels else np.zeros(len(values), bool)


def generate_applications(
    rng: np.random.Generator, first_index: int, n: int, test_share: float
) -> tuple[Clients, pa.Table, pa.Table]:
    """Clients of one chunk with their application_train and application_test rows."""
    risk = rng.standard_normal(n)
    cols = Columns(TABLE, n)
    ids = FIRST_ID + first_index + np.arange(n, dtype="int64")
    cols.put("SK_ID_CURR", ids)
    cols.put("TARGET", (rng.random(n) < sigmoid(_ALPHA + _BETA * risk)).astype("int64"))

    contract = cols.put_marginal("NAME_CONTRACT_TYPE", rng.random(n))
    revolving = _level(contract, "NAME_CONTRACT_TYPE", "Revolving loans")
    cols.put_marginal("CODE_GENDER", _u(rng, (0.15, risk)), order=["F", "M", "XNA"])
    cols.put_marginal("NAME_EDUCATION_TYPE", _u(rng, (0.2, risk)), order=_EDUCATION_ORDER)

    # Age first (DAYS_BIRTH < 0: a high uniform means young), then pensioners among the oldest.
    young = rng.standard_normal(n) * np.sqrt(1 - 0.2**2) + 0.2 * risk
    u_age = ndtr(young)
    days_birth = inverse_cdf(marginal(TABLE, "DAYS_BIRTH"), u_age)
    cols.put("DAYS_BIRTH", days_birth)
    age_days = -days_birth
    old = -young
    pensioner = (u_age < 0.32) & (rng.random(n) < _PENSIONER_SHARE / 0.32)
    income_m = marginal(TABLE, "NAME_INCOME_TYPE")
    income_type = inverse_cdf(without(income_m, "Pensioner"), _u(rng, (0.15, risk)), _INCOME_ORDER)
    income_type = np.where(pensioner, income_m["levels"].index("Pensioner"), income_type)
    cols.put("NAME_INCOME_TYPE", income_type, levels=income_m["levels"])
    idle = pensioner | _level(income_type, "NAME_INCOME_TYPE", "Unemployed")

    years = np.exp(np.log(3.6) + 1.1 * rng.standard_normal(n) - 0.3 * risk)
    employed = -np.minimum(np.rint(years * 365.25), age_days - 18 * 365)
    cols.put("DAYS_EMPLOYED", np.where(idle, NO_DATE, np.minimum(employed, -1)))
    cols.put("FLAG_EMP_PHONE", (~idle).astype("int64"))
    org_m = marginal(TABLE, "ORGANIZATION_TYPE")
    org = inverse_cdf(without(org_m, "XNA"), rng.random(n))
    cols.put(
        "ORGANIZATION_TYPE",
        np.where(idle, org_m["levels"].index("XNA"), org),
        levels=org_m["levels"],
    )
    cols.put_marginal("OCCUPATION_TYPE", rng.random(n), missing=idle | (rng.random(n) < 0.16))

    car = cols.put_marginal("FLAG_OWN_CAR", rng.random(n))
    has_car = _level(car, "FLAG_OWN_CAR", "Y")
    cols.put_marginal("OWN_CAR_AGE", rng.random(n), missing=~has_car)
    children = cols.put_marginal("CNT_CHILDREN", rng.random(n))
    family = cols.put_marginal("NAME_FAMILY_STATUS", rng.random(n))
    couple = _level(family, "NAME_FAMILY_STATUS", "Married") | _level(
        family, "NAME_FAMILY_STATUS", "Civil marriage"
    )
    cols.put("CNT_FAM_MEMBERS", 1.0 + children + couple)

    # Amounts: income, then goods price correlated with income, credit = goods + insurance.
    n_income = rng.standard_normal(n) * np.sqrt(1 - 0.12**2) - 0.12 * risk
    income = inverse_cdf(marginal(TABLE, "AMT_INCOME_TOTAL"), ndtr(n_income))
    income = np.maximum(np.rint(income / 2250) * 2250, 25650.0)
    cols.put("AMT_INCOME_TOTAL", income)
    goods = inverse_cdf(marginal(TABLE, "AMT_GOODS_PRICE"), _u(rng, (0.45, n_income), (0.12, risk)))
    goods = np.maximum(np.rint(goods / 4500) * 4500, 45000.0)
    insured = rng.random(n) < sigmoid(0.2 + 0.35 * risk)
    credit = goods * np.where(insured, 1.0 + rng.uniform(0.05, 0.25, n) + 0.03 * risk.clip(0), 1.0)
    credit = np.where(revolving, np.clip(np.rint(goods / 45000) * 45000, 45000, 1350000), credit)
    goods = np.where(revolving, credit, goods)
    credit = np.rint(credit * 2) / 2
    # Larger credits run longer: credit/annuity goes from ~10 to ~45 months like Kaggle's.
    log_months = np.log(20.0) + 0.35 * np.log(credit / 500_000) + 0.2 * rng.standard_normal(n)
    months = np.clip(np.exp(log_months + 0.05 * risk), 8, 45)
    cols.put("AMT_CREDIT", credit)
    cols.put("AMT_ANNUITY", np.rint(np.where(revolving, credit / 20, credit / months) * 2) / 2)
    cols.put("AMT_GOODS_PRICE", goods, missing=revolving & (rng.random(n) < 0.01))

    region = _u(rng, (0.15, risk))
    cols.put_marginal("REGION_RATING_CLIENT", region)
    cols.put_marginal(
        "REGION_RATING_CLIENT_W_CITY", np.where(rng.random(n) < 0.85, region, rng.random(n))
    )
    for name, rho_risk, rho_age in (
        ("EXT_SOURCE_1", -0.42, 0.35),
        ("EXT_SOURCE_2", -0.45, 0.05),
        ("EXT_SOURCE_3", -0.45, 0.15),
    ):
        m = marginal(TABLE, name)
        cols.put_marginal(
            name, _u(rng, (rho_risk, risk), (rho_age, old)), missing=rng.random(n) < m["missing"]
        )

    floor = -(age_days - 14 * 365)  # documents and registration after the 14th birthday
    for name in ("DAYS_REGISTRATION", "DAYS_ID_PUBLISH"):
        cols.put(name, np.maximum(inverse_cdf(marginal(TABLE, name), rng.random(n)), floor))
    cols.put_marginal("DAYS_LAST_PHONE_CHANGE", _u(rng, (0.1, risk)))

    social_missing = rng.random(n) < marginal(TABLE, "OBS_30_CNT_SOCIAL_CIRCLE")["missing"]
    obs = cols.put_marginal("OBS_30_CNT_SOCIAL_CIRCLE", rng.random(n), missing=social_missing)
    cols.put("OBS_60_CNT_SOCIAL_CIRCLE", obs, missing=social_missing)
    default_u = _u(rng, (0.2, risk))
    def30 = np.minimum(inverse_cdf(marginal(TABLE, "DEF_30_CNT_SOCIAL_CIRCLE"), default_u), obs)
    cols.put("DEF_30_CNT_SOCIAL_CIRCLE", def30, missing=social_missing)
    cols.put(
        "DEF_60_CNT_SOCIAL_CIRCLE",
        np.maximum(def30 - (rng.random(n) < 0.3), 0),
        missing=social_missing,
    )

    cols.fill_rest(rng, groups=GROUPS)
    table = cols.to_arrow()
    test = application_test_mask(first_index, n, test_share)
    train_rows = pa.array(~test)
    train = table.filter(train_rows)
    test_table = table.filter(pa.array(test)).drop_columns(["TARGET"])
    clients = Clients(ids=ids, risk=risk, test=test, income=income, age_days=age_days)
    return clients, train, test_table
