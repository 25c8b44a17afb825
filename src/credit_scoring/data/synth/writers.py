"""Append-only table writers (CSV, gzip CSV, parquet) that give the same bytes for the same rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = {"csv": ".csv", "csv.gz": ".csv.gz", "parquet": ".parquet"}


class TableWriter:
    """Writes chunks of one table to ``<name>.<ext>.partial``, renamed into place on ``close``."""

    def __init__(self, out_dir: Path, name: str, schema: pa.Schema, fmt: str):
        self.path = out_dir / f"{name}{FORMATS[fmt]}"
        self.tmp = self.path.with_name(self.path.name + ".partial")
        self.fmt = fmt
        self._sink: pa.NativeFile | None = None
        self._writer: pacsv.CSVWriter | pq.ParquetWriter
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        else:
            # Arrow's gzip stream writes no timestamp in its header: bytes depend on rows only.
            self._sink = (
                pa.CompressedOutputStream(str(self.tmp), "gzip")
                if fmt == "csv.gz"
                else pa.OSFile(str(self.tmp), "wb")
            )
            options = pacsv.WriteOptions(quoting_style="needed")
            self._writer = pacsv.CSVWriter(self._sink, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)

    def close(self, *, keep: bool = True) -> None:
        self._writer.close()
        if self._sink is not None:
            self._sink.close()
        if keep:
            self.tmp.replace(self.path)
        else:
            self.tmp.unlink(missing_ok=True)
