"""The advisor's side of the applicant space: the "review requested" queue with its due
dates, and on the application the review, the rectifications, the last visit and a new code."""

from __future__ import annotations

from datetime import datetime

from dashboard_fake import FakeApi
from dashboard_session import texts
from test_dashboard_applications import enter, view

from credit_scoring.dashboard.i18n import translate


def ask_review(fake: FakeApi, application_id: int, due: str, comment: str = "") -> None:
    """What the applicant's request leaves on the staff side (the fake's store)."""
    fake.applications.reviews[application_id] = {
        "requested_at": "2026-12-01T09:30:00",
        "due_on": due,
        "comment": comment or "Mon nouvel emploi paie mieux.",
        "attachments": ["bulletin de juin", "contrat de travail"],
        "status": "open",
    }


def test_the_review_filter_lists_the_requests_oldest_due_first(fake: FakeApi) -> None:
    first, second, _third = enter(fake), enter(fake), enter(fake)
    ask_review(fake, second, "2026-12-31")
    ask_review(fake, first, "2027-01-05")
    at = view("applications", fake, lang="en")
    at = at.toggle(key="apps_review").set_value(True).run()
    assert "2 review request(s), oldest due first." in texts(at)
    table = at.dataframe[0].value
    assert table["Application"].tolist() == [second, first]
    assert table["Answer due on"].tolist() == ["31/12/2026", "05/01/2027"]
    at = at.button(key="apps_review_open").click().run()
    said = texts(at)
    expected = translate("applicant.review_open", "en", asked="01/12/2026", due="31/12/2026")
    assert expected in [w.value for w in at.warning]
    assert "Mon nouvel emploi paie mieux." in said
    assert "bulletin de juin, contrat de travail" in said
    # off again: the usual queue
    at = at.toggle(key="apps_review").set_value(False).run()
    assert "3 application(s) found." in texts(at)


def test_the_application_shows_rectifications_the_visit_and_a_new_code_once(
    fake: FakeApi,
) -> None:
    app_id = enter(fake)
    fake.applications.rectifications[app_id] = [
        {
            "item": "income_yearly",
            "comment": "48 000 € depuis mars",
            "created_at": "2026-12-02T10:00:00",
        }
    ]
    fake.applications.seen[app_id] = (3, datetime(2026, 12, 2, 10, 5))
    at = view("applications", fake, lang="fr")
    at = at.button(key="apps_open").click().run()
    said = texts(at)
    assert translate("applicant.seen", "fr", when="02/12/2026 10:05", n="3") in said
    table = at.table[0].value
    assert table.index.tolist() == ["income_yearly"]
    assert table.iloc[0].tolist()[0] == "48 000 € depuis mars"
    at = at.button(key=f"app_new_code_{app_id}").click().run()
    assert [c.value for c in at.code] == ["K7QF-9XMA-2TRC-0001"]
    assert fake.applications.codes == [app_id]
    at = at.run()  # shown once: gone on the next run
    assert not at.code


def test_an_application_never_opened_by_its_applicant_says_so(fake: FakeApi) -> None:
    enter(fake)
    at = view("applications", fake, lang="en")
    at = at.button(key="apps_open").click().run()
    assert translate("applicant.never_seen", "en") in texts(at)
    assert not at.warning
