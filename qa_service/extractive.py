"""The offline generator: composes an answer from the passages' best sentences,
verbatim, each with its [n] marker. No model, so nothing can be invented."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .evidence import EmbeddingCache, EvidenceSentence, rank_evidence
from .generation import Draft, Passage
from .text import terms


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        cache: EmbeddingCache,
        idf: Callable[[str], float] | None = None,
        max_sentences: int = 5,
        min_relative: float = 0.75,
    ) -> None:
        self.cache = cache
        self.idf = idf
        self.max_sentences = max_sentences
        self.min_relative = min_relative

    def select(self, question: str, passages: Sequence[Passage]) -> list[EvidenceSentence]:
        ranked = rank_evidence(question, passages, self.cache, self.idf)
        if not ranked:
            return []
        floor = ranked[0].score * self.min_relative
        chosen: list[EvidenceSentence] = []
        chosen_terms: list[set[str]] = []
        for ev in ranked:
            if ev.score < floor or len(chosen) >= self.max_sentences:
                break
            ev_terms = set(terms(ev.text))
            # skip sentences that mostly repeat one already chosen
            if any(len(ev_terms & t) / max(1, len(ev_terms)) > 0.7 for t in chosen_terms):
                continue
            if len(ev_terms) < 3:  # headings, fragments
                continue
            chosen.append(ev)
            chosen_terms.append(ev_terms)
        return chosen

    def compose(self, chosen: Sequence[EvidenceSentence]) -> str:
        # One paragraph per document, documents in order of their best sentence,
        # sentences in reading order within a document.
        by_doc: dict[str, list[EvidenceSentence]] = {}
        for ev in chosen:
            by_doc.setdefault(ev.doc_id, []).append(ev)
        paragraphs = []
        for evs in by_doc.values():
            evs.sort(key=lambda e: e.start)
            paragraphs.append(" ".join(f"{_as_sentence(e.text)} [{e.passage}]" for e in evs))
        return "\n\n".join(paragraphs)

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft:
        return Draft(text=self.compose(self.select(question, passages)), generator=self.name)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        draft = self.generate(question, passages)
        for piece in draft.text.split(" "):
            yield piece + " "
        yield draft


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?:\"'”)" else text + "."
