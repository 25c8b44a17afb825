"""The training run and what it writes.

The named steps on a feature table, the pipeline from a data folder to the registry, the
methodology note, model card and fairness report.
"""
