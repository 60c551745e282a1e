"""The package layout is the pipeline: each sub-package is one stage, and
imports only flow down the stages. Lazy imports inside functions count too:
they are arrows all the same."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qa_service"

# Lower numbers are lower stages; a module may import its own stage and below.
STAGES = {
    "models": 0, "settings": 0, "text": 0, "tokens": 0, "language": 0, "metrics": 0,
    "store": 1,
    "ingest": 2,
    "retrieval": 3, "grounding": 3,
    "answering": 4,
    "articles": 5,
    "editor": 6,
    "evaluation": 7,
    "services": 8,
    "web": 9, "cli": 9,
}
# Vendor SDKs live behind our seams, in adapters/ only.
VENDORS = {"openai", "chromadb", "onnxruntime", "tokenizers", "xllamacpp", "spacy"}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports when it runs, at the top or inside a
    function. Imports under ``if TYPE_CHECKING:`` are left out: they are
    never executed, only read by type checkers."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                 for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import (the tree uses absolute imports)"
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: {i for i in imports_of(path) if i in mods and i != name} for name, path in mods.items()}


def stage_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_no_import_cycles() -> None:
    edges = graph()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        if node in visiting:
            cycle = visiting[visiting.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        visiting.append(node)
        for nxt in edges[node]:
            visit(nxt)
        visiting.pop()
        done.add(node)

    for node in edges:
        visit(node)


def test_no_stage_imports_a_higher_stage() -> None:
    wrong = []
    for module, targets in graph().items():
        here = stage_of(module)
        if here in ("", "adapters"):
            continue
        for target in targets:
            there = stage_of(target)
            if there == "adapters":
                if here not in ("services", "cli"):
                    wrong.append(f"{module} -> {target} (only services and cli pick adapters)")
            elif there and STAGES[there] > STAGES[here]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the flow:\n" + "\n".join(sorted(wrong))


def test_adapters_import_no_front_door_or_builder() -> None:
    wrong = [f"{m} -> {t}" for m, ts in graph().items() if stage_of(m) == "adapters"
             for t in ts if stage_of(t) in ("services", "web", "cli", "editor", "articles")]
    assert not wrong, wrong


def test_vendor_sdks_are_imported_only_in_adapters() -> None:
    wrong = []
    for module, path in modules().items():
        if stage_of(module) == "adapters":
            continue
        for name in imports_of(path):
            if name.split(".")[0] in VENDORS:
                wrong.append(f"{module} imports {name}")
    assert not wrong, wrong


def test_every_package_says_what_it_owns() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"{init.relative_to(PACKAGE.parent)} has no docstring saying what it owns"
