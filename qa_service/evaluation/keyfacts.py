"""Labels for the suggestions-and-takeaways eval: one line per article.

Fields: ``article_id``; ``key_fact`` (the answer to a reader's quiz question
about the article, a short string copied from its text) and
``key_fact_alternatives`` (other spellings that count too);
``quiz_question`` (the question whose answer the key fact is; for people
reading the labels); ``boilerplate`` (the page furniture in the article,
each a string copied from its text: bylines, datelines, promos, photo
credits...); ``corpus`` (which corpus the article comes from)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from qa_service.evaluation.datasets import DatasetError


class KeyFact(BaseModel):
    article_id: str
    key_fact: str
    key_fact_alternatives: list[str] = Field(default_factory=list)
    quiz_question: str = ""
    boilerplate: list[str] = Field(default_factory=list)
    corpus: str = ""

    @property
    def facts(self) -> list[str]:
        return [self.key_fact, *self.key_fact_alternatives]


def load_keyfacts(path: Path) -> dict[str, KeyFact]:
    """The labels by article id; DatasetError naming file and line for a bad one."""
    if not path.is_file():
        raise DatasetError(f"no such key-facts file: {path}")
    out: dict[str, KeyFact] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            item = KeyFact.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            raise DatasetError(f"{path}:{lineno}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
        if not item.key_fact.strip():
            raise DatasetError(f"{path}:{lineno}: key_fact is empty")
        if item.article_id in out:
            raise DatasetError(f"{path}:{lineno}: article {item.article_id!r} is labelled twice")
        out[item.article_id] = item
    if not out:
        raise DatasetError(f"{path}: no labels in it")
    return out
