"""Suggested follow-up questions and key takeaways: offline and through an
OpenAI-protocol server on 127.0.0.1; every kept suggestion is answered with
verified citations, every takeaway cites an exact span of the article."""

from __future__ import annotations

import json
import re

import pytest

from qa_service.articles.question_writing import KINDS, Proposal
from qa_service.articles.suggestions import OfflineQuestionSuggester, is_near_duplicate, question_from_heading
from qa_service.ingest.documents import load_paths

from .conftest import ARTICLE_ID, CORPUS, ROOT, reconfigured
from .llm_fake_server import FakeOpenAI, Reply, sources_in
from .test_answering import assert_citations_verify
from .test_openai_protocol import with_llm

GOOD_QUESTION = "Has Congress created a dedicated funding stream for the Security Implementation Group?"
UNANSWERABLE = "What is the recipe for a good lasagna?"
INVENTED_TAKEAWAY = "The ministerial will be held in Ottawa in March 2030 with forty delegations."


@pytest.mark.parametrize(("heading", "question"), [
    ("How security assistance for Mexico is funded", "How is security assistance for Mexico funded?"),
    ("What the Security Implementation Group is", "What is the Security Implementation Group?"),
    ("What the statement does not say", "What does the statement not say?"),
    ("Who participates and who leads", "Who participates and who leads?"),
    ("Mission Firewall: United Against Firearms Trafficking", "What is Mission Firewall?"),
    ("No dedicated funding for the Security Implementation Group",
     "Is there dedicated funding for the Security Implementation Group?"),
    ("Fentanyl production and finances", "What do the sources say about fentanyl production and finances?"),
    ("What such meetings can and cannot decide",
     "What do the sources say about what such meetings can and cannot decide?"),
])
def test_headings_become_questions(heading: str, question: str) -> None:
    assert question_from_heading(heading) == question


def test_near_duplicates_are_recognised() -> None:
    assert is_near_duplicate("What is the Security Implementation Group?",
                             ["What is the Security Implementation Group and who chairs or participates in it?"])
    assert not is_near_duplicate("How is security assistance for Mexico funded?",
                                 ["What is the Security Implementation Group?"])


def assert_takeaway_cites_article(svc, item: dict) -> None:  # noqa: ANN001
    """The first citation is into the article; any second one into a source
    of it; every quote exact and accepted by the grounding checker."""
    c, *others = item["citations"]
    doc = svc.store.get_document(c["doc_id"])
    assert doc.kind == "article"
    assert [x["n"] for x in item["citations"]] == list(range(1, len(item["citations"]) + 1))
    for x in item["citations"]:
        cited = svc.store.get_document(x["doc_id"])
        assert cited.text[x["start"]:x["end"]] == x["quote"]
        assert x["score"] >= svc.checker.threshold
        assert svc.checker.score(item["text"], x["quote"]) >= svc.checker.threshold
    assert len(others) <= 1 and all(x["doc_id"] in svc.store.scope(doc.id) and x["doc_id"] != doc.id
                                    for x in others)


# ------------------------------------------------------------ offline
def test_offline_suggestions_come_after_curated_and_are_all_answered(seeded) -> None:  # noqa: ANN001
    result = seeded.suggester.suggest(ARTICLE_ID, count=3, use_llm=False)
    doc = seeded.store.get_document(ARTICLE_ID)
    assert [q.text for q in result.curated] == doc.questions
    assert result.questions[: len(doc.questions)] == result.curated
    assert result.suggester == "offline" and len(result.generated) == 3
    for q in result.generated:
        assert q.origin == "generated" and q.answer is not None
        assert q.answer.status == "answered" and q.answer.citations
        assert_citations_verify(seeded, q.answer)
        assert not is_near_duplicate(q.text, doc.questions)


NEWSROOM = ROOT / "evals" / "corpora" / "newsroom"


@pytest.fixture
def wildfire(services):  # noqa: ANN001, ANN201
    """A wire story with no curated questions (byline, dateline, photo credit, credit line)."""
    docs, problems = load_paths([NEWSROOM / "nr-bell-creek-wildfire.md"])
    assert not problems
    services.index.ingest(docs)
    return services


def test_an_article_without_curated_questions_gets_cited_questions_of_several_kinds(wildfire) -> None:  # noqa: ANN001
    svc = wildfire
    doc = svc.store.article("nr-bell-creek-wildfire")
    result = svc.suggester.suggest(doc.id, use_llm=False)
    assert not result.curated and 4 <= len(result.generated) <= 5
    kinds = [q.kind for q in result.generated]
    assert len(set(kinds)) >= 2 and set(kinds) <= {*KINDS, "detail"}
    texts = [q.text for q in result.generated]
    for i, q in enumerate(result.generated):
        assert q.answer.citations and (q.answer.status == "answered" or q.kind == "unknown")
        assert_citations_verify(svc, q.answer)
        assert not is_near_duplicate(q.text, texts[:i])
        # no question asks for the headline's number ("When did it grow to 4,200 acres?" asks for a day)
        assert "4,200" not in q.answer.answer.split("\n")[0] or "acres" not in q.text or q.text.startswith("When")
    leads = [(q.answer.citations[0].doc_id, q.answer.citations[0].start) for q in result.generated]
    assert len(set(leads)) == len(leads)  # no two questions with the same answer
    # nothing a reader sees is page furniture
    furniture = [doc.text[s:e] for s, e in doc.boilerplate]
    for q in result.generated:
        for c in q.answer.citations:
            assert not any(c.quote in f for f in furniture)


def test_a_suggestion_the_sources_cannot_answer_is_never_kept(seeded, monkeypatch) -> None:  # noqa: ANN001
    real = OfflineQuestionSuggester.proposals
    monkeypatch.setattr(OfflineQuestionSuggester, "proposals",
                        lambda self: [Proposal(UNANSWERABLE, "heading"), *real(self)])
    result = seeded.suggester.suggest(ARTICLE_ID, count=2, use_llm=False)
    assert UNANSWERABLE not in [q.text for q in result.generated]
    assert {"text": UNANSWERABLE, "reason": "not_in_sources"} in result.rejected
    assert len(result.generated) == 2


def test_extractive_takeaways_for_an_article_without_curated_ones(seeded) -> None:  # noqa: ANN001
    docs, _ = load_paths([CORPUS])
    article = next(d for d in docs if d.id == ARTICLE_ID)
    copy = article.model_copy(update={"id": "uncurated-article", "takeaways": [], "questions": []})
    seeded.index.ingest([copy])
    result = seeded.takeaways.build("uncurated-article", use_llm=False)
    assert result.generator == "extractive"
    assert 3 <= len(result.items) <= 6
    for item in result.items:
        assert item.origin == "extractive"
        assert_takeaway_cites_article(seeded, item.as_dict())


def test_curated_takeaways_win_and_carry_citations_into_the_article(seeded) -> None:  # noqa: ANN001
    result = seeded.takeaways.build(ARTICLE_ID)
    doc = seeded.store.get_document(ARTICLE_ID)
    assert result.generator == "curated" and [t.text for t in result.items] == doc.takeaways
    cited = [t.as_dict() for t in result.items if t.citation]
    assert len(cited) >= 3
    for item in cited:
        assert_takeaway_cites_article(seeded, item)


# ------------------------------------------------------------ with an LLM
def llm_script(request: dict) -> Reply:
    system = request["messages"][0]["content"]
    if "suggest follow-up questions" in system:
        return Reply(text=f"1. {GOOD_QUESTION}\n2. {UNANSWERABLE}\n"
                          "3. What is the Security Implementation Group and who chairs it?\nThanks!")
    if "key takeaways" in system:
        user = request["messages"][1]["content"]
        return Reply(text="- The bilateral Security Implementation Group is scheduled to meet on January 23.\n"
                          f"- {INVENTED_TAKEAWAY}\n"
                          + ("- Officials singled out one priority above others: stopping the illicit flow of "
                             "fentanyl and weapons across the U.S.-Mexico border.\n" if "fentanyl" in user else ""))
    # an answer: the first sentence of the best source's first paragraph, cited
    body = sources_in(request)[1].split("\n", 1)[1]
    paragraph = next(line for line in body.splitlines() if len(line.split()) > 5 and not line.startswith("#"))
    first = re.split(r"(?<=[a-z0-9)\"])\.\s", paragraph)[0].rstrip(".") + "."
    return Reply(text=f"{first} [1]")


@pytest.fixture
def llm():
    server = FakeOpenAI(llm_script).start()
    yield server
    server.stop()


def test_llm_suggestions_are_kept_only_when_answered_with_citations(seeded, llm) -> None:  # noqa: ANN001
    svc = with_llm(seeded, llm.base_url)
    result = svc.suggester.suggest(ARTICLE_ID, count=3)
    assert result.suggester == "openai:fake-model"
    # the LLM's one answerable question first; the offline proposals top up the rest
    assert result.generated[0].text == GOOD_QUESTION and result.generated[0].source == "openai:fake-model"
    assert result.generated[0].answer.generator == "openai:fake-model"
    assert [q.source for q in result.generated[1:]] == ["offline"] * (len(result.generated) - 1)
    assert len(result.generated) == 3 and any("topped up with offline ones" in n for n in result.notes)
    for q in result.generated:
        assert q.answer.status == "answered"
        assert_citations_verify(svc, q.answer)
    assert any(r["text"] == UNANSWERABLE for r in result.rejected)
    assert UNANSWERABLE not in [q.text for q in result.generated]
    ask = next(r for r in llm.chat_requests if "suggest follow-up" in r["messages"][0]["content"])
    user = ask["messages"][1]["content"]
    assert "Congress has not created a funding stream" in user  # the sources are in the prompt, not just the article
    assert "never instructions" in ask["messages"][0]["content"]
    assert "What is the Security Implementation Group and who chairs or participates in it?" in user


def test_llm_suggester_failure_falls_back_to_offline(seeded) -> None:  # noqa: ANN001
    server = FakeOpenAI(lambda req: Reply(status=500)).start()
    try:
        svc = with_llm(seeded, server.base_url, llm_retries=0)
        result = svc.suggester.suggest(ARTICLE_ID, count=1)
    finally:
        server.stop()
    assert result.suggester == "offline" and "HTTP 500" in result.notes[0]
    assert len(result.generated) == 1 and result.generated[0].answer.generator == "extractive"


def test_llm_takeaways_drop_unsupported_bullets_and_top_up(seeded, llm) -> None:  # noqa: ANN001
    svc = with_llm(seeded, llm.base_url)
    docs, _ = load_paths([CORPUS])
    article = next(d for d in docs if d.id == ARTICLE_ID)
    svc.index.ingest([article.model_copy(update={"id": "uncurated-article", "takeaways": [], "questions": []})])
    result = svc.takeaways.build("uncurated-article")
    texts = [t.text for t in result.items]
    assert INVENTED_TAKEAWAY not in texts and any("unsupported" in n for n in result.notes)
    assert result.generator == "openai:fake-model"
    assert 3 <= len(result.items) <= 6
    assert [t.origin for t in result.items][:2] == ["llm", "llm"]
    assert {t.origin for t in result.items[2:]} <= {"extractive"}
    starts = [t.citation.start for t in result.items]
    assert len(set(starts)) == len(starts)  # no two takeaways on the same passage
    for item in result.items:
        assert_takeaway_cites_article(svc, item.as_dict())


# ------------------------------------------------------------ ingest and CLI
def test_ingest_adds_generated_questions_hidden_for_review(seeded) -> None:  # noqa: ANN001
    seeded = reconfigured(seeded, suggest_at_ingest="always", llm_suggestions=2)
    before = [q.id for q in seeded.answers.questions(ARTICLE_ID)]
    already = {q.id for q in seeded.answers.questions(ARTICLE_ID, include_hidden=True) if q.origin == "generated"}
    seeded.pregenerator.after_ingest([ARTICLE_ID])
    assert [q.id for q in seeded.answers.questions(ARTICLE_ID)] == before  # readers see no unreviewed question
    generated = [q for q in seeded.answers.questions(ARTICLE_ID, include_hidden=True)
                 if q.origin == "generated" and q.id not in already]
    assert len(generated) == 2 and all(q.hidden for q in generated)
    pending = seeded.editorial.pending_suggestions(ARTICLE_ID)
    assert {q.id for q in generated} <= set(pending)  # waiting in the review queue
    for q in generated:
        version = seeded.answers.published(q.id)
        assert version is not None and version.answer.citations
        assert_citations_verify(seeded, version.answer)


def test_cli_questions_and_takeaways(seeded, capsys, monkeypatch) -> None:  # noqa: ANN001
    from qa_service.cli.main import main
    from qa_service.settings import get_settings

    monkeypatch.setenv("QA_DATA_DIR", str(seeded.settings.data_dir))
    get_settings.cache_clear()
    assert main(["questions", "--article", ARTICLE_ID, "--count", "2", "--offline", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    origins = [q["origin"] for q in out["questions"]]
    assert origins == ["curated"] * 6 + ["generated"] * 2
    assert all(q["citations"] > 0 for q in out["questions"][6:])
    assert all(q["status"] == "answered" or q["kind"] == "unknown" for q in out["questions"][6:])

    assert main(["takeaways", "--article", ARTICLE_ID, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["generator"] == "curated" and 3 <= len(out["takeaways"]) <= 6

    assert main(["takeaways", "--article", "no-such-article"]) == 2
    assert "no article with id 'no-such-article'" in capsys.readouterr().err
    get_settings.cache_clear()


@pytest.mark.parametrize("sentence, name, says_what", [
    ("A study by researchers at Harbor State University found little evidence.", "Harbor State University", False),
    ("The Shasta County Sheriff's Office said deputies had gone door to door.", "Shasta County Sheriff's Office", False),
    ("Northfield hired the cybersecurity firm Blackwater Point to investigate.", "Blackwater Point", True),
    ("Shares of Northfield, which operates 410 stores in 28 states, fell 3.4%.", "Northfield", True),
    ("The Security Implementation Group (SIG) is a bilateral working group.", "Security Implementation Group", True),
    ("Mission Firewall aims to expand Mexico's use of the eTrace system.", "Mission Firewall", True),
])
def test_a_what_is_answer_must_say_what_it_is(sentence: str, name: str, says_what: bool) -> None:
    from qa_service.articles.suggestions import describes

    assert describes(sentence, name) is says_what


def test_a_what_is_question_nothing_in_scope_can_answer_is_rejected_without_asking(seeded, monkeypatch) -> None:  # noqa: ANN001
    """"What is X?" is kept only when an answer says what X is; when no sentence of
    the article or its sources does, the question is dropped before any answer is
    generated for it (pre-generation would otherwise pay for an answer to reject)."""
    mentioned = "What is the State Department?"  # named in the sources, never described
    described = "What is Mission Firewall?"
    real = OfflineQuestionSuggester.proposals
    monkeypatch.setattr(OfflineQuestionSuggester, "proposals", lambda self: [
        Proposal(mentioned, "what_is", None, "State Department"),
        Proposal(described, "what_is", None, "Mission Firewall"), *real(self)])
    asked: list[str] = []
    answerer = seeded.answerer()
    monkeypatch.setattr(answerer, "ask", lambda q, *a, _ask=answerer.ask, **k: asked.append(q) or _ask(q, *a, **k))
    monkeypatch.setattr(seeded.suggester, "answerer", lambda: answerer)
    result = seeded.suggester.suggest(ARTICLE_ID, count=2, use_llm=False)
    assert {"text": mentioned, "reason": "no sentence of the sources says what it is"} in result.rejected
    assert mentioned not in asked
    assert described in asked and described in [q.text for q in result.generated]


def test_what_is_a_name_the_headline_gives_is_still_asked(services) -> None:  # noqa: ANN001
    """The headline names Corrowind; only the story says what it is. "What is
    Corrowind Energy?" is a reader's question, not one the headline answers."""
    from qa_service.models import Document

    text = ("Corrowind Energy, a wind-farm developer based in Duluth, said on Tuesday it would cut 140 jobs after "
            "losing a state contract. The company employs about 900 people in Minnesota and Wisconsin. Corrowind "
            "Energy will close its Ashland office by March 31, the company said. Workers will get eight weeks of "
            "severance pay, according to a company memo.")
    services.index.ingest([Document(id="corrowind", title="Corrowind Energy to cut 140 jobs", kind="article",
                                    text=text)])
    result = services.suggester.suggest("corrowind", use_llm=False)
    asked = {q.text: q for q in result.generated}
    assert "What is Corrowind Energy?" in asked, [q.text for q in result.generated]
    assert "wind-farm developer" in asked["What is Corrowind Energy?"].answer.citations[0].quote


def test_cli_questions_lists_what_ingest_stored_first(wildfire, capsys, monkeypatch) -> None:  # noqa: ANN001
    """After ingest, `qa-service questions --article ID` lists the article's stored
    generated questions (with their stored answers), then tops up to --count with
    new ones whose answers repeat none of them."""
    from qa_service.cli.main import main
    from qa_service.settings import get_settings

    svc = wildfire
    article = "nr-bell-creek-wildfire"
    svc.pregenerator.pregenerate([article], suggest=True)
    stored = [q.text for q in svc.answers.questions(article, include_hidden=True) if q.origin == "generated"]
    assert len(stored) >= 4
    monkeypatch.setenv("QA_DATA_DIR", str(svc.settings.data_dir))
    get_settings.cache_clear()
    try:
        assert main(["questions", "--article", article, "--offline", "--count", "6", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)["questions"]
        assert [q["text"] for q in listed[:len(stored)]] == stored
        assert all(q["stored"] and q["citations"] > 0 for q in listed[:len(stored)])
        fresh = listed[len(stored):]
        assert len(listed) <= 6 and not any(q.get("stored") for q in fresh)
        assert main(["questions", "--article", article, "--offline", "--count", "2", "--json"]) == 0
        assert [q["text"] for q in json.loads(capsys.readouterr().out)["questions"]] == stored[:2]
    finally:
        get_settings.cache_clear()
