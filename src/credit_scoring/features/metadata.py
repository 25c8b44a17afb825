"""Metadata carried by every feature: where it comes from and how to say it in plain words."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

UNITS = (
    "days",
    "years",
    "months",
    "currency",
    "ratio",
    "share",
    "count",
    "score",
    "flag",
    "category",
    "hour",
    "number",
)


@dataclass(frozen=True)
class FeatureMeta:
    """One feature of the model's table.

    ``group`` names the raw source column (or concept) the feature derives from;
    explanations add up contributions of features that share a group.
    ``description_en``/``description_fr`` are short noun phrases that read as a
    reason on their own, e.g. "Number of late payments in the last 12 months".
    """

    name: str
    source: str
    description_en: str
    description_fr: str
    unit: str
    group: str

    def description(self, lang: str = "fr") -> str:
        return self.description_fr if lang == "fr" else self.description_en


def save_metadata(metas: dict[str, FeatureMeta], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([asdict(m) for m in metas.values()], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )


def load_metadata(path: Path) -> dict[str, FeatureMeta]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {row["name"]: FeatureMeta(**row) for row in rows}
