"""The Audit page (admin) against the in-memory API: records, filters, CSV export, roles."""

from __future__ import annotations

import re

from dashboard_fake import FakeApi
from dashboard_session import logged_in
from streamlit.testing.v1 import AppTest

from credit_scoring.dashboard import state


def _audit_page() -> None:
    from credit_scoring.dashboard.views import audit

    audit.render()


def page(fake: FakeApi, *, user: str = "root", role: str = "admin", lang: str = "en") -> AppTest:
    return logged_in(fake, _audit_page, user=user, role=role, lang=lang)


def test_admin_browses_each_kind_of_record_with_filters(fake: FakeApi) -> None:
    at = page(fake)
    assert not at.exception
    assert at.title[0].value == "Audit log"
    table = at.dataframe[0].value
    assert list(table["User"]) == ["alice"] and list(table["Reason"]) == ["Revenus non justifiés"]
    assert "1 record(s) match; newest first." in [m.value for m in at.markdown]

    at.radio(key="audit_kind").set_value("scores").run()
    table = at.dataframe[0].value
    assert list(table["No."]) == [3, 2, 1]  # newest first
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", w) for w in table["When (UTC)"])
    at.text_input(key="audit_user").input("alice").run()
    assert list(at.dataframe[0].value["Client"]) == [100004, 100002]
    assert "GET /audit/scores" in fake.calls

    at.text_input(key="audit_client").input("12ab").run()
    assert "A client id is digits only." in [e.value for e in at.error]
    at.text_input(key="audit_client").input("999").run()
    assert "No record matches these filters." in [i.value for i in at.info]

    at.radio(key="audit_kind").set_value("data-access")
    at.text_input(key="audit_user").input("")
    at.text_input(key="audit_client").input("").run()
    table = at.dataframe[0].value
    assert list(table["Screen / route"]) == ["Client file"]  # the route in words
    assert list(table["Role"]) == ["analyst"]

    at.radio(key="audit_kind").set_value("auth-events").run()
    table = at.dataframe[0].value
    assert list(table["Event"]) == ["Failed login"] and list(table["Address"]) == ["10.0.0.7"]


def test_export_downloads_the_csv_the_api_gives(fake: FakeApi) -> None:
    at = page(fake, lang="fr")
    at.radio(key="audit_kind").set_value("scores").run()
    at.button(key="audit_export").click().run()
    assert not at.exception
    assert fake.calls.count("GET /audit/scores") >= 2
    download = at.get("download_button")
    assert len(download) == 1 and "Télécharger le fichier CSV" in str(download[0].proto.label)


def test_only_admins_have_the_page(fake: FakeApi) -> None:
    assert "audit" in state.ROLE_PAGES["admin"]
    assert all("audit" not in state.ROLE_PAGES[r] for r in ("advisor", "analyst"))
    at = page(fake, user="ana", role="analyst", lang="fr")
    assert "Seul un administrateur peut consulter le journal d'audit." in [
        w.value for w in at.warning
    ]
    assert not any(c.startswith("GET /audit") for c in fake.calls)


def test_the_api_refusal_is_shown_when_the_role_is_not_admin_on_the_server(fake: FakeApi) -> None:
    # the page trusts the server: a token whose role changed gets the API's 403 message
    at = page(fake, user="ana", role="admin")
    assert any(
        e.value.startswith("Your role does not give access to this information.") for e in at.error
    )
