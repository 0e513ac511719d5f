"""Mewsli-X queries: the mention marked in its sentence, as XTREME-R's baseline builds them.

xtreme's third_party/utils_mewslix.py (preprocess_mention) takes the one sentence holding the mention
(ContextualMention.truncate(window_size=0)), encloses the mention in "{ }" markers (escaping markers already
in the text as "( )"), and prepends the mention and a colon so that truncation cannot drop it:
    "Smith: The verdict came back for { Smith }, who stepped down ..."
Two mentions of one sentence therefore make two different queries. When the query is longer than the
model's window we also cut the context around the marked mention (left and right in turn), so that the
marked mention itself stays inside the window, which plain end truncation does not promise.
"""

from __future__ import annotations

import re

MARKER_L, MARKER_R = "{", "}"
_MARKED = re.compile(rf"{re.escape(MARKER_L)}(.*?){re.escape(MARKER_R)}")
SLACK = 4  # tokens kept free: pieces tokenised apart may merge differently when joined


def _escape(text: str) -> str:
    return _MARKED.sub(r"(\1)", text)


def _tidy(text: str) -> str:
    # as utils_mewslix: newlines to spaces, double spaces to one, ends stripped
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def mention_start(text: str, mention: str, start: int | None = None) -> int:
    """Where the mention starts in `text`: `start` when the mention is there, else its first occurrence;
    else `start` itself when it lies inside the text (noise may have changed the mention's letters), else -1."""
    if start is not None and text[start:start + len(mention)] == mention:
        return start
    found = text.find(mention)
    if found < 0 and start is not None and 0 <= start < len(text):
        return start
    return found


def mention_query(text: str, mention: str, start: int | None = None) -> str:
    """The query string of a mention in its sentence (utils_mewslix.preprocess_mention's format)."""
    at = mention_start(text, mention, start)
    if at < 0:  # the mention is not in the text (a reader's error): nothing to mark
        return _tidy(f"{mention}: {_escape(text)}")
    surface = text[at:at + len(mention)]  # the text's own letters, noisy ones included
    left, right = _escape(text[:at]), _escape(text[at + len(mention):])
    return _tidy(f"{surface}: {left} {MARKER_L} {surface} {MARKER_R} {right}")


def fitted_query(text: str, mention: str, tokenizer, max_length: int, start: int | None = None) -> str:
    """mention_query, with the context cut around the mention when the query would not fit `max_length`."""
    query = mention_query(text, mention, start)
    at = mention_start(text, mention, start)
    if at < 0 or len(tokenizer(query)["input_ids"]) <= max_length:
        return query
    surface = text[at:at + len(mention)]
    left, right = text[:at], text[at + len(mention):]
    core = len(tokenizer(mention_query(surface, surface, 0))["input_ids"])
    room = max(0, max_length - core - SLACK)
    left_offsets = tokenizer(left, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    right_offsets = tokenizer(right, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    keep_left = min(len(left_offsets), room // 2)
    keep_right = min(len(right_offsets), room - keep_left)
    keep_left = min(len(left_offsets), room - keep_right)
    cut_left = left[left_offsets[-keep_left][0]:] if keep_left else ""
    cut_right = right[:right_offsets[keep_right - 1][1]] if keep_right else ""
    return mention_query(cut_left + surface + cut_right, surface, len(cut_left))
