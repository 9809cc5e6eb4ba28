"""The text side's word-level tokenizer: lower-case words, a fixed vocabulary, UNK for the rest.

The vocabulary is data (stored with the weights), built once from the bundled suites and the
prompt generator's words; order matters downstream (positional embeddings), so ``encode`` keeps
word order and pads on the right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

PAD, UNK = 0, 1
SPECIALS = ("<pad>", "<unk>")
_WORD = re.compile(r"[a-z]+|\d+")


def words(text: str) -> list[str]:
    """Lower-case words and digit runs of ``text``; punctuation and hyphens separate words."""
    return _WORD.findall(text.lower())


def build_vocab(texts: Iterable[str] = ()) -> list[str]:
    """Specials, then every word of the bundled suites, palette, counts and ``texts``, sorted."""
    from prompts import COLOR_NAMES, load_suite

    seen: set[str] = set(COLOR_NAMES)
    seen |= {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "pair", "dozen"}
    seen |= {"left", "right", "leftward", "rightward", "leftwards", "rightwards", "up", "down"}
    for name in ("core", "nightly", "smoke", "showcase"):
        for p in load_suite(name).prompts:
            seen.update(words(p.text))
    for t in texts:
        seen.update(words(t))
    return [*SPECIALS, *sorted(seen - set(SPECIALS))]


class Tokenizer:
    """Words -> ids over ``vocab`` (``vocab[0]`` is padding, ``vocab[1]`` the unknown word).

    ``encode(texts)`` gives ``(B, max_len)`` int64 ids, right-padded with 0; words past
    ``max_len`` are dropped (suite prompts have at most about 45 words).
    """

    def __init__(self, vocab: Sequence[str], max_len: int = 64) -> None:
        if tuple(vocab[:2]) != SPECIALS:
            raise ValueError(f"vocab must start with {SPECIALS}, got {tuple(vocab[:2])}")
        self.vocab = list(vocab)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.max_len = int(max_len)

    def __len__(self) -> int:
        return len(self.vocab)

    def ids(self, text: str) -> list[int]:
        """Ids of the words of ``text`` (unknown words -> ``UNK``), untruncated."""
        return [self.index.get(w, UNK) for w in words(text)]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.max_len), np.int64)
        for i, text in enumerate(texts):
            ids = self.ids(text)[: self.max_len] or [UNK]
            out[i, : len(ids)] = ids
        return out
