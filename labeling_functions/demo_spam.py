"""Spam LFs for the demo corpus (datasets/demo/comments.csv): comments under a music video.

Run them: ``lf label datasets/demo/comments.csv --lfs labeling_functions/demo_spam.py -o labels.parquet --gold label``
"""

import re

from lf import ABSTAIN, keyword_lf, labeling_function, preprocessor, regex_lf

LABELS = ["HAM", "SPAM"]
HAM, SPAM = 0, 1

# Templates: compiled to vectorised matchers over the whole chunk.
promo_words = keyword_lf("promo_words", ["subscribe", "my channel", "my page", "follow me"], SPAM)
giveaway = keyword_lf("giveaway", ["free", "prize", "gift card", "earn"], SPAM)
has_url = regex_lf("has_url", r"https?://|www\.|\.example\b", SPAM)
song_talk = keyword_lf("song_talk", ["song", "chorus", "melody", "lyrics", "beat"], HAM)
praise = keyword_lf("praise", ["masterpiece", "classic", "iconic", "underrated", "catchy", "beautiful"], HAM)
memories = regex_lf("memories", r"\b(?:my (?:dad|mom|grandma|sister)|road trip|exams|summer|grew up|in a movie)\b", HAM)


@preprocessor()
def words(x):
    """Lower-cased word list of the comment."""
    x.words = re.findall(r"[a-z']+", x.text.lower())
    return x


@labeling_function(pre=[words])
def short_comment(x):
    """Very short comments are rarely spam."""
    return HAM if len(x.words) <= 4 else ABSTAIN


@labeling_function(pre=[words])
def first_person_feeling(x):
    """'I love / adore ...' is how fans talk."""
    return HAM if "i" in x.words and any(w in x.words for w in ("love", "adore", "remember")) else ABSTAIN


@labeling_function()
def shouting(x):
    """Mostly upper-case letters: someone wants attention."""
    letters = [c for c in x.text if c.isalpha()]
    return SPAM if len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) > 0.7 else ABSTAIN


@labeling_function()
def timestamp(x):
    """A timestamp (1:23) points at a moment of the video."""
    return HAM if re.search(r"\b\d:\d\d\b", x.text) else ABSTAIN


@labeling_function()
def numbered_author(x):
    """Authors named like Name12345 post in bulk."""
    return SPAM if re.fullmatch(r"[A-Z][a-z]+\d{4,}", x.author) else ABSTAIN


@labeling_function()
def question(x):
    """Questions to other viewers are conversation, not promotion."""
    # a question mark at the end, perhaps followed by spaces, "!", emoji or a laugh ("haha")
    return HAM if re.search(r"\?[\s!❤😍🔥]*(?:(?:ha)+[\s!❤😍🔥]*)?$", x.text) else ABSTAIN
