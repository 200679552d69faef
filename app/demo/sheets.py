"""XLSX builders: ROI calculator, pricing sheet and TCO comparison.

Cells hold live formulas (not pasted values) because a rep is expected to type the
prospect's own numbers into the input cells and watch the result change.
"""

import io
import random
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from app.demo.content import COMPANY
from app.demo.writers import FIXED_DATE, stable_zip

_MONEY = '"$"#,##0'
_HEADER_FILL = PatternFill("solid", fgColor="14406E")
_INPUT_FILL = PatternFill("solid", fgColor="FFF4CC")  # yellow marks cells reps may edit


def _header(ws, row: int, values: tuple[str, ...]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL


def _widths(ws, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + col)].width = width


def _save(wb: Workbook, title: str, path: Path) -> None:
    # ExcelWriter is used directly because save_workbook() stamps "modified" with now().
    props = wb.properties
    props.title, props.creator, props.lastModifiedBy = title, COMPANY, COMPANY
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    path.write_bytes(stable_zip(buffer.getvalue()))


def _roi_inputs(ws, rng: random.Random) -> None:
    ws.title = "Inputs"
    _header(ws, 1, ("Assumption", "Value", "Why it matters"))
    rows = [
        ("Finance analysts on the close", rng.randint(6, 18), "People who reconcile by hand"),
        ("Fully loaded cost per analyst hour", rng.randint(55, 95), "Salary plus benefits"),
        ("Close days today", 9, "Calendar days from period end to sign-off"),
        ("Close days with Northwind", 4, "Median across finance customers"),
        ("Current reporting tools per year", rng.randint(8, 30) * 5000, "Licences retired"),
        ("Consulting spend on reports per year", rng.randint(4, 20) * 10000, "Change requests"),
        ("Northwind subscription per year", rng.randint(9, 16) * 10000, "From the order form"),
        ("One-time implementation", rng.randint(3, 8) * 10000, "Fixed-fee services"),
    ]
    for row in rows:
        ws.append(row)
    for r in range(2, len(rows) + 2):
        ws.cell(row=r, column=2).fill = _INPUT_FILL
    for r in (3, 6, 7, 8, 9):
        ws.cell(row=r, column=2).number_format = _MONEY
    _widths(ws, (38, 14, 44))


def _roi_results(ws) -> None:
    _header(ws, 1, ("Result", "Value"))
    rows = [
        ("Close days saved per month", "=Inputs!B4-Inputs!B5"),
        ("Analyst hours saved per year", "=B2*8*12*Inputs!B2"),
        ("Labour savings per year", "=B3*Inputs!B3"),
        ("Tool and consulting savings per year", "=Inputs!B6+Inputs!B7"),
        ("Total annual benefit", "=B4+B5"),
        ("First-year cost", "=Inputs!B8+Inputs!B9"),
        ("Payback period (months)", "=ROUND(B7/(B6/12),1)"),
        ("Three-year ROI", "=(B6*3-(Inputs!B8*3+Inputs!B9))/(Inputs!B8*3+Inputs!B9)"),
    ]
    for row in rows:
        ws.append(row)
    for r in (4, 5, 6, 7):
        ws.cell(row=r, column=2).number_format = _MONEY
    ws["B9"].number_format = "0%"
    _widths(ws, (38, 16))


def write_roi_calculator(title: str, path: Path, rng: random.Random) -> None:
    wb = Workbook()
    _roi_inputs(wb.active, rng)
    _roi_results(wb.create_sheet("ROI"))
    notes = wb.create_sheet("How to use")
    for line in (
        "Replace the yellow cells with the prospect's own numbers during the discovery call.",
        "Close days with Northwind defaults to the median of finance customers; keep it "
        "conservative if the prospect has several ledgers.",
        "Share the ROI tab as a PDF with the CFO before the proposal meeting.",
    ):
        notes.append((line,))
    _widths(notes, (110,))
    _save(wb, title, path)


_EDITIONS = (
    ("Northwind Cloud", "Starter", 2000), ("Northwind Cloud", "Growth", 6000),
    ("Northwind Cloud", "Enterprise", 15000), ("Northwind Edge", "Per 10 nodes", 1500),
    ("Northwind Insights", "Per 25 creators", 1200), ("Northwind Govern", "Platform add-on", 3000),
)


def write_pricing_sheet(title: str, path: Path, rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Price list"
    _header(ws, 1, ("Product", "Edition", "Credits per year", "List price", "Discount",
                    "Net price"))
    for row, (product, edition, credits) in enumerate(_EDITIONS, start=2):
        list_price = credits * rng.choice((11, 12, 13))
        ws.append((product, edition, credits, list_price, rng.choice((0, 0.05, 0.1, 0.15)),
                   f"=D{row}*(1-E{row})"))
        ws[f"D{row}"].number_format = ws[f"F{row}"].number_format = _MONEY
        ws[f"E{row}"].number_format = "0%"
        ws[f"E{row}"].fill = _INPUT_FILL
    total = len(_EDITIONS) + 2
    ws.append(("Total", "", f"=SUM(C2:C{total - 1})", f"=SUM(D2:D{total - 1})", "",
               f"=SUM(F2:F{total - 1})"))
    ws[f"D{total}"].number_format = ws[f"F{total}"].number_format = _MONEY
    ws.append(())
    for line in ("Prices in USD per year. Discounts above 15 percent need deal desk approval.",
                 "Multi-year terms cap renewal increases at 5 percent per year.",
                 "Payment terms net 45. Unused credits roll over for one term."):
        ws.append((line,))
    _widths(ws, (22, 18, 16, 14, 10, 14))
    _save(wb, title, path)


_TCO_ROWS = (
    ("Software subscription or licences", (140, 150, 160), (90, 95, 100)),
    ("Hardware and hosting", (0, 0, 0), (120, 20, 20)),
    ("Implementation services", (50, 0, 0), (180, 30, 30)),
    ("Platform staff (FTE cost)", (60, 60, 60), (240, 240, 250)),
    ("Support and maintenance", (0, 0, 0), (40, 42, 44)),
)


def write_tco_sheet(title: str, path: Path, rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "3-year TCO"
    _header(ws, 1, ("Cost category", "Northwind Y1", "Northwind Y2", "Northwind Y3",
                    "Contoso Y1", "Contoso Y2", "Contoso Y3"))
    scale = rng.choice((800, 1000, 1200))  # deal size in thousands of dollars varies by seed
    for label, ours, theirs in _TCO_ROWS:
        ws.append((label, *(v * scale for v in ours), *(v * scale for v in theirs)))
    last = len(_TCO_ROWS) + 1
    ws.append(("Total", *(f"=SUM({c}2:{c}{last})" for c in "BCDEFG")))
    ws.append(("Three-year savings", f"=SUM(E{last + 1}:G{last + 1})-SUM(B{last + 1}:D{last + 1})"))
    for row in ws.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = _MONEY
    ws.append(())
    ws.append(("Assumes Contoso appliance refresh in year one and two platform FTEs saved.",))
    _widths(ws, (36, 14, 14, 14, 14, 14, 14))
    _save(wb, title, path)


SHEET_WRITERS = {"roi_calculator": write_roi_calculator, "pricing_sheet": write_pricing_sheet,
                 "tco_sheet": write_tco_sheet}
