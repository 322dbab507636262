"""Spam LFs for SMS messages (UCI SMS Spam Collection: personal texts and commercial spam).

Spam here is commercial: prizes to claim, premium-rate numbers and short codes to text,
prices per message or per week, opt-out instructions. Ham is people texting each other:
short, casual, full of plans, questions and slang, and usually without numbers.
The LFs read only the ``text`` field.

Run them on the UCI file (``label<TAB>text`` lines, no header) through the dataset loader::

    lf datasets fetch sms --from PATH/TO/sms_raw
    python -c "import lf, lf.datasets; print(lf.summarize(lf.apply(
        lf.load_lfs('labeling_functions/sms_spam.py'), lf.datasets.load('sms'))))"
"""

import re

from lf import ABSTAIN, keyword_lf, labeling_function, preprocessor, regex_lf

LABELS = ["HAM", "SPAM"]
HAM, SPAM = 0, 1

# -- templates: vectorised matchers over the whole chunk -------------------------------------
premium_number = regex_lf("premium_number", r"\b0[89]\d{2}\s?\d{3}\s?\d{3,5}\b", SPAM)
"""A UK premium-rate or freephone number (08xx / 09xx) to call."""
text_to_short_code = regex_lf(
    "text_to_short_code",
    r"\b(?:txt|text|send|reply|rply|sms)\b[^.!?]{0,40}?\bto\s*:?\s*\d{4,6}\b|\bto\s+\d{5}\b",
    SPAM,
)
"""'Text WIN to 80082': a keyword to send to a 4-6 digit short code."""
prize_claim = keyword_lf(
    "prize_claim",
    ["winner", "prize", "awarded", "guaranteed", "claim", "voucher", "selected to receive", "cash award",
     "you have won", "you've won", "u have won", "bonus"],
    SPAM,
)
"""Prizes, awards and vouchers waiting to be claimed."""
price_tag = regex_lf(
    "price_tag",
    r"\b\d+(?:\.\d+)?p\b|£\s?\d|\b\d+\s?ppm\b|\bp/?(?:msg|min|wk|week)\b|/(?:wk|week|min|msg)\b"
    r"|\bper (?:week|wk|min|minute|msg|message|text)\b|\bgbp\b",
    SPAM,
)
"""Prices in pence or pounds, or per message / minute / week ('150p', '£1.50/wk')."""
fine_print = regex_lf(
    "fine_print",
    r"\bopt\s?-?out\b|\bunsub\w*|\bt\s?&\s?c'?s?\b|\bts\s?&?\s?cs\b|\bcust\s?care\b|\bcustomer services?\b"
    r"|\b1[68]\s?\+|\bage\s?1[68]\b|\bpo\s?box\s?\d|\bstop\s+to\s+(?:end|stop|\d)",
    SPAM,
)
"""Opt-out lines, T&Cs, age limits, PO boxes and customer-care numbers."""
web_address = regex_lf("web_address", r"https?://|\bwww\.|\.co\.uk\b|\b\w+\.(?:com|net|biz|tv)\b", SPAM)
"""A web address to visit."""
handset_offer = keyword_lf(
    "handset_offer",
    ["ringtone", "ringtones", "polyphonic", "camera phone", "latest nokia", "new nokia", "free entry", "line rental",
     "mobile upd8", "mobileupd8", "free msg", "freemsg", "txt now", "call now", "dating service"],
    SPAM,
)
"""Ringtones, new handsets, free entries and line-rental deals."""
chat_slang = keyword_lf(
    "chat_slang",
    ["lor", "lar", "leh", "lah", "da", "haha", "hahaha", "lol", "hmm", "hmmm", "dunno", "gonna", "wanna", "wat",
     "k", "okie", "ok", "oh", "anyway", "nite", "sleep", "home", "lunch", "dinner", "tmr", "tomorrow"],
    HAM,
)
"""Chat slang and everyday words ('lor', 'ok', 'haha', 'dinner') of people texting friends."""
adult_content = keyword_lf(
    "adult_content",
    ["horny", "sexy singles", "hot singles", "flirting", "filthy", "dogging", "xxx pics", "adult 18"],
    SPAM,
)
"""Adult chat and picture services."""
smiley = regex_lf("smiley", r"[:;]-?[)(pd]|\(:|<3|:-\*", HAM)
"""Emoticons are how friends write, not advertisers."""


# -- preprocessors ------------------------------------------------------------------------
@preprocessor()
def tokens(x):
    """Word list (``x.words``, lower-cased) and whether the message has any digit (``x.has_digit``)."""
    text = str(x.text)
    x.words = re.findall(r"[a-z']+", text.lower())
    x.has_digit = any(c.isdigit() for c in text)
    return x


_CAPS = re.compile(r"\b[A-Z]{3,}\b")
_LONG_NUMBER = re.compile(r"\d{5,}")
_SALES = {"free", "win", "won", "call", "txt", "text", "claim", "prize", "cash", "offer", "mobile", "reply",
          "urgent", "award", "entry", "chat", "sexy", "girls", "contact", "customer", "service", "now"}
_PERSONAL = {"i'm", "i'll", "im", "ill", "i've", "i'd", "me", "my", "we", "we're", "us", "you're", "he", "she",
             "him", "her", "mom", "mum", "dad", "babe", "dear", "love"}


# -- row LFs ------------------------------------------------------------------------------
@labeling_function(pre=[tokens])
def no_digits_no_sales(x):
    """Messages with no digit and no sales word are people talking to each other."""
    return HAM if not x.has_digit and not set(x.words) & _SALES else ABSTAIN


@labeling_function(pre=[tokens])
def short_personal(x):
    """A short message in the first person, without any sales word, is a personal text."""
    words = set(x.words)
    if len(x.words) > 20 or words & _SALES:
        return ABSTAIN
    return HAM if words & _PERSONAL else ABSTAIN


@labeling_function()
def capitals_and_numbers(x):
    """Many upper-case words together with a long number is how promotions are written."""
    text = str(x.text)
    return SPAM if len(_CAPS.findall(text)) >= 2 and _LONG_NUMBER.search(text) else ABSTAIN


_ACTION = re.compile(
    r"\bto claim\b|\bcall from a landline\b|\breply (?:with|yes|no|stop|end|now)\b|\b(?:call|txt|text) now\b"
)


@labeling_function(pre=[tokens])
def call_to_action(x):
    """'Reply YES', 'to claim', 'call now' in a message carrying a number: orders to the reader."""
    return SPAM if x.has_digit and _ACTION.search(" ".join(x.words)) else ABSTAIN
