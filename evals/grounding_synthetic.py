"""A held-out sanity check for the offline grounding checker, built from the
seed corpus: faithful paraphrases (the article's curated takeaways and
hand-written rewordings) against factual edits of the same facts (numbers,
dates, names, negation, opposites, roles, added details), each judged against
its whole source document as SummEdits pairs are.

    .venv/bin/python evals/grounding_synthetic.py [--write evals/grounding/seed-pairs.jsonl] [--errors]

The pairs were written before the checker was scored on them, and none of them
was used to fit or tune it; some edits have no lexical cue at all (a tense
change, one noun for another) and are expected misses: the figure is a floor
check against overfitting SummEdits, not a second benchmark. The written file
is in the format of ``qa-service eval calibrate --dataset``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service.evaluation.calibrate import confusion_metrics  # noqa: E402
from qa_service.ingest.documents import load_paths  # noqa: E402
from qa_service.services import make_checker  # noqa: E402

ARTICLE = "us-mexico-security-cooperation"
STATEMENT = "joint-statement-2026-01-15"
SIG = "sig-meetings-mission-firewall"
FRAMEWORK = "bicentennial-framework-action-plan"
CRS = "crs-mexico-security-funding"
DIALOGUE = "high-level-security-dialogue-2021"

# (document, claim): faithful rewordings, as an LLM would write them
PARAPHRASES = [
    (ARTICLE, "Rubio and de la Fuente talked by phone about security challenges shared by both countries."),
    (ARTICLE, "The two governments will keep cooperating on security."),
    (ARTICLE, "The Security Implementation Group, a bilateral body, meets on January 23."),
    (ARTICLE, "Stopping the illegal flow of fentanyl and guns over the U.S.-Mexico border was named as the top "
              "priority."),
    (ARTICLE, "A Security Ministerial is planned for February in Washington, D.C."),
    (ARTICLE, "The ministerial will be used to assess progress and to identify remaining gaps."),
    (STATEMENT, "The U.S. State Department released the joint statement on January 15, 2026."),
    (STATEMENT, "According to the statement, the SIG is set to meet on January 23, 2026."),
    (STATEMENT, "The statement did not describe what the information-sharing initiatives involve."),
    (STATEMENT, "No agenda has been published for the January 23 meeting."),
    (SIG, "The SIG, created in 2025, is a bilateral working group of the U.S. and Mexico."),
    (SIG, "Its role is coordinating concrete joint actions against cartels, fentanyl trafficking and illicit "
          "firearms."),
    (SIG, "Senior officials from at least six U.S. agencies took part in the first meetings."),
    (SIG, "The Treasury Department sent a Deputy Assistant Secretary to the meetings."),
    (SIG, "No permanent chair of the group has been publicly identified."),
    (SIG, "Mission Firewall was launched at the first meeting of the SIG."),
    (SIG, "Mission Firewall seeks to extend Mexico's use of the eTrace system to all 32 Mexican states."),
    (SIG, "Both countries agreed to share information from cargo manifests."),
    (SIG, "The agenda of the January 23, 2026 meeting has not been made public."),
    (FRAMEWORK, "Under the Bicentennial Framework, both countries committed to dismantle narcotics production and "
                "disrupt trafficking networks."),
    (FRAMEWORK, "The Action Plan does not set specific indicators or timelines for measuring results."),
    (FRAMEWORK, "Mexico says the cooperation happens without subordination."),
    (CRS, "Congress has not created a dedicated funding stream for the SIG."),
    (CRS, "Security funding for Mexico still goes through the regular appropriations accounts."),
    (DIALOGUE, "The United States and Mexico held a High-Level Security Dialogue in 2021."),
    (DIALOGUE, "These meetings cannot by themselves make binding changes to funding, laws or deployments."),
    (DIALOGUE, "The attendance list for the February 2026 Security Ministerial has not been published yet."),
]

# (document, claim, edit type): the same facts, changed
EDITS = [
    (ARTICLE, "Rubio and de la Fuente met in person in Mexico City to discuss security challenges.", "name"),
    (ARTICLE, "The Security Implementation Group meets on January 24.", "number"),
    (ARTICLE, "The Security Implementation Group met on January 23.", "tense"),
    (ARTICLE, "A Security Ministerial is planned for March in Washington, D.C.", "date"),
    (ARTICLE, "A Security Ministerial is planned for February in Ottawa.", "name"),
    (ARTICLE, "The ministerial will mark two years of the current cooperation effort.", "number"),
    (STATEMENT, "The State Department did not release the joint statement.", "negation"),
    (STATEMENT, "The statement described in detail what the information-sharing initiatives involve.", "negation"),
    (STATEMENT, "The agenda for the January 23 meeting has been published.", "negation"),
    (SIG, "The SIG was created in 2023.", "number"),
    (SIG, "The SIG is a single-agency body.", "negation"),
    (SIG, "Senior officials from at least ten U.S. agencies took part in the first meetings.", "number"),
    (SIG, "The Treasury Department sent its Secretary to the meetings.", "role"),
    (SIG, "The Secretary of State permanently chairs the group.", "hallucination"),
    (SIG, "Mission Firewall was launched at the second SIG meeting.", "number"),
    (SIG, "Mission Firewall aims to reduce border operations and U.S. inspections.", "opposite"),
    (SIG, "Mission Firewall aims to extend eTrace to 20 Mexican states.", "number"),
    (SIG, "Both governments agreed to stop sharing cargo manifest information.", "opposite"),
    (FRAMEWORK, "The Action Plan sets specific indicators and timelines for measuring results.", "negation"),
    (FRAMEWORK, "Mexico has described the cooperation as taking place under U.S. command.", "hallucination"),
    (CRS, "Congress has created a dedicated funding stream for the SIG.", "negation"),
    (CRS, "Congress has directed some funding toward countering cocaine.", "noun swap"),
    (DIALOGUE, "The United States and Mexico held a High-Level Security Dialogue in 2019.", "number"),
    (DIALOGUE, "These meetings make binding changes to funding, laws and deployments.", "negation"),
    (DIALOGUE, "On the Mexican side, attendees typically include the President of Mexico.", "role"),
    (SIG, "The SIG is pursuing decisive action against financial institutions in Canada.", "name"),
    (ARTICLE, "The ministerial will be held in Washington, D.C. in February and is expected to last three days.",
     "hallucination"),
    (SIG, "The SIG has decreased cooperation on extraditions and asset forfeiture.", "opposite"),
    (ARTICLE, "Officials said fentanyl was a minor concern compared with weapons.", "opposite"),
    (SIG, "The SIG's first meetings focused on announcing new budget lines and large deployments.", "negation"),
]


def build(corpus: Path) -> list[dict]:
    docs, problems = load_paths([corpus])
    if problems:
        raise SystemExit(f"corpus problems: {problems}")
    by_id = {d.id: d for d in docs}
    rows = []
    article = by_id[ARTICLE]
    for i, takeaway in enumerate(article.takeaways):
        rows.append({"id": f"takeaway_{i}", "document": article.text, "summary": takeaway, "consistent": True,
                     "edit_types": []})
    for i, (doc_id, claim) in enumerate(PARAPHRASES):
        rows.append({"id": f"paraphrase_{i}", "document": by_id[doc_id].text, "summary": claim, "consistent": True,
                     "edit_types": []})
    for i, (doc_id, claim, kind) in enumerate(EDITS):
        rows.append({"id": f"edit_{i}", "document": by_id[doc_id].text, "summary": claim, "consistent": False,
                     "edit_types": [kind]})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--write", type=Path, help="also write the pairs as JSON Lines (eval calibrate format)")
    parser.add_argument("--errors", action="store_true", help="list the pairs the checker gets wrong")
    parser.add_argument("--checker", choices=["crossencoder", "lexical"], default="crossencoder")
    parser.add_argument("--threshold", type=float, help="default: the checker's own (answer time)")
    args = parser.parse_args()
    rows = build(args.corpus)
    checker = make_checker(args.checker, args.threshold)
    t = checker.threshold
    labels, predicted = [], []
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        score = checker.score(r["summary"], r["document"])
        ok = (score >= t) == r["consistent"]
        labels.append(r["consistent"])
        predicted.append(score >= t)
        kind = r["edit_types"][0] if r["edit_types"] else r["id"].split("_")[0]
        by_kind[kind][0] += ok
        by_kind[kind][1] += 1
        if args.errors and not ok:
            print(f"{r['id']} consistent={r['consistent']} score={score:.3f}: {r['summary']}", file=sys.stderr)
    result = confusion_metrics(labels, predicted)
    result.update({"checker": checker.name, "threshold": t})
    result["correct_by_kind"] = {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_kind.items())}
    print(json.dumps(result, indent=2))
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
