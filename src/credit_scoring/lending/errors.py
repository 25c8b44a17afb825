"""What the lending domain refuses, in words a person can act on, in French and English.

The domain knows nothing of HTTP: it says *what kind* of refusal it is (the thing does not
exist, it conflicts with the application's state, the user's role does not allow it, the
input is wrong, the route is gone) and gives the sentence in both languages. The API has
exception handler (``api/errors.py``) that maps :attr:`LendingError.kind` to a status
and answers ``{"code", "message", "field", "detail"}`` in the request's language; the CLI
prints the message. Nothing an applicant or an advisor reads names a route, a verb or a pattern.
"""

from __future__ import annotations

from typing import ClassVar, Literal

Kind = Literal["not_found", "conflict", "forbidden", "invalid", "gone"]


class LendingError(Exception):
    """A request the lending domain refuses.

    Parameters
    ----------
    code : str
        A stable, machine-readable code (``"not_latest_score"``, ``"policy_refusal"``...).
    fr, en : str
        The sentence for a person, in French and in English: what is wrong and what to do.
    field : str or None
        The input field at fault, when one is (``"reason"``, ``"score_id"``).
    """

    kind: ClassVar[Kind] = "invalid"

    def __init__(self, code: str, fr: str, en: str, *, field: str | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.fr = fr
        self.en = en
        self.field = field

    def message(self, lang: str) -> str:
        """The sentence in ``lang`` (``"fr"``; anything else gives English)."""
        return self.fr if lang == "fr" else self.en


class NotFound(LendingError):
    """The application, client, score or user does not exist (or is not the caller's to see)."""

    kind = "not_found"


class Conflict(LendingError):
    """The request contradicts the application's state (decided, scored again, key reused)."""

    kind = "conflict"


class Forbidden(LendingError):
    """The caller's role does not allow this decision (a junior granting a policy refusal)."""

    kind = "forbidden"


class Invalid(LendingError):
    """The input is incomplete or wrong (an override without its reason)."""

    kind = "invalid"


class Gone(LendingError):
    """A way of doing things that was removed; the message names its replacement."""

    kind = "gone"


def client_not_found(sk_id_curr: int) -> NotFound:
    """No client has this number (``field`` names the path parameter)."""
    return NotFound(
        "client_not_found",
        f"Le client n° {sk_id_curr} n'existe pas : vérifiez le numéro, ou cherchez-le sur la "
        "page Recherche.",
        f"Client {sk_id_curr} does not exist: check the number, or look for the client on the "
        "Search page.",
        field="sk_id_curr",
    )


def application_not_found(application_id: int) -> NotFound:
    """No application has this number."""
    return NotFound(
        "application_not_found",
        f"La demande n° {application_id} n'existe pas : vérifiez son numéro dans la liste des "
        "demandes.",
        f"Application {application_id} does not exist: check its number in the list of "
        "applications.",
        field="application_id",
    )


def not_your_application() -> Forbidden:
    """An advisor opening an application another advisor entered."""
    return Forbidden(
        "other_advisor",
        "Cette demande a été saisie par un autre conseiller : seul lui, un senior ou un "
        "analyste peut l'ouvrir.",
        "This application was entered by another advisor: only they, a senior or an analyst "
        "may open it.",
    )
