"""Pillow drawings: an architecture diagram, a dashboard screenshot, an edge data-flow
diagram and a photo-like JPEG banner.

Only Pillow's own drawing calls and its bundled default font are used, so the images look
the same on every machine and need no font files or network access.
"""

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from app.demo.content import COMPANY

_NAVY, _TEAL, _GREY, _WHITE = (20, 64, 110), (0, 150, 160), (90, 98, 110), (255, 255, 255)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _box(draw: ImageDraw.ImageDraw, xy: tuple[int, int, int, int], label: str,
         fill: tuple[int, int, int]) -> None:
    draw.rounded_rectangle(xy, radius=12, fill=fill, outline=_NAVY, width=2)
    cx, cy = (xy[0] + xy[2]) // 2, (xy[1] + xy[3]) // 2
    draw.multiline_text((cx, cy), label, font=_font(20), fill=_WHITE, anchor="mm",
                        align="center")


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int]) -> None:
    draw.line((start, end), fill=_GREY, width=4)
    # Arrow heads only ever point right or down in these diagrams, which keeps the math simple.
    x, y = end
    head = [(x, y), (x - 14, y - 8), (x - 14, y + 8)] if start[1] == y else \
        [(x, y), (x - 8, y - 14), (x + 8, y - 14)]
    draw.polygon(head, fill=_GREY)


def _canvas(title: str, size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", size, (246, 248, 251))
    draw = ImageDraw.Draw(image)
    draw.text((30, 24), title, font=_font(30), fill=_NAVY)
    draw.text((size[0] - 30, size[1] - 20), COMPANY, font=_font(16), fill=_GREY, anchor="rs")
    return image, draw


def draw_architecture(title: str, path: Path, rng: random.Random) -> None:
    image, draw = _canvas(title, (1200, 680))
    sources = ["ERP", "CRM", "Billing", "Sensors", "POS"]
    rng.shuffle(sources)  # the seed changes the source order, nothing else
    for index, name in enumerate(sources):
        top = 110 + index * 100
        _box(draw, (40, top, 220, top + 70), name, _GREY)
        _arrow(draw, (220, top + 35), (330, 345))
    _box(draw, (330, 290, 560, 400), "Northwind Edge\n+ connectors", _TEAL)
    _arrow(draw, (560, 345), (650, 345))
    _box(draw, (650, 260, 890, 430), "Northwind Cloud\nwarehouse", _NAVY)
    _arrow(draw, (890, 300), (960, 300))
    _box(draw, (960, 250, 1160, 350), "Northwind\nInsights", _TEAL)
    _arrow(draw, (890, 400), (960, 400))
    _box(draw, (960, 370, 1160, 450), "Dashboards\nand alerts", _GREY)
    _box(draw, (330, 520, 1160, 600), "Northwind Govern: lineage, access policies, audit", _NAVY)
    _arrow(draw, (770, 430), (770, 520))
    image.save(path, format="PNG", optimize=True)


def _kpi(draw: ImageDraw.ImageDraw, left: int, label: str, value: str) -> None:
    draw.rounded_rectangle((left, 120, left + 270, 230), radius=10, fill=_WHITE,
                           outline=(220, 224, 230))
    draw.text((left + 20, 135), label, font=_font(18), fill=_GREY)
    draw.text((left + 20, 170), value, font=_font(36), fill=_NAVY)


def draw_dashboard(title: str, path: Path, rng: random.Random) -> None:
    image, draw = _canvas("", (1280, 800))
    draw.rectangle((0, 0, 1280, 80), fill=_NAVY)
    draw.text((30, 40), f"Northwind Insights - {title}", font=_font(26), fill=_WHITE,
              anchor="lm")
    kpis = [("Pipeline", f"${rng.randint(18, 42)}.{rng.randint(0, 9)}M"),
            ("Win rate", f"{rng.randint(22, 38)}%"), ("Forecast accuracy", "93%"),
            ("Deals at risk", str(rng.randint(4, 19)))]
    for index, (label, value) in enumerate(kpis):
        _kpi(draw, 30 + index * 310, label, value)
    draw.rectangle((30, 260, 620, 760), fill=_WHITE, outline=(220, 224, 230))
    draw.text((50, 275), "Bookings by quarter", font=_font(20), fill=_NAVY)
    for index in range(8):
        height = rng.randint(80, 380)
        draw.rectangle((70 + index * 65, 740 - height, 110 + index * 65, 740), fill=_TEAL)
    draw.rectangle((650, 260, 1250, 760), fill=_WHITE, outline=(220, 224, 230))
    draw.text((670, 275), "Forecast vs actual", font=_font(20), fill=_NAVY)
    points = [(690 + i * 45, 700 - rng.randint(0, 30) - i * 25) for i in range(12)]
    draw.line(points, fill=_NAVY, width=4)
    draw.line([(x, y + rng.randint(-30, 30)) for x, y in points], fill=(230, 120, 40), width=3)
    image.save(path, format="PNG", optimize=True)


def draw_edge_flow(title: str, path: Path, rng: random.Random) -> None:
    image, draw = _canvas(title, (1200, 520))
    lines = [f"Line {n}" for n in rng.sample(range(1, 9), 3)]
    for index, name in enumerate(sorted(lines)):
        top = 120 + index * 120
        _box(draw, (40, top, 220, top + 80), f"{name}\nPLC / OPC UA", _GREY)
        _arrow(draw, (220, top + 40), (340, 280))
    _box(draw, (340, 210, 600, 350), "Edge node\n30-day buffer\nlocal rules", _TEAL)
    draw.line(((600, 280), (820, 280)), fill=_GREY, width=4)
    draw.text((710, 255), "sync when online", font=_font(16), fill=_GREY, anchor="ms")
    _arrow(draw, (800, 280), (840, 280))
    _box(draw, (840, 200, 1160, 360), "Northwind Cloud\nOEE, scrap, downtime", _NAVY)
    draw.text((340, 400), "Alerts reach the line in seconds, even when the plant is offline.",
              font=_font(20), fill=_NAVY)
    image.save(path, format="PNG", optimize=True)


def draw_banner(title: str, path: Path, rng: random.Random) -> None:
    # Upscaling a tiny random colour grid gives soft, photo-like blobs without per-pixel work.
    grid = Image.new("RGB", (12, 4))
    grid.putdata([(rng.randint(10, 40), rng.randint(60, 140), rng.randint(120, 200))
                  for _ in range(48)])
    image = grid.resize((1200, 400), Image.Resampling.BICUBIC)
    glow = Image.new("L", (1200, 400), 0)
    glow_draw = ImageDraw.Draw(glow)
    for _ in range(14):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 400), rng.randint(20, 90)
        glow_draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(60, 160))
    glow = glow.filter(ImageFilter.GaussianBlur(18))
    image = Image.composite(Image.new("RGB", image.size, (255, 236, 200)), image, glow)
    draw = ImageDraw.Draw(image)
    draw.text((60, 160), COMPANY, font=_font(56), fill=_WHITE)
    draw.text((62, 240), title, font=_font(28), fill=_WHITE)
    image.save(path, format="JPEG", quality=82)


IMAGE_WRITERS = {"architecture": draw_architecture, "dashboard": draw_dashboard,
                 "edge_flow": draw_edge_flow, "banner": draw_banner}
