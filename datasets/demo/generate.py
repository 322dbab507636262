"""Write ``comments.csv``: the small synthetic demo corpus that ships with lf.

The comments are generated from phrase lists written for this project, with a fixed seed,
so the file is reproducible: ``python datasets/demo/generate.py`` rewrites it byte for byte.
Each row is a comment under a (fictional) music video, labeled HAM (about the video) or
SPAM (self-promotion, links, giveaways). Some spam is written to look like ham and some ham
mentions links or channels, so the demo LFs disagree now and then, as real LFs do.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20261128
ROWS = 2000

SONG_WORDS = ["song", "track", "beat", "chorus", "melody", "voice", "lyrics", "video", "dance", "bridge"]
FEELINGS = ["love", "adore", "can't stop replaying", "still remember", "grew up with", "never skip"]
PRAISE = ["masterpiece", "pure gold", "so underrated", "a classic", "incredible", "beautiful", "iconic"]
MEMORIES = [
    "my dad played this on every road trip",
    "we danced to this at my sister's wedding",
    "this was on the radio all summer in 2012",
    "I learned the whole routine in my bedroom",
    "this got me through exams",
    "my grandma hums this while cooking",
]
QUESTIONS = [
    "who is here in {year}?",
    "anyone else watching this in {year}?",
    "what is the name of the dancer at 2:{sec:02d}?",
    "is this the live version or the album one?",
    "does anyone know the guitar chords?",
]
HAM_TEMPLATES = [
    "I {feeling} this {word}, {praise}",
    "the {word} at 1:{sec:02d} is {praise}",
    "{memory}",
    "{question}",
    "{praise}. that {word} though",
    "{memory}. {praise}",
    "lol the {word} is so catchy",
    "{question} the {word} is {praise}",
    "i came here after hearing the {word} in a movie",
    "this {word} deserves more views than it has",
]
PROMO = [
    "check out my channel",
    "subscribe to my channel",
    "please subscribe",
    "visit my page",
    "follow me for more",
    "check my new video",
]
GIVEAWAYS = [
    "win a free gift card",
    "free followers here",
    "earn $500 a day from home",
    "claim your free prize",
    "get free coins",
]
SITES = ["freeprizes", "bestdeals", "clickwin", "topfans", "easymoney", "promo-hub"]
SPAM_TEMPLATES = [
    "{promo} {url}",
    "{promo}!! i make covers of this {word}",
    "{giveaway} at {url}",
    "{GIVEAWAY} {url}",
    "hey guys {promo}, it would mean a lot",
    "{promo} :) {praise} {word} btw",
    "{giveaway}!!! limited time only",
    "I {feeling} this {word}. {promo}",
    "go to {url} for {giveaway}",
    "{PROMO} PLEASE",
]
NAMES = ["Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "June", "Kai", "Lena", "Milo", "Nia"]


def _url(rng: random.Random) -> str:
    site = rng.choice(SITES)
    return rng.choice([f"http://{site}.example", f"https://www.{site}.example/go?id={rng.randint(100, 999)}", f"{site}.example"])


def _fill(template: str, rng: random.Random) -> str:
    promo = rng.choice(PROMO)
    giveaway = rng.choice(GIVEAWAYS)
    return template.format(
        word=rng.choice(SONG_WORDS),
        feeling=rng.choice(FEELINGS),
        praise=rng.choice(PRAISE),
        memory=rng.choice(MEMORIES),
        question=rng.choice(QUESTIONS).format(year=rng.choice([2019, 2021, 2023, 2025, 2026]), sec=rng.randint(0, 59)),
        sec=rng.randint(0, 59),
        promo=promo,
        PROMO=promo.upper(),
        giveaway=giveaway,
        GIVEAWAY=giveaway.upper(),
        url=_url(rng),
    )


def _author(rng: random.Random, spam: bool) -> str:
    name = rng.choice(NAMES)
    if spam and rng.random() < 0.5:
        return f"{name}{rng.randint(1000, 99999)}"
    return f"{name} {rng.choice(NAMES)}son" if rng.random() < 0.5 else name.lower() + str(rng.randint(1, 99))


def rows(seed: int = SEED, n: int = ROWS) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        spam = rng.random() < 0.45
        text = _fill(rng.choice(SPAM_TEMPLATES if spam else HAM_TEMPLATES), rng)
        if not spam and rng.random() < 0.04:  # ham that shares a link or a channel
            text += rng.choice([" (full concert on my channel)", f" lyrics here {_url(rng)}", " subscribe to the artist!"])
        if rng.random() < 0.15:
            text += rng.choice([" ❤", " 😍", "!!", " haha", " 🔥🔥"])
        out.append({"id": f"c{i:05d}", "author": _author(rng, spam), "text": text, "label": "SPAM" if spam else "HAM"})
    return out


def main() -> None:
    path = Path(__file__).with_name("comments.csv")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "author", "text", "label"])
        writer.writeheader()
        writer.writerows(rows())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
