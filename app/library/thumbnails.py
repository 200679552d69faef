"""Thumbnails for uploaded collateral, made only inside the sandboxed extraction worker.

PDFs and raster images get a real preview. Everything else gets a drawn "card" naming the kind
of file (and the title, when one is known): an honest placeholder is better than rendering
formats we cannot draw faithfully, and SVG is never rasterized because it is untrusted markup.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont, ImageOps

MAX_SIDE = 320
# Very tall pages would otherwise make tall, narrow previews.
MAX_PDF_HEIGHT = 640
CARD_SIZE = (320, 240)
# Far above any real photo or slide image, far below what would exhaust the worker's memory.
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")

_CARDS = {
    # kind label, background, foreground
    "pdf": ("PDF", (183, 28, 28), (255, 255, 255)),
    "document": ("Document", (21, 101, 192), (255, 255, 255)),
    "slides": ("Slides", (216, 67, 21), (255, 255, 255)),
    "spreadsheet": ("Spreadsheet", (46, 125, 50), (255, 255, 255)),
    "image": ("Image", (94, 53, 177), (255, 255, 255)),
    "video": ("Video", (55, 71, 79), (255, 255, 255)),
    "markdown": ("Markdown", (66, 66, 66), (255, 255, 255)),
    "html": ("Web page", (0, 105, 92), (255, 255, 255)),
    "text": ("Text", (97, 97, 97), (255, 255, 255)),
    "other": ("File", (120, 144, 156), (255, 255, 255)),
}


class ThumbnailError(Exception):
    """A preview could not be made; the message is meant for the uploader."""


def kind_for(content_type: str) -> str:
    """Coarse kind for choosing a card, from the content type alone (the worker has no name)."""
    if content_type == "application/pdf":
        return "pdf"
    for marker, kind in (
        ("wordprocessingml", "document"),
        ("ms-word", "document"),
        ("msword", "document"),
        ("presentationml", "slides"),
        ("ms-powerpoint", "slides"),
        ("spreadsheetml", "spreadsheet"),
        ("ms-excel", "spreadsheet"),
        ("text/csv", "spreadsheet"),
        ("text/tab-separated-values", "spreadsheet"),
        ("text/markdown", "markdown"),
        ("text/html", "html"),
        ("text/", "text"),
        ("image/", "image"),
        ("video/", "video"),
    ):
        if marker in content_type:
            return kind
    return "other"


def card(kind: str, title: str | None = None) -> bytes:
    label, background, foreground = _CARDS.get(kind, _CARDS["other"])
    image = Image.new("RGB", CARD_SIZE, background)
    draw = ImageDraw.Draw(image)
    draw.text((20, 18), label.upper(), fill=foreground, font=ImageFont.load_default(size=30))
    if title:
        font = ImageFont.load_default(size=18)
        for number, line in enumerate(_wrap(draw, title, font, CARD_SIZE[0] - 40, max_lines=6)):
            draw.text((20, 74 + number * 24), line, fill=foreground, font=font)
    return to_png(image)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in " ".join(text.split())[:400].split(" "):
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines:
            lines[-1] = lines[-1].rstrip(".,;: ") + "…"
            return lines
    if current:
        lines.append(current)
    return [_clip(draw, line, font, width) for line in lines]


def _clip(draw: ImageDraw.ImageDraw, line: str, font, width: int) -> str:
    # A single very long word cannot be wrapped, only shortened.
    while len(line) > 1 and draw.textlength(line, font=font) > width:
        line = line[:-2] + "…"
    return line


def image_thumbnail(path: str) -> bytes:
    try:
        with Image.open(path, formats=IMAGE_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ThumbnailError(
                    f"The image is too large to preview ({width:,} × {height:,} pixels)."
                )
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            small = ImageOps.exif_transpose(image) or image
            return to_png(_displayable(small))
    except Image.DecompressionBombError as exc:
        raise ThumbnailError("The image is too large to preview.") from exc


def _displayable(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale has no direct RGB conversion; scale it into 8 bits first.
        return image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def pdf_thumbnail(path: str) -> bytes | None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        page = document[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            return None
        bitmap = page.render(scale=min(MAX_SIDE / width, MAX_PDF_HEIGHT / height))
        image = bitmap.to_pil().convert("RGB")
        # Page rotation can swap the sides the scale was computed from.
        image.thumbnail((MAX_SIDE, MAX_PDF_HEIGHT))
        return to_png(image)
    finally:
        document.close()


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
