"""The grounding eval harness: datasets of questions, the metrics that score
answers (retrieval, citations, faithfulness, refusals, correctness), the runner
that drives the real pipeline through Services, reports (terminal, JSON, HTML),
run comparison and the CI gate. The CLI lives in qa_service/cli/eval.py."""
