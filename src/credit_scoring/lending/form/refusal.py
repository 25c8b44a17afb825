"""Why an advisor refuses against the model: a short list of categories, worded twice.

When an advisor refuses an application the model would grant (or refuses a referral the
model would grant), the letter must not give the model's risk factors as the reasons: the
model did not refuse. The advisor picks one category of this list beside their free-text
reason (which stays internal); the letter gives the category's applicant text.

Each category has a label for the advisor (French and English, shown in the dashboard's
picker) and a text for the applicant that an advisor could say to the applicant's face:
``fraud_suspicion`` in particular gives a neutral text that states no suspicion. The
``documents`` are keys of :data:`credit_scoring.core.reason_codes.DOCUMENTS` the letter
lists as what the applicant can bring (none for a suspicion of fraud: nothing to hint at).

The dashboard imports this module (the ``dashboard`` import contract allows the form).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RefusalCategory = Literal[
    "income_not_proven", "documents_missing", "over_indebtedness", "fraud_suspicion", "other"
]


@dataclass(frozen=True)
class Category:
    """One category: the advisor's label, the applicant's text, the documents that help."""

    code: RefusalCategory
    label_fr: str
    label_en: str
    applicant_fr: str
    applicant_en: str
    documents: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def applicant(self, lang: str) -> str:
        return self.applicant_fr if lang == "fr" else self.applicant_en


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category(
            "income_not_proven",
            "Revenus non justifiés",
            "Income not proven",
            "Les revenus déclarés n'ont pas pu être justifiés par les pièces fournies",
            "The income declared could not be confirmed by the documents provided",
            ("income",),
        ),
        Category(
            "documents_missing",
            "Pièces justificatives manquantes",
            "Supporting documents missing",
            "Des pièces justificatives nécessaires à l'étude de votre demande manquent à "
            "votre dossier",
            "Supporting documents needed to review your application are missing from your file",
            ("supporting", "identity", "address"),
        ),
        Category(
            "over_indebtedness",
            "Surendettement constaté sur les relevés",
            "Over-indebtedness seen in statements",
            "Vos charges actuelles, au vu de vos relevés, ne laissent pas une marge suffisante "
            "pour ce nouveau crédit",
            "Your current commitments, as shown by your statements, do not leave enough room "
            "for this new credit",
            ("other_lenders",),
        ),
        Category(
            "fraud_suspicion",
            "Suspicion de fraude",
            "Suspected fraud",
            "Nous n'avons pas pu vérifier l'ensemble des informations de votre dossier",
            "We could not verify all the information in your file",
        ),
        Category(
            "other",
            "Autre motif (précisé dans la raison)",
            "Other (stated in the reason)",
            "L'examen personnalisé de votre dossier par notre conseiller n'a pas permis de "
            "donner une suite favorable à votre demande",
            "The personal review of your file by our advisor did not allow us to accept your "
            "application",
        ),
    )
}
