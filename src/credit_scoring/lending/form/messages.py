"""Form errors in French and English that name the field and the cause."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from pydantic import (
    BaseModel,
)

from credit_scoring.lending.form.codes import CHOICES
from credit_scoring.lending.form.schema import Applicant, ApplicationForm, Loan

# --- Errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One problem of a form, for one field.

    Attributes
    ----------
    field : str
        Dotted path in the body, e.g. ``"applicant.income_yearly"`` (``""`` for the body).
    code : str
        Stable machine code (``"required"``, ``"choice"``, ``"under_18"``...).
    message : str
        The problem in the requested language, naming the field in words.
    """

    field: str
    code: str
    message: str


class FormErrors(Exception):
    """Raised with every :class:`FieldError` of a form at once."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def as_dicts(self) -> list[dict[str, str]]:
        """The errors as ``{"field", "code", "message"}`` dicts (e.g. a 422 response body)."""
        return [asdict(e) for e in self.errors]


_WORDS: dict[str, tuple[str, str]] = {
    "applicant": ("demandeur", "applicant"),
    "client_id": ("numéro de client", "client number"),
    "loan": ("prêt", "loan"),
    "birth_date": ("date de naissance", "date of birth"),
    "sex": ("sexe", "sex"),
    "family_status": ("situation familiale", "family status"),
    "children": ("nombre d'enfants", "number of children"),
    "education": ("niveau d'études", "education"),
    "income_type": ("type de revenu", "income type"),
    "income_yearly": ("revenu annuel", "yearly income"),
    "employed_since": ("date d'embauche", "employment start date"),
    "not_employed": ("sans emploi", "not employed"),
    "occupation": ("profession", "occupation"),
    "employer_type": ("secteur de l'employeur", "employer's sector"),
    "housing": ("logement", "housing"),
    "owns_car": ("propriétaire d'une voiture", "owns a car"),
    "owns_property": ("propriétaire de son logement", "owns real estate"),
    "region_rating": ("note de la région", "region rating"),
    "ext_source_1": ("score externe 1", "external bureau score 1"),
    "ext_source_2": ("score externe 2", "external bureau score 2"),
    "ext_source_3": ("score externe 3", "external bureau score 3"),
    "id_document_issued_on": (
        "date de délivrance de la pièce d'identité",
        "identity document issue date",
    ),
    "address_since": ("date d'installation à l'adresse", "at the current address since"),
    "mobile_phone": ("téléphone mobile", "mobile phone"),
    "work_phone": ("téléphone professionnel", "work phone"),
    "home_phone": ("téléphone fixe", "home phone"),
    "email": ("adresse e-mail", "e-mail address"),
    "contract_type": ("type de contrat", "contract type"),
    "amount": ("montant du crédit", "credit amount"),
    "goods_price": ("prix du bien", "goods price"),
    "term_months": ("durée en mois", "term in months"),
    "monthly_annuity": ("mensualité", "monthly payment"),
    # Beyond the form: the other bodies, paths and queries of the API, named for a person.
    "score_id": ("score présenté", "score shown"),
    "decision": ("décision", "decision"),
    "reason": ("motif", "reason"),
    "reason_category": ("catégorie du refus", "refusal category"),
    "q": ("numéro de client recherché", "client number searched"),
    "sk_id_curr": ("numéro de client", "client number"),
    "application_id": ("numéro de la demande", "application number"),
    "username": ("identifiant", "username"),
    "password": ("mot de passe", "password"),
    "role": ("rôle", "role"),
    "active": ("compte actif", "account active"),
    "page": ("numéro de page", "page number"),
    "page_size": ("taille de page", "page size"),
    "lang": ("langue", "language"),
    "status": ("statut", "status"),
    "since": ("date de début", "start date"),
    "until": ("date de fin", "end date"),
    "entered_by": ("saisi par", "entered by"),
    "amount_credit": ("montant du crédit", "credit amount"),
    "amount_annuity": ("mensualité", "monthly payment"),
    "amount_goods_price": ("prix du bien", "goods price"),
    "income_total": ("revenu mensuel", "monthly income"),  # as the data's income is
    "gender": ("sexe", "sex"),
    "age_band": ("tranche d'âge", "age band"),
    "income_band": ("tranche de revenu", "income band"),
    "score_band": ("tranche de risque", "risk band"),
    "idempotency-key": ("clé d'idempotence", "idempotency key"),
}
# What a text field must look like, for the fields the API checks against a pattern: the
# person reads the rule, never the regular expression.
_SHAPES: dict[str, tuple[str, str]] = {
    "q": (
        "un numéro de client, en chiffres uniquement (12 au plus)",
        "a client number, digits only (at most 12)",
    ),
    "lang": ("fr ou en", "fr or en"),
    "username": (
        "de 2 à 64 lettres, chiffres, points, tirets ou soulignés",
        "2 to 64 letters, digits, dots, hyphens or underscores",
    ),
    "idempotency-key": (
        "de 8 à 128 lettres, chiffres, points, deux-points, tirets ou soulignés",
        "8 to 128 letters, digits, dots, colons, hyphens or underscores",
    ),
}
# Where FastAPI says a value came from: not part of the field's path.
_SOURCES = frozenset({"body", "path", "query", "header", "cookie"})
_MODELS: tuple[type[BaseModel], ...] = (Applicant, Loan, ApplicationForm)


def _lang(lang: str) -> str:
    code = lang.lower()[:2]
    if code not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    return code


def _words(field: str, lang: str) -> str:
    fallback = field.replace("_", " ")
    fr, en = _WORDS.get(field.lower(), (fallback, fallback))
    return fr if lang == "fr" else en


def _say(lang: str, field: str, fr: str, en: str) -> str:
    """``"<Field in words> : <detail>"`` (French spacing) or ``"<Field>: <detail>"``."""
    name = _words(field, lang)
    if not name:  # the body itself
        detail = fr if lang == "fr" else en
        return detail[:1].upper() + detail[1:]
    name = name[:1].upper() + name[1:]
    return f"{name}\u00a0: {fr}" if lang == "fr" else f"{name}: {en}"


def _number(value: float, lang: str, decimals: int = 2) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def _money(value: float, lang: str, decimals: int = 2) -> str:
    amount = _number(value, lang, decimals)
    return f"{amount}\u00a0€" if lang == "fr" else f"€{amount}"


def _percent(rate: float, lang: str) -> str:
    return f"{_number(rate * 100, lang, 1)}\u00a0%" if lang == "fr" else f"{rate * 100:.1f}%"


def _plain(value: float, lang: str) -> str:
    """A bound as written on a form: no decimals when whole."""
    return _number(value, lang, 0) if float(value).is_integer() else _number(value, lang, 2)


@cache
def _bounds(field: str) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low is strict, high is strict) declared on the form's field ``field``.

    Read from the models' JSON schema, which also holds the bounds of optional fields.
    """
    for model in _MODELS:
        prop = model.model_json_schema()["properties"].get(field)
        if prop is None:
            continue
        for part in (prop, *prop.get("anyOf", ())):
            if any(
                k in part for k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")
            ):
                low = part.get("exclusiveMinimum", part.get("minimum"))
                high = part.get("exclusiveMaximum", part.get("maximum"))
                return low, high, "exclusiveMinimum" in part, "exclusiveMaximum" in part
        break
    return None, None, False, False


def _ctx_bounds(ctx: Mapping[str, Any]) -> tuple[float | None, float | None, bool, bool]:
    """The bounds Pydantic names in an error's context (``gt``, ``ge``, ``lt``, ``le``)."""
    low = ctx.get("gt", ctx.get("ge"))
    high = ctx.get("lt", ctx.get("le"))
    ok = (int, float)
    return (
        float(low) if isinstance(low, ok) else None,
        float(high) if isinstance(high, ok) else None,
        "gt" in ctx,
        "lt" in ctx,
    )


def _range_text(
    field: str, lang: str, ctx: Mapping[str, Any] | None = None
) -> tuple[str, str] | None:
    low, high, low_strict, high_strict = _bounds(field)
    said = _ctx_bounds(ctx or {})
    # a field of another body, a path or a query (or one named like a form field but with
    # bounds of its own, the what-if's term): the bound the error names is the one to say
    if (said[0] is not None and said[0] != low) or (said[1] is not None and said[1] != high):
        low, high, low_strict, high_strict = said
    if low is not None and high is not None and not low_strict and not high_strict:
        return (
            f"doit être compris entre {_plain(low, 'fr')} et {_plain(high, 'fr')}",
            f"must be between {_plain(low, 'en')} and {_plain(high, 'en')}",
        )
    parts_fr, parts_en = [], []
    if low is not None:
        parts_fr.append(f"{'supérieur à' if low_strict else 'au moins'} {_plain(low, 'fr')}")
        parts_en.append(f"{'greater than' if low_strict else 'at least'} {_plain(low, 'en')}")
    if high is not None:
        parts_fr.append(f"{'inférieur à' if high_strict else 'au plus'} {_plain(high, 'fr')}")
        parts_en.append(f"{'less than' if high_strict else 'at most'} {_plain(high, 'en')}")
    if not parts_fr:
        return None
    return "doit être " + " et ".join(parts_fr), "must be " + " and ".join(parts_en)


def _allowed(field: str, lang: str, ctx: Mapping[str, Any] | None = None) -> str:
    if field == "region_rating":
        return "1, 2, 3"
    labels = CHOICES.get(field, {})
    if not labels:  # another body's choice: Pydantic's own list, "'a', 'b' or 'c'"
        expected = str((ctx or {}).get("expected", ""))
        return expected.replace(" or ", ", ").replace(" ou ", ", ")
    return ", ".join(f"{code} ({names[lang]})" for code, names in labels.items())


_NUMBER_TYPES = frozenset(
    {"int_parsing", "int_type", "int_from_float", "float_parsing", "float_type", "finite_number"}
)
_DATE_TYPES = frozenset(
    {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_RANGE_TYPES = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _one_error(error: Mapping[str, Any], lang: str) -> FieldError:
    loc = [str(p) for p in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        loc = loc[1:]
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind in ("exactly_one", "at_least_one"):
        first, second = str(ctx["first"]), str(ctx["second"])
        path = ".".join([*loc, first])
        fr_a, fr_b = _words(first, "fr"), _words(second, "fr")
        en_a, en_b = _words(first, "en"), _words(second, "en")
        if kind == "exactly_one":
            message = _say(
                lang,
                first,
                f"renseignez soit « {fr_a} », soit « {fr_b} », l'un des deux exactement",
                f"give either '{en_a}' or '{en_b}', exactly one of the two",
            )
        else:
            message = _say(
                lang,
                first,
                f"renseignez « {fr_a} » ou « {fr_b} » (au moins l'une des deux)",
                f"give '{en_a}' or '{en_b}' (at least one of the two)",
            )
        return FieldError(path, "exclusive" if kind == "exactly_one" else "required", message)
    path = ".".join(loc)
    field = next((p for p in reversed(loc) if not p.isdigit()), "")
    if kind == "missing":
        if not field:
            return FieldError(
                path,
                "required",
                "Le corps de la requête est vide : envoyez les champs demandés"
                if lang == "fr"
                else "The request has no body: send the fields asked for",
            )
        return FieldError(path, "required", _say(lang, field, "obligatoire", "required"))
    if kind in ("enum", "literal_error"):
        allowed = _allowed(field, lang, ctx)
        return FieldError(
            path,
            "choice",
            _say(
                lang,
                field,
                f"valeur non reconnue ; valeurs possibles : {allowed}",
                f"not a known value; allowed values: {allowed}",
            ),
        )
    if kind in _RANGE_TYPES or kind in _NUMBER_TYPES:
        bounds = _range_text(field, lang, ctx)
        integer = kind.startswith("int") or _is_int_field(field)
        if kind in _NUMBER_TYPES:
            fr = "doit être un nombre entier" if integer else "doit être un nombre"
            en = "must be a whole number" if integer else "must be a number"
            if bounds:
                fr = f"{fr}, {bounds[0].removeprefix('doit être ')}"
                en = f"{en}, {bounds[1].removeprefix('must be ')}"
        else:
            fr, en = bounds or ("hors des limites", "out of bounds")
        code = "range" if kind in _RANGE_TYPES else "type"
        return FieldError(path, code, _say(lang, field, fr, en))
    if kind in _DATE_TYPES:
        return FieldError(
            path,
            "type",
            _say(lang, field, "doit être une date (AAAA-MM-JJ)", "must be a date (YYYY-MM-DD)"),
        )
    if kind in ("bool_parsing", "bool_type"):
        return FieldError(
            path,
            "type",
            _say(lang, field, "oui ou non (true ou false)", "yes or no (true or false)"),
        )
    if kind == "extra_forbidden":
        return FieldError(
            path,
            "unknown_field",
            _say(lang, field, "champ inconnu du formulaire", "not a field of the form"),
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return FieldError(
            path, "type", _say(lang, field, "doit être un objet", "must be an object")
        )
    if kind == "string_pattern_mismatch":
        fr_shape, en_shape = _SHAPES.get(field.lower(), ("la forme attendue", "the expected shape"))
        return FieldError(
            path,
            "format",
            _say(lang, field, f"doit être {fr_shape}", f"must be {en_shape}"),
        )
    if kind in ("string_too_short", "string_too_long", "too_short", "too_long"):
        return FieldError(path, "length", _say(lang, field, *_length_text(kind, ctx)))
    if kind == "string_type":
        return FieldError(path, "type", _say(lang, field, "doit être un texte", "must be text"))
    if kind in ("list_type", "tuple_type"):
        return FieldError(path, "type", _say(lang, field, "doit être une liste", "must be a list"))
    if kind == "json_invalid":
        return FieldError(
            path,
            "invalid",
            "Le corps de la requête n'est pas du JSON lisible"
            if lang == "fr"
            else "The request body is not readable JSON",
        )
    if kind == "value_error":  # a validator's own sentence, written for people in English
        detail = str(error.get("msg", "")).removeprefix("Value error, ")
        return FieldError(path, "invalid", _say(lang, field, f"valeur refusée ({detail})", detail))
    # Any other type: a plain sentence; Pydantic's own text stays in the response's detail.
    return FieldError(
        path,
        "invalid",
        _say(
            lang,
            field,
            "valeur refusée : vérifiez-la",
            "value refused: check it",
        ),
    )


def _length_text(kind: str, ctx: Mapping[str, Any]) -> tuple[str, str]:
    """How long a text (characters) or a list (items) must be, from the error's context."""
    text = kind.startswith("string")
    short = kind.endswith("too_short")
    size = ctx.get("min_length" if short else "max_length")
    if text and short and size == 1:
        return "ne peut pas être vide", "cannot be empty"
    unit_fr, unit_en = ("caractères", "characters") if text else ("éléments", "items")
    if short:
        return f"{size} {unit_fr} au moins", f"at least {size} {unit_en}"
    return f"{size} {unit_fr} au plus", f"at most {size} {unit_en}"


def _is_int_field(field: str) -> bool:
    for model in _MODELS:
        info = model.model_fields.get(field)
        if info is not None:
            return info.annotation in (int, int | None)
    return False


def pydantic_errors(errors: Sequence[Mapping[str, Any]], lang: str) -> list[FieldError]:
    """Pydantic validation errors as messages for an advisor.

    Parameters
    ----------
    errors : sequence of mappings
        ``ValidationError.errors()``, or FastAPI's ``RequestValidationError.errors()``
        (whose ``loc`` starts with ``"body"``, dropped here).
    lang : {"fr", "en"}
        Language of the messages.

    Returns
    -------
    list of FieldError
        One per field and kind of problem, in order (FastAPI reports a path parameter read
        by two dependencies twice). The message names the field in words and says what is
        allowed: the codes and labels of an enumeration, the bounds of a number, the shape
        of a text checked against a pattern (never the pattern), its length, "required"
        for a missing field. ``loc`` may start with ``body``, ``path``, ``query`` or
        ``header`` (dropped).

    Examples
    --------
    >>> q = {"loc": ("query", "q"), "type": "string_pattern_mismatch", "msg": "..."}
    >>> pydantic_errors([q], "en")[0].message
    'Client number searched: must be a client number, digits only (at most 12)'
    >>> bad_id = {"loc": ("path", "sk_id_curr"), "type": "int_parsing", "msg": "..."}
    >>> [e.message for e in pydantic_errors([bad_id, bad_id], "fr")]
    ['Numéro de client\xa0: doit être un nombre entier']
    """
    code = _lang(lang)
    found: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for error in errors:
        one = _one_error(error, code)
        # a path parameter read by the route and by a dependency fails twice: say it once
        if (one.field, one.code) not in seen:
            seen.add((one.field, one.code))
            found.append(one)
    return found
