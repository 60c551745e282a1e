from __future__ import annotations

import json
from pathlib import Path

from qa_service.ingest.documents import load_paths

from .conftest import ARTICLE_ID, CORPUS


def test_seed_corpus_loads_with_article_metadata() -> None:
    docs, problems = load_paths([CORPUS])
    assert problems == []
    article = next(d for d in docs if d.id == ARTICLE_ID)
    assert article.kind == "article"
    assert len(article.questions) == 6
    assert 3 <= len(article.takeaways) <= 6
    ids = {d.id for d in docs}
    assert set(article.sources) <= ids
    assert all(d.kind == "source" for d in docs if d.id != ARTICLE_ID)


def test_bad_files_are_reported_by_path_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("---\nid: good\ntitle: Good\n---\nSome real text here.\n")
    (tmp_path / "empty.md").write_text("---\nid: empty\ntitle: Empty\n---\n\n   \n")
    (tmp_path / "broken.md").write_text("---\nid: [unclosed\ntitle: x\n---\nText.\n")
    (tmp_path / "unclosed.md").write_text("---\nid: x\nText without a closing fence.\n")
    (tmp_path / "zz_dup.md").write_text("---\nid: good\ntitle: Again\n---\nDuplicate text.\n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    docs, problems = load_paths([tmp_path])
    assert [d.id for d in docs] == ["good"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert "no text" in reasons["empty.md"]
    assert "YAML" in reasons["broken.md"]
    assert "never closed" in reasons["unclosed.md"]
    assert "duplicate id" in reasons["zz_dup.md"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "unsupported" in reasons["notes.pdf"]


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "n1", "title": "One", "text": "First story text.", "url": "https://example.org/1",
                    "published_at": "2024-01-02", "source": "Wire", "kind": "source", "article_id": "a1"}),
        "{not json",
        json.dumps({"id": "n2", "title": "Two"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": "n3", "title": "Three", "text": "Third story."}),
    ]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(lines))
    docs, problems = load_paths([path])
    assert [d.id for d in docs] == ["n1", "n3"]
    n1 = docs[0]
    assert (n1.url, n1.published, n1.publisher, n1.article_id) == ("https://example.org/1", "2024-01-02", "Wire", "a1")
    assert sorted(p.path.rsplit(":", 1)[1] for p in problems) == ["2", "3", "4"]


def test_a_news_dump_with_other_field_names_loads(tmp_path: Path) -> None:
    """News dumps name fields in several ways: "content"/"body"/"article" for the
    text, "headline" for the title, "date" for when; a record without an id but
    with a URL is known by its URL (the same story re-ingested is the same document)."""
    lines = [
        json.dumps({"url": "https://news.example/2022/05/bridge", "headline": "Bridge reopens",
                    "content": "The Elm Street bridge reopened on Monday.", "date": "2022-05-02"}),
        json.dumps({"id": "b2", "title": "Fares rise", "body": "Bus fares rise to $2 in June."}),
        json.dumps({"title": "No id, no URL", "article": "Some text."}),
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines))
    docs, problems = load_paths([path], default_kind="article")
    first, second = docs
    assert first.id.startswith("url-") and first.title == "Bridge reopens" and first.published == "2022-05-02"
    assert first.text == "The Elm Street bridge reopened on Monday." and first.kind == "article"
    assert second.id == "b2" and second.text.startswith("Bus fares")
    assert [p.path.rsplit(":", 1)[1] for p in problems] == ["3"] and "missing 'id'" in problems[0].reason
    again, _ = load_paths([path], default_kind="article")
    assert again[0].id == first.id  # stable across loads


def test_a_json_file_holds_one_record_or_an_array(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps({"id": "j1", "title": "One", "text": "A single story."}))
    (tmp_path / "many.json").write_text(json.dumps([
        {"url": "https://news.example/a", "headline": "A", "content": "Story A."},
        {"title": "B", "text": "No id and no URL."}]))
    (tmp_path / "broken.json").write_text("{not json")
    docs, problems = load_paths([tmp_path], default_kind="article")
    assert sorted(d.title for d in docs) == ["A", "One"]
    reasons = {p.path.rsplit("/", 1)[1]: p.reason for p in problems}
    assert "invalid JSON" in reasons["broken.json"] and "missing 'id'" in reasons["many.json[2]"]
