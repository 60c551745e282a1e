"""Grounding: does a passage support a claim? The GroundingChecker seam, the
offline checkers (the shipped cross-encoder in model/, behind the PairModel
seam that adapters/onnx_crossencoder.py implements, and a lexical baseline),
and the cheap alignment they rest on: evidence selection, the verbatim test
and the shortlist of spans worth a model call. The LLM judge for evals lives
in evaluation/llm_judge.py and shares the Protocol."""
