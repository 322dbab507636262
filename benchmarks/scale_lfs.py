"""Twelve one-substring row LFs over YouTube comments: the LF set of ``benchmarks/scale.py``."""

from __future__ import annotations

from typing import Any

import lf
from lf import ABSTAIN

LABELS = ["HAM", "SPAM"]
HAM, SPAM = 0, 1

_RULES = [
    ("check_out", "check out", SPAM),
    ("subscribe", "subscribe", SPAM),
    ("http", "http", SPAM),
    ("channel", "channel", SPAM),
    ("my_video", "my video", SPAM),
    ("free", "free", SPAM),
    ("please", "please", SPAM),
    ("love", "love", HAM),
    ("song", "song", HAM),
    ("best", "best", HAM),
    ("voice", "voice", HAM),
    ("dance", "dance", HAM),
]


def _substring_lf(name: str, needle: str, label: int) -> lf.LabelingFunction:
    def f(x: Any) -> int:
        return label if needle in x.text else ABSTAIN

    return lf.LabelingFunction(name, f)


LFS = [_substring_lf(name, needle, label) for name, needle, label in _RULES]
