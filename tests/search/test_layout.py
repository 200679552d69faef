"""Where search's dependencies may be imported: Whoosh only inside app/search/engine/ (so a
second backend replaces one package), and never the deals area from search (the application
factory wires deal evidence in)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def importers_of(package: str, under: Path) -> list[str]:
    return sorted(str(path.relative_to(APP.parent)) for path in under.rglob("*.py")
                  if any(m == package or m.startswith(package + ".")
                         for m in imported_modules(path)))


def test_whoosh_is_imported_only_by_the_engine_package():
    users = importers_of("whoosh", APP)
    assert users, "the engine imports whoosh somewhere"
    assert [u for u in users if not u.startswith("app/search/engine/")] == []


def test_search_does_not_import_deals():
    assert importers_of("app.deals", APP / "search") == []
