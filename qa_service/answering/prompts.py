"""Prompt templates live in prompts/*.md as versioned files: YAML front matter
(`name`, `version`) then `## system` and `## user` sections with $placeholders.
The version is stored with every answer a prompt produced."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from qa_service.ingest.documents import split_front_matter

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    system: str
    user: str

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": Template(self.system).safe_substitute(values)},
            {"role": "user", "content": Template(self.user).safe_substitute(values)},
        ]


@lru_cache
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    path = directory / f"{name}.md"
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    sections: dict[str, list[str]] = {}
    current = None
    for line in body.splitlines():
        if line.strip().lower() in ("## system", "## user"):
            current = line.strip()[3:].lower()
            sections[current] = []
        elif current:
            sections[current].append(line)
    if "system" not in sections or "user" not in sections:
        raise ValueError(f"{path}: needs '## system' and '## user' sections")
    return Prompt(
        name=str(meta.get("name", name)),
        version=str(meta.get("version", "1")),
        system="\n".join(sections["system"]).strip(),
        user="\n".join(sections["user"]).strip(),
    )
