"""The index's text analysis is fast but must give the very terms of its plain definition (the one the
reader, ``sparql_endpoint.search.analyse``, applies to queries), whatever the stemmer implementation."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import snowballstemmer
from snowballstemmer.dutch_stemmer import DutchStemmer
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.french_stemmer import FrenchStemmer

from ingest import search_index as writer
from sparql_endpoint import search as reader

CASES = Path(__file__).parent / "cases"

TRICKY = [
    "Données\u00a0ouvertes\u202fet\u2003cœur", "ΟΔΟΣ ΚΑΙ ΣΟΦΙΑ ΣΑΣ", "e\u0301te\u0301 \u0301début \u0327a",
    "ﬁnance ﬂux m² ½ ³⁄₄", "İstanbul ǅemal", "ＡＢＣ ｄｏｎｎéｅｓ", "l'eau d’été, qu'il", "tab\tnl\nrc\rff\x0cvt\x0b",
    "a\u2028b\u2029c\x1cd\x85e", "ⅻ ① ㎏ ﬀ", "naïve façade Œuvre", "", "   ", "le la les de",
]
ALPHABET = "aéèeEÉçÇœŒ\u0301\u0327 \u00a0\u2003\u202f\t\nΣσςΟΔİıﬁ²½ㅤ-'’.,0123456789ßẞÅ"


def _reference(text: str, lang: str) -> list[str]:
    return [writer.stem(w, lang) for w in writer._WORD.findall(writer.fold(text)) if w not in writer._STOPWORDS]


@pytest.mark.parametrize("lang", ["fr", "en", "nl"])
def test_analyse_gives_the_terms_of_its_definition(lang):
    rng = random.Random(7)
    texts = [*TRICKY, *("".join(rng.choices(ALPHABET, k=rng.randint(1, 40))) for _ in range(3000))]
    for text in [*texts, *texts]:  # twice: the second time from the cache
        assert writer.analyse(text, lang) == _reference(text, lang), repr(text)
        assert reader.analyse(text, lang) == writer.analyse(text, lang), repr(text)


def _words() -> set[str]:
    """Every folded word of the test cases' inputs (real French, English and Dutch texts)."""
    words: set[str] = set()
    for path in CASES.glob("*/input.*"):
        words |= set(re.findall(r"\w+", writer.fold(path.read_text(encoding="utf-8", errors="replace"))))
    return words


def test_the_stemmers_in_use_stem_as_the_pure_python_snowball_ones():
    """snowballstemmer hands its work to PyStemmer (C) when it is installed: the stems must not change."""
    words = _words()
    assert len(words) > 2000
    for name, pure in (("french", FrenchStemmer()), ("english", EnglishStemmer()), ("dutch", DutchStemmer())):
        used = snowballstemmer.stemmer(name)
        different = [w for w in sorted(words) if used.stemWord(w) != pure.stemWord(w)]
        assert not different, (name, different[:10])
