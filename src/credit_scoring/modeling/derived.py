"""What the small models a champion carries have in common: they add columns to a table.

A derived-column model (the loan terms of :mod:`~credit_scoring.modeling.loan_terms`, the
external scores of :mod:`~credit_scoring.modeling.external_scores`) is fitted at training
without the default outcome, then derives its columns from any feature table the champion
scores (:class:`~credit_scoring.modeling.scorer.ChampionScorer`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import pandas as pd

from credit_scoring.features.metadata import FeatureMeta


class DerivedColumns(ABC):
    """A fitted model that derives :attr:`metas`' columns from a feature table.

    Attributes
    ----------
    metas : dict of str to FeatureMeta
        The derived columns, in order, with their metadata.
    needed : tuple of str
        The feature-table columns its columns are derived from.
    needs_all : bool
        Whether every column of :attr:`needed` must be known (else any one).
    what : str
        What it estimates, for a note when it cannot ("loan term and rate").
    """

    metas: ClassVar[dict[str, FeatureMeta]] = {}
    needed: ClassVar[tuple[str, ...]] = ()
    needs_all: ClassVar[bool] = True
    what: ClassVar[str] = ""

    @property
    def names(self) -> list[str]:
        """The derived columns, in order."""
        return list(self.metas)

    @abstractmethod
    def derive(self, features: pd.DataFrame) -> np.ndarray:
        """The derived columns of each row of ``features`` (n_rows x len(names))."""

    def add_to(self, table: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``table`` with the derived columns appended.

        Parameters
        ----------
        table : DataFrame
            A feature table; any derived column it has is replaced.

        Returns
        -------
        DataFrame
            The table, same index, with the columns of :meth:`derive` last.
        """
        derived = pd.DataFrame(self.derive(table), columns=self.names, index=table.index)
        return pd.concat([table.drop(columns=self.names, errors="ignore"), derived], axis=1)
