"""The search tokens of a listing and the full-text queries built from a search term."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pricewatch.domain.search import (
    SEPARATOR, bigram, document_tokens, fts5_query, indexed_words, is_plain, listing_terms, query_phrases,
    tsquery, unigram,
)

#: CJK, Latin in both cases, digits, punctuation, characters that casefold to two (ß) or to a letter
#: and a combining mark (İ), a combining accent, an emoji, a letter SQLite takes for a separator.
ALPHABET = "圣奥办公椅得力华为AaBbLl0189-._/（）ßİ\u0301😀\u19b0"
words = st.text(ALPHABET, min_size=1, max_size=8)
texts = st.lists(st.text(ALPHABET + " \t", max_size=20), min_size=1, max_size=5)


def occurs(phrase: list[str], tokens: list[str]) -> bool:
    """Whether `phrase` is a run of consecutive tokens of `tokens`."""
    n = len(phrase)
    return any(tokens[i:i + n] == phrase for i in range(len(tokens) - n + 1))


def test_a_listing_is_stored_as_the_bigrams_of_each_word_then_every_distinct_character():
    assert listing_terms("L1", "圣奥 L83358 办公椅", "P2", "圣奥", "L83358") == (
        "l1 sepsep 圣奥 sepsep l8 83 33 35 58 sepsep 办公 公椅 sepsep p2 sepsep "
        "l 1 圣 奥 8 3 5 办 公 椅 p 2")


def test_the_words_of_every_field_are_casefolded_split_on_whitespace_and_kept_once():
    assert indexed_words("L1", "得力  DELI\t9935\n碎纸机", "p1", "得力", "deli", None) == [
        "l1", "得力", "deli", "9935", "碎纸机", "p1"]
    assert indexed_words("Straße") == ["strasse"]


def test_letters_and_ascii_digits_are_plain_everything_else_is_encoded_as_hex_code_points():
    assert [is_plain(c) for c in "a9Z圣éя"] == [True] * 6
    assert not any(is_plain(c) for c in "-._ （）\u0301😀٣")  # ٣: a non-ASCII digit
    assert (unigram("-"), unigram("😀")) == ("y00002d", "y01f600")
    assert (bigram("圣奥"), bigram("a-"), bigram("-a"), bigram("😀😀")) == (
        "圣奥", "x00006100002d", "x00002d000061", "x01f60001f600")


def test_letters_that_sqlites_tokenizer_takes_for_separators_are_encoded():
    assert not is_plain("\u19b0") and not is_plain("\u1cf2")
    assert unigram("\u19b0") == "y0019b0"


@given(texts)
def test_token_lengths_tell_unigrams_bigrams_and_the_separator_apart(fields):
    tokens = document_tokens(indexed_words(*fields))
    last = len(tokens) - 1 - tokens[::-1].index(SEPARATOR) if SEPARATOR in tokens else -1  # before unigrams
    assert all(len(t) in (2, 13, 6) and (len(t) != 6 or t == SEPARATOR) for t in tokens[:last + 1])
    assert all(len(t) in (1, 7) for t in tokens[last + 1:])
    assert all(" " not in t for t in tokens)


def test_a_query_word_is_its_unigram_or_the_phrase_of_its_bigrams_and_words_are_anded():
    assert query_phrases(" 得力  L8335 椅 得力 ") == [["得力"], ["l8", "83", "33", "35"], ["椅"]]
    assert fts5_query("得力 L8335 椅") == '"得力" AND "l8 83 33 35" AND "椅"'
    assert tsquery("得力 L8335 椅") == "('得力') & ('l8' <-> '83' <-> '33' <-> '35') & ('椅')"
    assert tsquery("A-1") == "('x00006100002d' <-> 'x00002d000031')"


@pytest.mark.parametrize("term", ["", "   ", "\t\n"])
def test_a_blank_term_gives_no_query(term):
    assert (query_phrases(term), fts5_query(term), tsquery(term)) == ([], "", "")


def test_case_does_not_matter_and_casefolding_applies_to_both_sides():
    doc = document_tokens(indexed_words("Straße HP"))
    assert occurs(query_phrases("STRASSE")[0], doc) and occurs(query_phrases("hp")[0], doc)


@settings(max_examples=500)
@given(words, texts)
def test_a_query_word_occurs_as_a_phrase_exactly_when_it_is_part_of_an_indexed_word(word, fields):
    doc_words = indexed_words(*fields)
    doc = document_tokens(doc_words)
    for query_word, phrase in zip(indexed_words(word), query_phrases(word)):
        assert occurs(phrase, doc) == any(query_word in w for w in doc_words)


@settings(max_examples=300)
@given(st.text(ALPHABET + " ", max_size=16), texts)
def test_a_term_matches_when_each_of_its_words_is_part_of_some_indexed_word(term, fields):
    doc_words = indexed_words(*fields)
    doc = document_tokens(doc_words)
    expected = all(any(q in w for w in doc_words) for q in indexed_words(term))
    assert all(occurs(phrase, doc) for phrase in query_phrases(term)) == expected
