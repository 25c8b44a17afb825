"""The DejaVu Sans fonts the project's PDFs are drawn with (applicant letter, review pack).

fpdf2's core fonts cannot draw the euro sign or many accents; DejaVu Sans can. The runtime
image installs it with the Debian package ``fonts-dejavu-core``. This module sits in
``core`` so that both ``lending`` (the letter) and ``training`` (the review pack, a lower
layer) load the fonts the same way.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT_PACKAGE = "fonts-dejavu-core"
FONT = "DejaVuSans"


class FontError(RuntimeError):
    """A font file a PDF needs is missing; the message names it and the package."""


def load_fonts(
    pdf: FPDF, font_dir: Path, *, needed_by: str, error: type[FontError] = FontError
) -> None:
    """Register DejaVu Sans (regular and bold) on ``pdf`` under the name :data:`FONT`.

    Parameters
    ----------
    pdf : FPDF
        The document being drawn.
    font_dir : Path
        Folder holding ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``.
    needed_by : str
        What needs the font, for the message ("the applicant letter").
    error : type, default=FontError
        The exception raised (a subclass of :class:`FontError`).

    Raises
    ------
    FontError
        A font file is missing: the message names the file and the package to install.
    """
    for style, name in FONT_FILES.items():
        path = font_dir / name
        if not path.is_file():
            raise error(
                f"font file {path} not found: {needed_by} needs DejaVu Sans; "
                f"install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE})"
            )
        pdf.add_font(FONT, style, str(path))


def printable(pdf: FPDF, text: str) -> str:
    """Replace what the current font cannot draw (fpdf2 would only warn and drop it)."""
    cmap = getattr(pdf.current_font, "cmap", None)
    if not cmap:
        return text
    return "".join(ch if ord(ch) in cmap or ch in "\n" else "?" for ch in text)
