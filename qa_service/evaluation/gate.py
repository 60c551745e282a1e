"""The CI gate: thresholds from a TOML file (evals/gate.toml) checked
against a run summary. ``[min]`` holds floors, ``[max]`` ceilings; keys are
summary keys, dotted for nested ones ("retrieval.hits@5")."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class GateConfigError(ValueError):
    pass


@dataclass
class GateResult:
    metric: str
    bound: str  # "min" or "max"
    threshold: float
    value: float | None

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.bound == "min" else self.value <= self.threshold

    def describe(self) -> str:
        op = ">=" if self.bound == "min" else "<="
        shown = "missing" if self.value is None else f"{self.value:g}"
        return f"{self.metric} = {shown} (needs {op} {self.threshold:g})"


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    if not path.is_file():
        raise GateConfigError(f"no gate config at {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise GateConfigError(f"{path}: {exc}") from None
    out: dict[str, dict[str, float]] = {}
    for bound in ("min", "max"):
        table = data.get(bound, {})
        if not isinstance(table, dict):
            raise GateConfigError(f"{path}: [{bound}] must be a table")
        for key, value in table.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise GateConfigError(f"{path}: {bound}.{key} must be a number")
        out[bound] = {k: float(v) for k, v in table.items()}
    if not out["min"] and not out["max"]:
        raise GateConfigError(f"{path}: no thresholds in [min] or [max]")
    return out


def lookup(summary: dict, dotted: str) -> float | None:
    node: object = summary
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


def check(summary: dict, thresholds: dict[str, dict[str, float]], retrieval_only: bool = False) -> list[GateResult]:
    """Every threshold against the summary. In a retrieval-only run only the
    retrieval thresholds apply."""
    results = []
    for bound in ("min", "max"):
        for metric, threshold in thresholds.get(bound, {}).items():
            if retrieval_only and not metric.startswith("retrieval."):
                continue
            results.append(GateResult(metric, bound, threshold, lookup(summary, metric)))
    return results
