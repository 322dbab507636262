"""Spam LFs for YouTube comments (UCI YouTube Spam Collection: comments under music videos).

Spam here is self-promotion: links, "subscribe to my channel", pleas to view or share,
money offers. Ham is viewers talking about the song, the artist or the view count.
The LFs read only the ``text`` field (pass ``text_column="CONTENT"`` for the raw CSVs).
The linguistic LFs at the end parse comments with spaCy (``pip install 'lf[nlp]'`` and a
pipeline: ``python -m spacy download en_core_web_sm``, or name another in ``$LF_SPACY_MODEL``).

Run them: ``lf report Youtube01-Psy.csv --lfs labeling_functions/youtube_spam.py --text-column CONTENT``
"""

import html
import re

from lf import ABSTAIN, keyword_lf, labeling_function, preprocessor, regex_lf
from lf.nlp import nlp_labeling_function

LABELS = ["HAM", "SPAM"]
HAM, SPAM = 0, 1

# -- templates: vectorised matchers over the whole chunk -------------------------------------
web_link = regex_lf(
    "web_link",
    r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|ly|me|tk|co|info)\b|/watch\?v=",
    SPAM,
)
"""A link (URL, bare domain or /watch?v= path) sends viewers somewhere else."""
subscribe_ask = regex_lf(
    "subscribe_ask",
    r"\bsu(?:b|bs|bscri\w*|scri\w*|bcri\w*|bsrib\w*)\b|\bsub4sub\b|\bsub\s*(?:me|back|4)\b",
    SPAM,
)
"""Asking for subscribers, including the usual misspellings and sub4sub trades."""
own_content = regex_lf(
    "own_content",
    r"\b(?:my|our|mine)\s+(?:new\s+|latest\s+|first\s+|own\s+|youtube\s+|music\s+)?"
    r"(?:channel|videos?|vids?|page|profile|songs?|music|band|covers?|playlist|blog|website|site"
    r"|mixtape|album|account)\b",
    SPAM,
)
"""'my channel', 'our new song', 'my page': the writer advertises their own content."""
share_button = regex_lf("share_button", r"(?:check out|take a look at) this (?:video|playlist) on youtub", SPAM)
"""YouTube's share text ('Check out this video on YouTube:') pasted as a comment."""
money_offer = keyword_lf(
    "money_offer",
    ["make money", "earn", "earning", "cash", "dollars", "paypal", "gift card", "giveaway", "free", "iphone",
     "per month", "per day", "bitcoin", "work from home", "online job"],
    SPAM,
)
"""Money, prizes and free stuff are offers, not opinions about the video."""
view_count = regex_lf(
    "view_count",
    r"\b(?:billion|billions|billon|bilion|million|millions|milion)\b|\bthe (?:views|view count|number of view)"
    r"|\b\d[\d.,]*\s*(?:views|viewers?|comments|likes|dislikes)\b|\bso many views\b",
    HAM,
)
"""Remarks on the view, like or comment counts are viewers talking about the video."""
like_bait = regex_lf(
    "like_bait",
    r"\blike this comment|\bshare (?:this|it|on)\b|\bvote (?:for|daily)\b|\bgive (?:it|me|this) a like\b",
    SPAM,
)
"""'Like this comment', 'share this', 'vote for': farming likes and clicks."""
check_it_out = regex_lf(
    "check_it_out",
    r"\bcheck(?:ing)?\s+(?:it\s+|this\s+|me\s+|him\s+|her\s+|them\s+)?out\b|\bcheck\s+(?:my|our|his|this|me)\b",
    SPAM,
)
"""'Check it out', 'check my ...': inviting viewers to look at something else."""


# -- preprocessors ------------------------------------------------------------------------
@preprocessor()
def clean_words(x):
    """Unescaped, lower-cased comment text (``x.clean``) and its word list (``x.words``)."""
    text = html.unescape(str(x.text)).replace("\ufeff", "")
    text = re.sub(r"<[^>]+>", " ", text)
    x.clean = text.lower()
    x.words = re.findall(r"[a-z0-9']+", x.clean)
    return x


_ASKS = {"check", "view", "views", "visit", "watch", "like", "share", "help", "support", "listen", "follow",
         "comment", "add", "click", "join", "vote", "give", "take"}
_POLITE = {"please", "pls", "plz", "plez", "plese", "pleas", "kindly"}
_MUSIC_TALK = {"song", "songs", "music", "lyrics", "beat", "chorus", "voice", "dance", "dancing", "rapper",
               "singer", "sing", "sings", "rap", "video", "clip", "album", "melody"}
_PROMO = _POLITE | {"subscribe", "subscribed", "sub", "subs", "subscribers", "channel", "chanel", "check", "visit",
                    "share", "click", "follow", "vote", "add", "website", "site", "page", "free", "money"}
_SELF = {"my", "our", "me", "us", "i'm", "im", "we're"}
_LINKY = re.compile(r"https?://|www\.|\.com\b")
_CROWD = re.compile(r"(?:hey|hi|hello|yo)\s+(?:guys|everyone|everybody|people|all|friends)")
_BAIT = re.compile(r"\blike (?:this|my) comment|\bgive (?:it|me|this) a like\b")


# -- row LFs ------------------------------------------------------------------------------
@labeling_function(pre=[clean_words])
def polite_request(x):
    """'Please' next to a request to view, like, share or check something is begging for clicks."""
    words = set(x.words)
    return SPAM if words & _POLITE and words & _ASKS else ABSTAIN


@labeling_function(pre=[clean_words])
def addresses_crowd(x):
    """Opening on 'hey guys / hi everyone' introduces a pitch to the other viewers."""
    return SPAM if _CROWD.match(" ".join(x.words[:4])) else ABSTAIN


@labeling_function(pre=[clean_words])
def long_pitch(x):
    """Long comments that speak about the writer ('I', 'my', 'we') are pitches, not reactions."""
    if len(x.words) < 35:
        return ABSTAIN
    return SPAM if sum(w in _SELF for w in x.words) >= 3 else ABSTAIN


@labeling_function(pre=[clean_words])
def no_pitch(x):
    """A comment of up to 20 words with no link and no promotional word is a viewer's reaction."""
    if len(x.words) > 20 or _LINKY.search(x.clean) or _BAIT.search(x.clean):
        return ABSTAIN
    if set(x.words) & _PROMO or any(w.startswith(("subscri", "suscri")) for w in x.words):
        return ABSTAIN
    return HAM


@labeling_function(pre=[clean_words])
def music_opinion(x):
    """Talking about the song or the video, without any self-promotion, is a fan's comment."""
    words = set(x.words)
    if not words & _MUSIC_TALK or words & (_SELF | _PROMO) or _LINKY.search(x.clean):
        return ABSTAIN
    return HAM


@labeling_function(pre=[clean_words])
def talks_about_them(x):
    """Third-person talk about the artist ('she is', 'his voice') is discussion of the video."""
    if len(x.words) > 30 or _LINKY.search(x.clean) or set(x.words) & (_PROMO | _SELF):
        return ABSTAIN
    return HAM if re.search(r"\b(?:she|he|her|his|they|their)\b", x.clean) else ABSTAIN


_FEELING = re.compile(
    r"\bi\s+(?:really\s+|just\s+|still\s+)?(?:love|like|adore|miss|remember|hate)\b"
    r"|\blove\s+(?:this|it|you|her|him|the)\b"
    r"|\bbest\s+(?:song|songs|music|video|rapper|singer|ever)\b|\bfavou?rite\b|\bfan of\b"
)


@labeling_function(pre=[clean_words])
def fan_feelings(x):
    """'I love this', 'best song ever', 'my favourite': a fan reacting, unless also pitching."""
    if not _FEELING.search(x.clean) or _LINKY.search(x.clean):
        return ABSTAIN
    if set(x.words) & (_PROMO | {"views"}):
        return ABSTAIN
    return HAM


# -- linguistic LFs: spaCy parses each distinct comment once per chunk ---------------------
_ASK_VERBS = _ASKS | {"subscribe", "go", "look", "come", "please", "try", "search", "download", "sign"}
_SELF_OR_PROMO = _SELF | _PROMO


def _promo_free(doc):
    return not _LINKY.search(doc.text.lower()) and not any(t.lower_ in _SELF_OR_PROMO for t in doc)


@nlp_labeling_function(needs=("tag",))
def imperative_ask(x):
    """An imperative 'check / subscribe / watch ...' opening the comment addresses the reader."""
    return SPAM if any(t.i <= 2 and t.tag_ == "VB" and t.lower_ in _ASK_VERBS for t in x.doc) else ABSTAIN


@nlp_labeling_function(needs=("pos",))
def verbless_reaction(x):
    """A short comment with no verb at all ('omg', 'best song 2015') is an exclamation, not a pitch."""
    doc = x.doc
    if not 0 < len(doc) <= 15 or any(t.pos_ in ("VERB", "AUX") for t in doc):
        return ABSTAIN
    return HAM if _promo_free(doc) else ABSTAIN


@nlp_labeling_function(needs=("ner",))
def names_someone(x):
    """Naming a person, a people or a place without any self-promotion is talk about the video."""
    named = any(e.label_ in ("PERSON", "NORP", "GPE") for e in x.doc.ents)
    return HAM if named and _promo_free(x.doc) else ABSTAIN


@nlp_labeling_function(needs=("ner",))
def own_named_work(x):
    """'my ...' next to a named organisation, product or work is the writer advertising it."""
    named = any(e.label_ in ("ORG", "PRODUCT", "WORK_OF_ART") for e in x.doc.ents)
    return SPAM if named and any(t.lower_ in ("my", "our") for t in x.doc) else ABSTAIN
