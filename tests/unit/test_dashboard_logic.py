"""Pure functions behind the dashboard pages: search of the largest amount, positions, charts."""

from __future__ import annotations

import pytest
from dashboard_fake import THRESHOLD, FakeApi, probability

from credit_scoring.dashboard import charts
from credit_scoring.dashboard.i18n import fmt_money, fmt_pct
from credit_scoring.dashboard.views.client_file import balance_sheet, term_months
from credit_scoring.dashboard.views.comparison import share_below
from credit_scoring.dashboard.views.model import calibration_points, importance_items
from credit_scoring.dashboard.views.what_if import largest_granted_amount


def test_bisection_finds_the_largest_granted_amount_within_budget() -> None:
    income = 200_000.0
    # probability(credit) < 0.3  <=>  credit < income * (0.25 / 0.06)
    exact = income * (THRESHOLD - 0.05) / 0.06
    asked: list[float] = []

    def granted(amount: float) -> bool:
        asked.append(amount)
        return probability(amount, income) < THRESHOLD

    found = largest_granted_amount(granted, low=10_000.0, high=2_000_000.0, max_calls=12)
    assert found.calls == len(asked) <= 12
    assert found.amount is not None and not found.at_upper_bound
    assert found.amount <= exact
    # 10 bisection steps on a 1.99 M bracket leave < 2 k of uncertainty
    assert exact - found.amount < 2_000


def test_bisection_edges() -> None:
    always = largest_granted_amount(lambda a: True, low=1.0, high=500.0)
    assert always.amount == 500.0 and always.at_upper_bound and always.calls == 1
    never = largest_granted_amount(lambda a: False, low=1.0, high=500.0)
    assert never.amount is None and never.calls == 2
    failing = largest_granted_amount(lambda a: None, low=1.0, high=500.0)
    assert failing.amount is None and failing.calls == 1


def test_share_below_interpolates_in_the_bin() -> None:
    edges, counts = [0.0, 10.0, 20.0, 30.0], [10, 20, 10]
    assert share_below(edges, counts, 10.0) == pytest.approx(0.25)
    assert share_below(edges, counts, 15.0) == pytest.approx(0.5)
    assert share_below(edges, counts, 99.0) == 1.0
    assert share_below(edges, counts, -5.0) == 0.0
    assert share_below(edges, counts, None) is None
    assert share_below(edges, [1, 2], 3.0) is None  # inconsistent shapes


def test_term_and_balance_sheet() -> None:
    assert term_months(240_000.0, 10_000.0) == 24
    assert term_months(None, 10.0) is None
    detail = FakeApi()._detail(FakeApi().clients[100002])
    sheet = balance_sheet(detail)
    assert (sheet.bureau_active, sheet.bureau_closed) == (1, 1)
    assert sheet.bureau_active_debt == 50_000.0
    assert sheet.previous_status == {"Approved": 1, "Refused": 1}
    assert (sheet.months_late, sheet.months_observed) == (2, 6)


def test_model_report_shapes() -> None:
    assert calibration_points({"calibration": {"predicted": [0.1], "observed": [0.2]}}) == (
        [0.1],
        [0.2],
    )
    assert calibration_points({"calibration": [{"predicted": 0.1, "observed": 0.3}]}) == (
        [0.1],
        [0.3],
    )
    assert calibration_points({}) is None
    rows = [{"feature": "a", "importance": 1.0}, {"feature": "b", "importance": 3.0}]
    assert importance_items({"importance": rows}) == [("b", 3.0), ("a", 1.0)]


def test_charts_mark_the_threshold_and_client_and_use_the_palette() -> None:
    fig = charts.gauge(0.42, 0.3, title="Risque", threshold_label="Seuil")
    gauge = fig.data[0]
    assert gauge.value == 42.0 and gauge.gauge.threshold.value == pytest.approx(30.0)
    assert gauge.gauge.bar.color == charts.AGAINST
    french = charts.gauge(0.1, 0.3, title="R", threshold_label="Seuil", decimal=",")
    assert french.layout.separators.startswith(",")
    assert french.layout.annotations[0].text == "Seuil : 30,0 %"
    assert french.data[0].gauge.bar.color == charts.FOR
    # steps of probability: f2, f4... raise the risk, f1, f3... lower it
    items = [(f"f{i}", 0.001 * i * (-1) ** i) for i in range(1, 21)]
    wf = charts.waterfall(
        items,
        base=0.08,
        title="W",
        base_label="moyen",
        total_label="client",
        others_label="autres",
        axis_label="Probabilité de défaut",
        fmt_step=lambda v: f"{100 * v:+.1f} pts",
        fmt_level=lambda v: f"{100 * v:.1f} %",
        decimal=",",
        top=2,
    ).data[0]
    assert list(wf.y) == ["moyen", "f20", "f18", "f19", "f17", "autres", "client"]
    assert wf.x[0] == pytest.approx(8.0)  # the axis in percent
    rest = sum(v for name, v in items if name not in {"f20", "f18", "f19", "f17"})
    assert wf.x[5] == pytest.approx(100 * rest)
    assert list(wf.text)[1] == "+2.0 pts" and list(wf.text)[-1] == "9.0 %"
    assert wf.increasing.marker.color == charts.AGAINST
    assert wf.decreasing.marker.color == charts.FOR
    dist = charts.distribution(
        [("all", [0, 1, 2], [1, 3])],
        client_value=1.5,
        title="D",
        x_label="x",
        y_label="y",
        client_label="client",
    )
    assert list(dist.data[0].y) == [0.25, 0.75]
    assert dist.layout.shapes[0].x0 == 1.5
    assert set(charts.SERIES) <= set(charts.OKABE_ITO.values())


def test_number_formats_follow_the_language() -> None:
    assert fmt_money(1234567.4, "en") == "1,234,567"
    assert fmt_money(1234567.4, "fr") == "1\u202f234\u202f567"
    assert fmt_pct(0.125, "fr") == "12,5\u00a0%" and fmt_pct(0.125, "en") == "12.5%"
    assert fmt_money(None) == "—"
