"""Offline takeaways chosen for salience, not position: a story written for
this test opens with an anecdote, carries a byline, a dateline, a promo, a
photo credit, a reader question, a quote and a sentence that says nothing;
the takeaways are its facts, each cited exactly into the article (and into
a source where one says the same), and none of that furniture. Over every
article of the eval corpora, no takeaway is labelled boilerplate."""

from __future__ import annotations

import json

import pytest

from qa_service.ingest.documents import load_paths
from qa_service.models import Document

from .conftest import ROOT

STORY = """# County to spend $12 million on flood walls after spring floods

By Dana Whitfield, Staff Writer

Published March 3, 2025 at 6:00 AM

MILLTOWN, Ore. (RNS) — Ruth Alvarez still keeps her grandmother's quilt in a plastic bin on the top shelf.

The Harlow County Board of Commissioners voted 4-1 on Tuesday to spend $12 million on flood walls along the Birch River, after floods in April damaged 340 homes in Milltown and Carver.

Sign up for our Morning Brief newsletter to get local news in your inbox.

Construction will begin in September and is expected to take two years, county engineer Paul Ng said. The walls will protect about 2,100 properties, according to a county study.

Photo: Sandbags line Front Street in Milltown on Monday. (RNS Photo/Lee Park)

"We have waited long enough," said Commissioner Ana Ruiz, who voted for the plan.

What does that mean for homeowners? All of that could change soon.

The project is paid for with a $9 million state grant and $3 million from the county's reserve fund. Commissioner Tom Hale, the lone vote against it, said the county should first buy out homes in the flood plain.

Related: How the April floods unfolded, hour by hour
"""

SOURCE = """# Harlow County Board of Commissioners: minutes, March 2025

The board approved $12 million for flood walls along the Birch River by a vote of 4-1.

The project will be paid for with a $9 million state grant and $3 million from the county reserve fund.

Construction is scheduled to begin in September 2025.
"""


@pytest.fixture
def story(services):  # noqa: ANN001, ANN201
    article = Document(id="flood-walls", title="County to spend $12 million on flood walls after spring floods",
                       text=STORY, kind="article", sources=["board-minutes"])
    source = Document(id="board-minutes", title="Board minutes, March 2025", text=SOURCE, kind="source")
    services.index.ingest([article, source])
    return services


def test_takeaways_are_the_facts_not_the_furniture_the_anecdote_or_the_filler(story) -> None:  # noqa: ANN001
    result = story.takeaways.build("flood-walls", use_llm=False)
    texts = [t.text for t in result.items]
    assert result.generator == "extractive" and 3 <= len(texts) <= 6
    joined = " ".join(texts)
    assert "voted 4-1 on Tuesday to spend $12 million on flood walls" in joined  # the news, third paragraph
    assert "Construction will begin in September" in joined  # what happens next
    for never in ("Dana Whitfield", "Published", "MILLTOWN", "Sign up", "Photo:", "RNS Photo", "Related:",
                  "quilt", "What does that mean", "All of that could change", "We have waited"):
        assert never not in joined, never
    doc = story.store.get_document("flood-walls")
    positions = [t.citation.start for t in result.items]
    assert positions == sorted(positions)  # shown in the article's order
    for t in result.items:
        c = t.citation
        assert c.doc_id == "flood-walls" and doc.text[c.start:c.end] == c.quote == t.text
        assert c.score >= story.checker.threshold


def test_a_takeaway_a_source_says_too_is_cited_into_the_source(story) -> None:  # noqa: ANN001
    result = story.takeaways.build("flood-walls", use_llm=False)
    cited = [t for t in result.items if t.source_citation is not None]
    assert cited, [t.text for t in result.items]
    source = story.store.get_document("board-minutes")
    for t in cited:
        c = t.source_citation
        assert c.doc_id == "board-minutes" and source.text[c.start:c.end] == c.quote
        assert story.checker.score(t.text, c.quote) >= story.checker.threshold
        assert [x["n"] for x in t.as_dict()["citations"]] == [1, 2]


@pytest.mark.slow
def test_no_takeaway_of_any_eval_article_is_labelled_boilerplate(services) -> None:  # noqa: ANN001
    corpora = ROOT / "evals" / "corpora"
    docs, problems = load_paths([corpora / "newsroom", corpora / "vermont-flooding-2025"])
    assert not problems
    services.index.ingest(docs)
    labels = {json.loads(line)["article_id"]: json.loads(line)["boilerplate"]
              for line in (ROOT / "evals" / "suggestions" / "keyfacts.jsonl").read_text().splitlines() if line}
    articles = [d for d in docs if d.kind == "article"]
    assert len(articles) >= 30
    for doc in articles:
        items = services.takeaways.build(doc.id, use_llm=False).items
        assert 3 <= len(items) <= 6, doc.id
        for t in items:
            assert not any(piece in t.text or t.text in piece for piece in labels[doc.id]), (doc.id, t.text)
            assert t.citation is not None and t.citation.doc_id == doc.id


FILM = """# A quiet film about a lighthouse keeper wins Lakeshore's top prize

There are no car chases in "The Last Light." There is barely any dialogue.

On Sunday night, that was enough to win the Golden Gull, the top prize at the 31st Lakeshore International Film Festival.

The film, directed by the Norwegian filmmaker Ingrid Solvang, follows the final winter of a lighthouse keeper on an island off Norway's northern coast.

Solvang receives $50,000 in prize money, festival organizers said on Monday.

She said she first visited the lighthouse in 2016 while researching a film about fishing communities.

Festival director Patricia Engel said attendance rose to 142,000 this year from 118,000 in 2022.
"""


def test_a_takeaway_never_leans_on_a_sentence_the_reader_will_not_see(services) -> None:  # noqa: ANN001
    """'On Sunday night, that was enough to win the Golden Gull' and 'She said ...'
    say nothing on their own: what 'that' and 'she' are is in sentences a
    takeaway does not show."""
    services.index.ingest([Document(id="film", title="A quiet film about a lighthouse keeper wins Lakeshore's top prize",
                                    text=FILM, kind="article")])
    texts = [t.text for t in services.takeaways.build("film", use_llm=False).items]
    assert 3 <= len(texts) <= 6
    assert not any(t.startswith(("On Sunday night, that", "She said")) for t in texts), texts


DROUGHT = """# Water district limits lawn watering to two days a week

The Cedar Valley Water District board on Monday declared a Stage 2 water shortage, limiting outdoor watering to two days a week for its roughly 145,000 customers.

The district last declared a Stage 2 shortage in 2020. Customers cut use by 24% that summer, Olander said, and the district never had to move to Stage 3.

Lake Arden, which supplies about 70% of the district's water, has fallen 22 feet since April.

Restaurants will serve water only on request.

Violators will first receive a warning, then fines starting at $100.
"""


def test_a_takeaway_never_leans_on_a_time_the_sentence_before_set(services) -> None:  # noqa: ANN001
    """'Customers cut use by 24% that summer' -- which summer is in the sentence before."""
    services.index.ingest([Document(id="drought", title="Water district limits lawn watering to two days a week",
                                    text=DROUGHT, kind="article")])
    texts = [t.text for t in services.takeaways.build("drought", use_llm=False).items]
    assert 3 <= len(texts) <= 6
    assert not any("that summer" in t for t in texts), texts


def test_a_subheading_set_as_a_plain_line_is_no_story_sentence() -> None:
    """Pages copied without their markup keep subheadings as plain lines ("Bigger
    Losses Ahead For Regional Lenders"): no takeaway, and nothing to write a question from."""
    from qa_service.articles.reading import story_sentences
    from qa_service.models import Document
    from qa_service.text import is_plain_subhead

    text = ("Regional lenders lost $2 billion in deposits in March, the central bank said on Friday.\n\n"
            "Bigger Losses Ahead For Regional Lenders\n\n"
            "Analysts at three banks expect the outflows to continue into the summer months.\n")
    found = [s.text for s in story_sentences(Document(id="d", title="Deposits fall", kind="article", text=text))]
    assert "Bigger Losses Ahead For Regional Lenders" not in found and len(found) == 2
    assert is_plain_subhead("Workers Will Get Raises In 2025")
    assert not is_plain_subhead("Analysts expect the outflows to continue")  # a sentence, not a heading
    assert not is_plain_subhead("NASA Delays Launch Again.")
