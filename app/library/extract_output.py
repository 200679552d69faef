"""What text extraction produced for one file, and the notes users see about it.

Extractors write into an `Output` as they go, so text read before a parser gives up on a damaged
file is still kept. Only the extraction worker fills one in; the web process uses the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAMAGED = "The file could not be read: it may be damaged."
PARTLY_DAMAGED = "Part of the file could not be read: it may be damaged."
TOO_MUCH_MEMORY = "The file needs too much memory to read, so its text was not indexed."
LOCKED_PDF = "The PDF is password-protected; its text cannot be indexed."
PAGES_FAILED = "page(s) of the PDF could not be read."
NO_TEXT = "No text was found in the file."
NO_PDF_TEXT = "No text was found in the PDF; it may contain only scanned images."
NOT_OFFICE = "The file could not be read: it is not a valid Office file."
VIDEO = "No text to extract from video."
LEGACY_OFFICE = (
    "Text cannot be extracted from older Office formats (.doc, .ppt, .xls); "
    "save the file in the newer format to make it searchable."
)


@dataclass
class Output:
    """Text gathered so far, capped at max_chars, plus what the user should be told."""

    max_chars: int
    parts: list[str] = field(default_factory=list)
    size: int = 0
    truncated: bool = False
    page_count: int | None = None
    notes: list[str] = field(default_factory=list)
    title: str | None = None
    locked: bool = False

    def add(self, piece: str | None) -> bool:
        """Append a piece of text; False once the cap is reached so callers can stop early."""
        if self.truncated:
            return False
        piece = _tidy(piece or "")
        if not piece:
            return True
        room = self.max_chars - self.size
        if len(piece) > room:
            piece = piece[: max(room, 0)]
            self.truncated = True
        if piece:
            self.parts.append(piece)
            self.size += len(piece) + 1
        return not self.truncated

    @property
    def text(self) -> str:
        return "\n".join(self.parts)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def summary(self) -> str | None:
        """The notes as one message; with no text at all, "partly" damaged is just damaged."""
        notes = self.notes
        if not self.parts and (DAMAGED in notes or PARTLY_DAMAGED in notes):
            rest = [
                n for n in notes if n not in (DAMAGED, PARTLY_DAMAGED) and PAGES_FAILED not in n
            ]
            notes = [DAMAGED, *rest]
        return " ".join(notes) or None


def _tidy(piece: str) -> str:
    # U+FFFD marks glyphs or bytes that could not be decoded: noise for search, so dropped.
    # PowerPoint line breaks come through as vertical tabs.
    piece = piece.replace("\ufffd", "").replace("\x0b", "\n")
    lines = (line.rstrip() for line in piece.split("\n"))
    return "\n".join(line for line in lines if line.strip()).strip()
