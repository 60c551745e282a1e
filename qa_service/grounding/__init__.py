"""Grounding: does a passage support a claim? The GroundingChecker seam, the
offline checkers and the text analysis they rest on, and an LLM-judge checker
for evals."""
