"""Token-based chunking that cuts at sentence and paragraph boundaries.

Each chunk is an exact span ``document.text[start:end]``; the section headings
above it travel with it as context (for embedding and display), and its id is a
hash of the document id, its text and its occurrence, so unchanged text keeps
its id (and its embedding) across re-ingests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qa_service.models import Chunk, Document
from qa_service.text import is_heading_line, sentence_spans
from qa_service.tokens import count_tokens, get_encoding


@dataclass
class _Unit:
    start: int
    end: int
    tokens: int
    heading: str
    new_section: bool
    new_paragraph: bool


def _units(text: str, max_tokens: int) -> list[_Unit]:
    units: list[_Unit] = []
    headings: list[tuple[int, str]] = []  # (level, title)
    pos = 0
    new_section = True
    new_paragraph = True
    for line in text.splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        stripped = line.strip()
        if not stripped:
            new_paragraph = True
            continue
        if is_heading_line(stripped):
            level = len(stripped) - len(stripped.lstrip("#"))
            headings = [h for h in headings if h[0] < level] + [(level, stripped.lstrip("#").strip())]
            new_section = new_paragraph = True
            continue
        heading = " > ".join(h[1] for h in headings)
        for s, e in sentence_spans(text, line_start, pos):
            for ps, pe in _split_long(text, s, e, max_tokens):
                units.append(_Unit(ps, pe, count_tokens(text[ps:pe]), heading, new_section, new_paragraph))
                new_section = new_paragraph = False
    return units


def _split_long(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """A sentence longer than a chunk is cut at token boundaries, mapped back to characters."""
    piece = text[start:end]
    enc = get_encoding()
    toks = enc.encode(piece, disallowed_special=())
    if len(toks) <= max_tokens:
        return [(start, end)]
    spans = []
    _, offsets = enc.decode_with_offsets(toks)
    for i in range(0, len(toks), max_tokens):
        s = offsets[i]
        e = offsets[i + max_tokens] if i + max_tokens < len(toks) else len(piece)
        if e > s:
            spans.append((start + s, start + e))
    return spans


def chunk_id(doc_id: str, text: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{doc_id}\x00{occurrence}\x00{text}".encode()).hexdigest()[:20]
    return f"{doc_id}#{digest}"


def doc_id_of(chunk_id: str) -> str:
    """The document a chunk id belongs to (document ids never contain '#')."""
    return chunk_id.rsplit("#", 1)[0]


def chunk_document(doc: Document, chunk_tokens: int = 256, overlap: int = 48) -> list[Chunk]:
    """Greedy packing of sentences into chunks of at most ``chunk_tokens`` tokens,
    starting a new chunk at a section heading when the current one is half full,
    with about ``overlap`` tokens of trailing sentences repeated at the next start."""
    overlap = min(overlap, chunk_tokens // 2)
    units = _units(doc.text, chunk_tokens)
    text = doc.text
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        # exact count of the span, headings and whitespace between sentences included
        size_with = count_tokens(text[current[0].start:unit.end]) if current else unit.tokens
        size_now = count_tokens(text[current[0].start:current[-1].end]) if current else 0
        starts_section = unit.new_section and size_now >= chunk_tokens // 2
        if current and (size_with > chunk_tokens or starts_section):
            groups.append(current)
            # carry trailing sentences of the same section as overlap
            carry: list[_Unit] = []
            if not unit.new_section:
                for prev in reversed(current):
                    span_start = prev.start
                    if prev.heading != unit.heading or count_tokens(text[span_start:current[-1].end]) > overlap:
                        break
                    carry.insert(0, prev)
                if carry and count_tokens(text[carry[0].start:unit.end]) > chunk_tokens:
                    carry = []
            if len(carry) == len(current):  # no progress otherwise
                carry = []
            current = carry
            continue
        current.append(unit)
        i += 1
    if current:
        groups.append(current)

    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for ordinal, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        chunk_text = text[start:end]
        occurrence = seen.get(chunk_text, 0)
        seen[chunk_text] = occurrence + 1
        chunks.append(
            Chunk(
                id=chunk_id(doc.id, chunk_text, occurrence),
                doc_id=doc.id,
                ordinal=ordinal,
                start=start,
                end=end,
                text=chunk_text,
                heading=group[0].heading,
                tokens=count_tokens(chunk_text),
            )
        )
    return chunks
