"""Writing follow-up questions from parsed sentences (articles.question_writing)
with the real spaCy model, on sentences written for these tests (not taken
from any corpus): the kinds a reader asks next come out as plain questions,
with the element the answer must hold; what the headline says, pronouns the
reader cannot resolve and misparsed objects give no question. And the check
that keeps a proposal only when the service's answer comes from its fact."""

from __future__ import annotations

import pytest

from qa_service.adapters.spacy_nlp import SpacyAnalyzer
from qa_service.articles import question_writing as qw
from qa_service.articles.reading import StorySentence, read_article
from qa_service.articles.suggestions import answer_problem
from qa_service.models import Answer, Citation, Document, Gap
from qa_service.text import terms


@pytest.fixture(scope="module")
def analyzer() -> SpacyAnalyzer:
    return SpacyAnalyzer()


def sentence(analyzer: SpacyAnalyzer, text: str) -> StorySentence:
    return StorySentence("doc", 0, len(text), text, 0, 1, frozenset(terms(text)), analyzer.parse(text), 0.5,
                         context=text)


def texts(proposals: list[qw.Proposal]) -> dict[str, str]:
    return {p.text: p.expect for p in proposals}


@pytest.mark.parametrize(("text", "question", "expect"), [
    ("More than 1,200 volunteers were assigned to the cleanup along the river.",
     "How many volunteers were assigned to the cleanup along the river?", "More than 1,200"),
    ("The city council approved $4.5 million for new playgrounds on Tuesday.",
     "How much did the city council approve for new playgrounds?", "$4.5 million"),
    ("Shares of the company fell 6% in early trading.", "By how much did shares of the company fall?", "6%"),
    ("The board voted 5-2 to close the school.", "By what margin did the board vote to close the school?", "5-2"),
    ("The company was founded in 1998 and employs 300 people.", "How many people does the company employ?", "300"),
    # what changed by the amount is named ("base pay"); a name the parser split stays whole; a date
    # describing the object ("a three-year contract") goes, the object stays; a hyphenated modifier stays
    ("The agreement raises base pay by 14% over three years.", "By how much does the agreement raise base pay?",
     "14%"),
    ("Musicians of the Bayview Symphony Orchestra voted 71-4 to ratify a three-year contract.",
     "By what margin did musicians of the Bayview Symphony Orchestra vote to ratify a contract?", "71-4"),
    ("Last winter, Bayview recorded 412 flu-related hospitalizations.",
     "How many flu-related hospitalizations did Bayview record?", "412"),
])
def test_numbers_become_how_much_questions(analyzer: SpacyAnalyzer, text: str, question: str, expect: str) -> None:
    found = texts(qw.how_much(sentence(analyzer, text), set()))
    assert found.get(question) == expect, found


def test_a_year_or_a_number_the_headline_states_is_not_asked_about(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The company was founded in 1998 and employs 300 people.")
    assert not any("1998" in p.expect for p in qw.how_much(s, set()))
    assert qw.how_much(s, {"300"}) == []  # "Firm with 300 staff ..." in the headline


def test_the_future_with_a_date_becomes_when(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The new terminal will open to passengers on June 5.")
    assert texts(qw.when_next(s, "Airport expands")) == {"When will the new terminal open to passengers?": "June 5"}
    assert qw.when_next(s, "New terminal to open June 5") == []  # the headline already says when
    assert qw.when_next(sentence(analyzer, "It will open on June 5."), "Airport expands") == []  # whose opening?


def test_a_group_of_people_as_subject_becomes_who_is_affected(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Renters in the county will receive up to $500 in aid.")
    assert texts(qw.affected(s)) == {"Who will receive up to $500 in aid?": "Renters in the county"}
    # a group that acts is not who is affected
    assert qw.affected(sentence(analyzer, "The airline canceled 40 flights because of a shortage of pilots.")) == []


def test_what_is_not_known_names_the_missing_thing(analyzer: SpacyAnalyzer) -> None:
    assert texts(qw.not_known(sentence(analyzer, "Officials have not released the names of the victims."))) == {
        "What is not yet known about the names of the victims?": ""}
    assert texts(qw.not_known(sentence(analyzer, "The hospital declined to say how many patients were moved."))) == {
        "What is not yet known about how many patients were moved?": ""}
    assert qw.not_known(sentence(analyzer, "The hospital moved 40 patients on Monday.")) == []


def test_why_leaves_the_cause_for_the_answer(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The airline canceled 40 flights because of a shortage of pilots.")
    assert [p.text for p in qw.why(s)] == ["Why did the airline cancel 40 flights?"]
    assert qw.STRONG_CAUSE.search(s.text)


def test_an_object_the_parser_put_far_from_its_verb_is_not_asked_about(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Harbor City equalized in the 64th minute through captain Jalen Brooks, who headed in "
                           "a corner kick.")
    assert not any(p.text.startswith("What did") for p in qw.details(s))


def article(text: str, title: str) -> Document:
    return Document(id="a1", title=title, text=text, kind="article")


def test_organisations_and_people_introduced_with_a_role_get_what_and_who_questions(analyzer: SpacyAnalyzer) -> None:
    doc = article("The Regional Transit Authority said ridership rose 12% last year. The Regional Transit Authority "
                  "will add 40 buses in March, said Maria Lopez, the authority's planning director. Service on "
                  "Route 9 will also expand, and riders on Elm Street will see more trips.", "Buses to run more often")
    reading = read_article(doc, [], analyzer)
    found = [p.text for p in qw.what_is(reading)] + [p.text for p in qw.who_is(reading)]
    assert "What is the Regional Transit Authority?" in found
    assert "Who is Maria Lopez?" in found
    assert not any("Route 9" in q or "Elm Street" in q for q in found)  # streets and routes are not asked about


# ------------------------------------------------------------- the answer check
def answer(quote: str, start: int, status: str = "answered", gaps: list[Gap] | None = None) -> Answer:
    cite = Citation(n=1, doc_id="a1", quote=quote, start=start, end=start + len(quote), score=0.9)
    return Answer(question="q", status=status, answer=f"{quote} [1]", citations=[cite], gaps=gaps or [])


DOC = article("Brightwave will cut 1,100 jobs, the company said. Its shares rose 4% on Tuesday. The cuts follow "
              "a drop in sales because customers delayed orders.", "Brightwave to cut 1,100 jobs")


def test_an_answer_from_another_fact_does_not_keep_the_question() -> None:
    at = DOC.text.index("Its shares rose")
    target = ("a1", at, at + len("Its shares rose 4% on Tuesday."))
    proposal = qw.Proposal("By how much did Brightwave's shares rise?", "how_much", target, "4%")
    good = answer("Its shares rose 4% on Tuesday.", at)
    assert answer_problem(proposal, good, DOC) is None
    wrong = answer("Brightwave will cut 1,100 jobs, the company said.", 0)
    assert answer_problem(proposal, wrong, DOC) == "the answer does not come from the fact the question was written from"
    assert answer_problem(proposal, good, DOC, kept_leads=[target]) == \
        "the same answer as a question already kept"


def test_the_headline_alone_or_no_cause_does_not_make_a_suggestion() -> None:
    lead = answer("Brightwave will cut 1,100 jobs, the company said.", 0)
    assert answer_problem(qw.Proposal("What will Brightwave cut?", "detail"), lead, DOC) == \
        "the headline alone answers it"
    why = qw.Proposal("Why did Brightwave's shares rise?", "why")
    at = DOC.text.index("Its shares rose")
    assert answer_problem(why, answer("Its shares rose 4% on Tuesday.", at), DOC) == "the answer gives no cause"
    because = "The cuts follow a drop in sales because customers delayed orders."
    assert answer_problem(why, answer(because, DOC.text.index(because)), DOC) is None


def test_what_is_not_known_is_kept_only_with_a_gap_quoted_from_the_sources() -> None:
    proposal = qw.Proposal("What is not yet known about the plant?", "unknown")
    quoted = answer("The company has not said where the plant will be.", 0, "not_in_sources",
                    [Gap(aspect="plant", statement="The company has not said where the plant will be.", cited=True)])
    assert answer_problem(proposal, quoted, DOC) is None
    own_words = Answer(question="q", status="not_in_sources", answer="The sources do not say.",
                       gaps=[Gap(aspect="plant", statement="The sources do not say.")])
    assert answer_problem(proposal, own_words, DOC) == "not_in_sources"


def test_a_reported_finding_becomes_what_was_found(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "In a study published Wednesday in The Astrophysical Journal Letters, a team led by "
                           "astronomer Ines Valcourt reported detecting water vapor and methane in the planet's "
                           "atmosphere.")
    assert texts(qw.reported_finding(s)) == {"What did the team detect?": "water vapor"}


@pytest.mark.parametrize(("text", "name", "says"), [
    ("Northfield, which operates 410 stores, said Monday that hackers stole data.", "Northfield", True),
    ("The SIG, a bilateral working group, met on Friday.", "the SIG", True),
    # a name closing an opening phrase: what follows the comma is the sentence's subject
    ("In a study published Wednesday in The Astrophysical Journal Letters, a team led by astronomer Ines "
     "Valcourt reported detecting water vapor.", "The Astrophysical Journal Letters", False),
    # "who" is the scientist, not the university
    ("Planetary scientist Marcus Oyelaran of Arizona State University, who was not involved in the study, "
     "said the haze could produce a similar signature.", "Arizona State University", False),
])
def test_a_name_is_described_only_by_what_is_said_of_it(text: str, name: str, says: bool) -> None:
    from qa_service.articles.suggestions import describes

    assert describes(text, name) is says


@pytest.mark.parametrize(("text", "elsewhere", "question"), [
    # a name that opens the sentence keeps its capitals, though "the lake" is written in lower case elsewhere
    ("Lake Arden has fallen 14 feet since June, the district said.", "Boats cannot launch on the lake.",
     "By how much has Lake Arden fallen?"),
    # a common noun that opened the sentence loses it, though "Health" is capitalised inside a name elsewhere
    ("Health officials are urging people to get vaccinated because flu cases are rising.",
     "The clinics are run by the Bayview Public Health Department.",
     "Why are health officials urging people to get vaccinated?"),
])
def test_a_question_keeps_a_name_and_lowers_a_common_noun(analyzer: SpacyAnalyzer, text: str, elsewhere: str,
                                                          question: str) -> None:
    s = StorySentence("doc", 0, len(text), text, 0, 1, frozenset(terms(text)), analyzer.parse(text), 0.5,
                      context=f"{text} {elsewhere}")
    proposals = qw.how_much(s, set()) + qw.why(s)
    assert question in texts(proposals)


def test_a_hyphen_between_numbers_stays(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Democrats won a 3-2 majority on the commission in November.")
    asked = list(texts(qw.details(s)))
    assert asked and all("3 2" not in q for q in asked) and any("3-2" in q for q in asked)


def test_an_answer_opening_with_a_time_the_reader_cannot_see_does_not_keep_the_question() -> None:
    doc = article("The district last declared a shortage in 2020. Customers cut use by 24% that summer, the manager "
                  "said. The board approved a rebate of up to $2 per square foot.", "District limits lawn watering")
    quote = "Customers cut use by 24% that summer, the manager said."
    proposal = qw.Proposal("Who will be affected by the lawn watering?", "affected")
    assert answer_problem(proposal, answer(quote, doc.text.index(quote)), doc) == \
        "the answer opens with a time that the sentence before it set"


def test_who_after_an_organisation_is_not_what_it_is(analyzer: SpacyAnalyzer) -> None:
    """'What is the Memorial Sloan Kettering Cancer Center?' is not answered by '... a
    specialist at Memorial Sloan Kettering Cancer Center who was not involved':
    'who' is the specialist. Asked who someone is, 'who' does describe them."""
    from qa_service.articles.suggestions import describes

    text = ("Dr. Sarah Oyelowo, a lung cancer specialist at Memorial Sloan Kettering Cancer Center who was not "
            "involved in the research, called the results solid.")
    assert not describes(text, "Memorial Sloan Kettering Cancer Center", person=False)
    assert describes("The award went to Dana Reyes, who leads the lab.", "Dana Reyes", person=True)


def test_a_name_with_and_in_it_stays_whole(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Aurelis said it would apply to the Food and Drug Administration for approval by the "
                           "end of the year.")
    assert "When would Aurelis apply to the Food and Drug Administration for approval?" in \
        {p.text for p in qw.when_next(s, "Experimental pill cut risk of death")}


def test_a_programme_named_for_its_length_is_not_people(analyzer: SpacyAnalyzer) -> None:
    """'The two-year pilot will cost about $1.4 million a year' is about a programme:
    'Who will cost about $1.4 million?' is not a question to ask."""
    s = sentence(analyzer, "The two-year pilot will cost about $1.4 million a year, money the city will cover "
                           "with a state transit grant.")
    assert qw.affected(s) == []


@pytest.mark.parametrize(("text", "unwanted"), [
    # "it" is the bill: the question could not say what was approved
    ("The House passed the bill 58-41, a day after the Senate approved it 26-21.", "approve?"),
    # the amount is what the plant costs, not how much is built ("How much will the plant cost?" is asked)
    ("Hanseong will build a $1.6 billion plant in Harlan County.", "How much will Hanseong"),
])
def test_a_number_whose_question_would_lose_its_meaning_is_not_asked_about(analyzer: SpacyAnalyzer, text: str,
                                                                           unwanted: str) -> None:
    assert not [q for q in texts(qw.how_much(sentence(analyzer, text), set())) if unwanted in q]


def test_an_infinitive_after_expected_stays_in_the_when_question(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The plant is expected to begin production in 2026 and eventually employ 2,000 people.")
    assert texts(qw.when_next(s, "Battery maker picks Harlan County")) == {
        "When is the plant expected to begin production?": "2026"}


def test_people_asked_about_are_who_not_what(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Free fares would help workers, students and older residents.")
    assert "Who would free fares help?" in texts(qw.when_next(s, "Council votes to end bus fares"))
    assert not [q for q in texts(qw.details(sentence(analyzer, "Last year's free clinics drew about 2,200 people.")))
                if q.startswith("Who drew")]


def test_the_start_of_a_span_is_not_when_something_happened(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Hollister's victory gives Democrats a 3-2 majority on the commission for the first time "
                           "since 2010.")
    assert not [q for q in texts(qw.details(s)) if q.startswith("When")]


@pytest.mark.parametrize(("title", "has_question"), [
    ("Judge blocks city's ban on sleeping in vehicles", True),
    ("Millbrook wins first state basketball title", False),
    ("Experimental pill cuts risk of death in lung cancer", False),
])
def test_who_is_affected_asks_about_something_that_happens_to_people(analyzer: SpacyAnalyzer, title: str,
                                                                     has_question: bool) -> None:
    doc = Document(id="a", title=title, kind="article", text=f"# {title}\n\nThe story goes on for a while here.\n")
    reading = read_article(doc, [], analyzer)
    assert bool(qw.affected_by_event(reading)) is has_question


@pytest.mark.parametrize(("text", "unwanted"), [
    ("Scientists first drew wide attention to the cold blob in the mid-2010s.", "What did scientists draw"),  # an idiom
    ("Harbor City finished the regular season second in the standings.", "What did Harbor City finish"),  # a span
])
def test_an_idiom_or_a_span_of_time_is_not_a_thing_to_ask_what_about(analyzer: SpacyAnalyzer, text: str,
                                                                      unwanted: str) -> None:
    assert not [q for q in texts(qw.details(sentence(analyzer, text))) if q.startswith(unwanted)]


def test_an_amount_reached_in_a_participle_is_not_asked_about(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The 2016 ordinance raised the city's minimum wage in steps from $10.50, reaching $15 for "
                           "large employers at the start of 2022.")
    assert not [q for q in texts(qw.how_much(s, set())) if "reach" in q]


def test_a_counted_group_is_asked_how_many_not_who(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "By 5 p.m., 186 businesses had applied, seeking a combined $4.3 million of the $15 "
                           "million available, according to the Agency of Commerce and Community Development.")
    assert not [q for q in texts(qw.affected(s)) if q.startswith("Who")]


def test_a_name_a_kind_noun_introduces_is_asked_about_even_when_the_headline_names_it(analyzer: SpacyAnalyzer) -> None:
    """"the struggling meal-kit start-up Pellwood Kitchens" says what Pellwood Kitchens is,
    whether or not the parser tagged it an organisation; the headline naming it does not."""
    doc = article("The founder of the struggling meal-kit start-up Pellwood Kitchens was charged on Monday with "
                  "securities fraud. Prosecutors said investors lost $40 million. Pellwood closed its last "
                  "kitchen in May.", "Pellwood Kitchens founder charged with fraud")
    found = texts(qw.what_is(read_article(doc, [], analyzer)))
    assert found.get("What is Pellwood Kitchens?") == "Pellwood Kitchens", found


def test_a_person_named_in_apposition_to_a_role_gets_who_is(analyzer: SpacyAnalyzer) -> None:
    doc = article("Two executives pleaded guilty last week, including the company's former finance chief, Dana "
                  "Whitlow, who admitted inflating sales figures. The company's shares fell 30% on the news.",
                  "Executives plead guilty in accounting case")
    assert "Who is Dana Whitlow?" in texts(qw.who_is(read_article(doc, [], analyzer)))


def test_a_long_subject_loses_its_last_phrases_and_an_intransitive_future_verb_needs_no_object(
        analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The independent review panel on school bus safety in the northern districts will "
                           "report on September 12.")
    assert texts(qw.when_next(s, "Bus crash prompts review")) == {
        "When will the independent review panel on school bus safety report?": "September 12"}


def test_what_went_on_around_an_act_is_not_asked_as_part_of_it(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The senator resigned on Friday, with her staff clearing out the office within hours.")
    found = texts(qw.details(s))
    assert found and not any("clearing" in q or "staff" in q for q in found), found


def test_a_speakers_second_sentence_is_inside_the_quotation_the_first_opened(analyzer: SpacyAnalyzer) -> None:
    doc = article('Residents gathered outside city hall on Tuesday.\n\nThe group said in a statement: "We have '
                  'waited three years for this bridge. The new crossing will change how this town lives."\n',
                  "Residents rally for bridge")
    reading = read_article(doc, [], analyzer)
    second = next(s for s in reading.sentences if s.text.startswith("The new crossing"))
    assert second.quoted_share() > 0.9
    assert not any("crossing" in p.text for p in qw.propose(reading))


def test_a_place_the_act_happened_becomes_where(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Federal agents arrested the former treasurer at a hotel in Tucson on Monday.")
    found = texts(qw.details(s))
    assert found.get("Where did federal agents arrest the former treasurer?") == "a hotel in Tucson", found
    # "in support of", "in March": no place
    s = sentence(analyzer, "Volunteers marched in support of the strikers in March.")
    assert not any(q.startswith("Where") for q in texts(qw.details(s)))


@pytest.mark.parametrize(("text", "question", "expect"), [
    ("The $8 million renovation is paid for with a state grant.", "How much does the renovation cost?", "$8 million"),
    ("Harlow will build a $40 million water plant next year.", "How much will the water plant cost?", "$40 million"),
    ("The city approved a $3.2 million settlement with the family.", "How much is the settlement worth?",
     "$3.2 million"),
])
def test_an_amount_before_a_thing_asks_what_it_costs_or_is_worth(analyzer: SpacyAnalyzer, text: str, question: str,
                                                                 expect: str) -> None:
    found = texts(qw.how_much(sentence(analyzer, text), set()))
    assert found.get(question) == expect, found


def test_how_long_and_a_start_date_on_a_participle(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "Crews will close the Canal Street tunnel for three months starting April 2 to replace "
                           "its lights, the city said.")
    assert texts(qw.when_next(s, "Tunnel to close for repairs")).get(
        "When will crews close the Canal Street tunnel?") == "April 2"
    assert texts(qw.details(s)).get("How long will crews close the Canal Street tunnel?") == "three months"


def test_a_plain_files_headline_line_is_the_title_not_a_story_sentence() -> None:
    from qa_service.articles.reading import story_sentences

    doc = article("Harlow library to open on Sundays again\n\nThe Harlow Public Library will open on Sundays from "
                  "noon to 5 p.m. starting Sept. 8, the board decided on Monday.\n",
                  "Harlow library to open on Sundays again")
    assert [s.text[:22] for s in story_sentences(doc)] == ["The Harlow Public Libr"]


def test_the_object_of_what_someone_sets_out_to_do_is_asked_about(analyzer: SpacyAnalyzer) -> None:
    s = sentence(analyzer, "The tenants' union had fought for two years to block the sale of the building.")
    assert texts(qw.details(s)).get("What had the tenants' union fought to block?") == "the sale of the building"
    # "said it planned to say ...", "wants to have ...": no act to ask about
    s = sentence(analyzer, "The mayor tried to make a point about the budget.")
    assert not any(q.endswith("to make?") for q in texts(qw.details(s)))


@pytest.mark.parametrize(("text", "question"), [
    # an amount told in the past is asked in the past; in the present, in the present
    ("The company said on Monday it had reported quarterly revenues of $2.4bn, up from a year ago.",
     "How much were the quarterly revenues?"),
    ("The state offers a maximum weekly benefit of $1,100.", "How much is the maximum weekly benefit?"),
    ("The council approved a rebate of up to $3 per tree last spring.", "How much is the rebate?"),
    # "with 40 gallons of paint spread in ...": a participle, asked in the passive
    ("The students said they painted the court with 40 gallons of blue paint spread in the north half.",
     "How many gallons were spread in the north half?"),
])
def test_an_amounts_question_keeps_the_sentences_tense_and_voice(analyzer: SpacyAnalyzer, text: str,
                                                                 question: str) -> None:
    assert question in texts(qw.how_much(sentence(analyzer, text), set()))


def test_coordinated_subjects_stay_whole_and_who_takes_a_singular_verb(analyzer: SpacyAnalyzer) -> None:
    found = texts(qw.details(sentence(analyzer, "Toyota and Honda have signed the battery pact on Monday.")))
    assert found.get("What have Toyota and Honda signed?") == "the battery pact", found
    assert found.get("Who has signed the battery pact?") == "Toyota and Honda", found


def test_an_idiom_is_not_a_thing_to_ask_what_about(analyzer: SpacyAnalyzer) -> None:
    found = texts(qw.details(sentence(analyzer, "The verdict took the defense lawyers by surprise on Friday.")))
    assert not any(q.startswith("What did the verdict take") for q in found), found
