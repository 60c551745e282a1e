"""The offline generator: composes an answer from the passages' best sentences,
verbatim, each with its [n] marker. No model, so nothing can be invented."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from qa_service.answering.evidence import ANAPHORA, GAP, EvidenceSentence, answer_type, rank_evidence
from qa_service.answering.generation import Draft, Passage
from qa_service.retrieval.embeddings import EmbeddingCache
from qa_service.text import terms

_FACTOID = re.compile(r"^\s*(?:when|where|who|whom|how (?:many|much|long|old|often)|what (?:date|year|day|time))\b", re.I)


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        cache: EmbeddingCache,
        idf: Callable[[str], float] | None = None,
        max_sentences: int = 5,
        min_relative: float = 0.6,
        min_score: float = 0.35,
    ) -> None:
        self.min_score = min_score
        self.cache = cache
        self.idf = idf
        self.max_sentences = max_sentences
        self.min_relative = min_relative

    def select(self, question: str, passages: Sequence[Passage]) -> list[EvidenceSentence]:
        ranked = rank_evidence(question, passages, self.cache, self.idf)
        wants = answer_type(question)
        if wants is not None:
            # "How many ...?" is answered by a number or by "the figure has not
            # been published", never by a sentence that merely shares its words.
            ranked = [e for e in ranked if (wants(e.text) or GAP.search(e.text)) and e.score >= self.min_score]
        if not ranked:
            return []
        in_order = sorted(ranked, key=lambda e: (e.passage, e.start))
        previous = {
            (cur.doc_id, cur.start): prev
            for prev, cur in zip(in_order, in_order[1:])
            if prev.passage == cur.passage and prev.doc_id == cur.doc_id
        }
        # A factoid ("when", "who", "how many") wants its answer, not the neighbourhood.
        factoid = bool(_FACTOID.match(question))
        floor = ranked[0].score * (max(self.min_relative, 0.75) if factoid else self.min_relative)
        limit = min(self.max_sentences, 3) if factoid else self.max_sentences
        chosen: list[EvidenceSentence] = []
        chosen_terms: list[set[str]] = []
        for ev in ranked:
            if ev.score < floor or len(chosen) >= limit:
                break
            ev_terms = set(terms(ev.text))
            # skip sentences that mostly repeat one already chosen
            if any(len(ev_terms & t) / max(1, min(len(ev_terms), len(t))) > 0.7 for t in chosen_terms):
                continue
            if len(ev_terms) < 3:  # headings, fragments
                continue
            prev = previous.get((ev.doc_id, ev.start))
            if ANAPHORA.match(ev.text) and prev is not None and prev not in chosen:
                # "It was created in 2025 ..." needs the sentence that says what "it" is.
                if len(chosen) + 2 > limit:
                    continue
                chosen.append(prev)
                chosen_terms.append(set(terms(prev.text)))
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
