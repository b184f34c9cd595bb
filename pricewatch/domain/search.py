"""Substring search over listings and suppliers: the tokens stored, and the queries that find them.

A listing's indexed words are the words of its code, its name, its product's code, brand and model;
a supplier's, those of its code and name; casefolded and split on whitespace (each word once). A full-text engine (SQLite FTS5, PostgreSQL
tsvector) cannot find substrings of a word, nor split Chinese into words, so each word is stored as
the sequence of its character *bigrams*, and after all the words, every distinct *unigram*:

    "圣奥 L83358"  ->  圣奥 sepsep l8 83 33 35 58 sepsep 圣 奥 l 8 3 5

A query word of two or more characters becomes the phrase of its bigrams (consecutive tokens): the
phrase occurs exactly when the word is a substring of one indexed word, since `sepsep` stands between
words and between the bigrams and the unigrams. A one-character query word becomes its unigram.
Query words are ANDed.

Both engines split text into tokens of letters and digits, so only ASCII letters and digits and the
letters (Lo, Ll, Lu once casefolded) that both keep inside a token are stored *plain*; every other
character is *encoded* as its code point in hex. The four kinds of token have
different lengths, so they never collide: unigrams 1 (plain) or 7 (`y` + 6 hex digits), bigrams 2
(two plain characters) or 13 (`x` + 6 hex digits per character), the separator 6.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

#: The token between two words' bigrams, and between the bigrams and the unigrams.
SEPARATOR = "sepsep"
#: Letter categories (after casefolding) stored as themselves.
_PLAIN_CATEGORIES = frozenset({"Lo", "Ll", "Lu"})
#: Letters (Lo since Unicode 8) that SQLite's unicode61 tokenizer still takes for separators: New
#: Tai Lue vowel signs and tone marks, two Vedic signs (tests/integration/test_search.py checks
#: that every other plain character is a token character of both engines).
_ENGINE_SEPARATORS = frozenset([*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3])


@lru_cache(maxsize=65536)
def is_plain(char: str) -> bool:
    """Whether a (casefolded) character is stored as itself rather than encoded."""
    if char.isascii():
        return char.isalnum()
    return unicodedata.category(char) in _PLAIN_CATEGORIES and ord(char) not in _ENGINE_SEPARATORS


@lru_cache(maxsize=65536)
def unigram(char: str) -> str:
    """The token of one character: itself when plain, else `y` and its code point in 6 hex digits."""
    return char if is_plain(char) else f"y{ord(char):06x}"


@lru_cache(maxsize=262144)
def bigram(pair: str) -> str:
    """The token of two adjacent characters: both when plain, else `x` and both code points."""
    first, second = pair
    if is_plain(first) and is_plain(second):
        return pair
    return f"x{ord(first):06x}{ord(second):06x}"


def word_bigrams(word: str) -> list[str]:
    """The bigram tokens of a word, in order (none for a one-character word)."""
    return [bigram(word[i:i + 2]) for i in range(len(word) - 1)]


def indexed_words(*texts: str | None) -> list[str]:
    """The casefolded words of the texts, each once, in order of first appearance."""
    return list(dict.fromkeys(word for text in texts if text for word in text.casefold().split()))


def document_tokens(words: list[str]) -> list[str]:
    """The tokens stored for these words: bigrams by word, then the distinct unigrams."""
    if not words:
        return []
    tokens: list[str] = []
    for word in words:
        if len(word) > 1:
            tokens += word_bigrams(word)
            tokens.append(SEPARATOR)
    tokens += [unigram(char) for char in dict.fromkeys("".join(words))]
    return tokens


def listing_terms(listing_code: str, listing_name: str | None, product_code: str | None = None,
                  brand: str | None = None, model: str | None = None) -> str:
    """The text stored in listing_search.terms for one listing (space-separated tokens)."""
    return " ".join(document_tokens(indexed_words(listing_code, listing_name, product_code, brand, model)))


def supplier_terms(supplier_code: str, supplier_name: str | None) -> str:
    """The text stored in supplier_search.terms for one supplier (space-separated tokens)."""
    return " ".join(document_tokens(indexed_words(supplier_code, supplier_name)))


def query_phrases(term: str) -> list[list[str]]:
    """The tokens of each distinct query word: one unigram, or the bigrams of a longer word."""
    return [[unigram(word)] if len(word) == 1 else word_bigrams(word) for word in indexed_words(term)]


def fts5_query(term: str) -> str:
    """The FTS5 MATCH expression for a search term ('' for a blank term): quoted phrases ANDed."""
    return " AND ".join('"' + " ".join(tokens) + '"' for tokens in query_phrases(term))


def tsquery(term: str) -> str:
    """The to_tsquery('simple', ...) text for a search term ('' for a blank term).

    Each lexeme is quoted; the tokens of a phrase are joined by `<->` (followed by), words by `&`.
    """
    return " & ".join("(" + " <-> ".join(f"'{token}'" for token in tokens) + ")"
                      for tokens in query_phrases(term))
