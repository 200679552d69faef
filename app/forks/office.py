"""The DOCX and PPTX tailoring engine: find personalization fields, fill them, pick slides.

Pure file work (no Flask, no database), called by the forks services:

    scan = scan_pptx(path)            # Scan(fields=[...], problems=[...], slide_count=12)
    render_pptx(path, {"company": "Acme"}, [3, 1, 2], out_path)
    render_docx(path, {"company": "Acme"}, out_path)

Fields follow the one grammar of `placeholders.py`, found even when Word or PowerPoint split a
placeholder across runs. A filled value takes the formatting of the run where its placeholder
starts; text around it keeps its own runs. Values are plain text: a newline becomes a line
break, other control characters are dropped, and an empty value leaves its field as written.
Every problem (a file that cannot be opened, a zip bomb, an unknown field, an oversized value,
a bad slide choice) is a TailoringError whose message is meant for the rep; nothing is written
to `out_path` unless the whole file was tailored.
"""

from __future__ import annotations

from .office_base import Scan, TailoringError
from .office_docx import render_docx, scan_docx
from .office_pptx import render_pptx, scan_pptx

__all__ = ["Scan", "TailoringError", "render_docx", "render_pptx", "scan_docx", "scan_pptx"]
