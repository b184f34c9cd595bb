"""Searching listings by code, name, brand and model, on SQLite (FTS5) and PostgreSQL (GIN), kept by the importer."""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pricewatch.cli import cli
from pricewatch.db.migrate import upgrade
from pricewatch.db.models import Listing, ListingSearch, Product
from pricewatch.domain.search import bigram, indexed_words, is_plain, unigram
from pricewatch.importers import ImportRejected
from pricewatch.services import search as search_service
from pricewatch.services.imports import import_listings
from pricewatch.services.search import index_listings, matching_listing_ids
from tests.integration.factories import make_listing, make_product, make_supplier

HEADER = "listing_id,product_id,supplier_id,category,brand,model,name,mall_price\n"
LISTINGS = HEADER + """L1,P1,S1,office_chair,圣奥,L83358,圣奥 L83358 办公椅,870.55
L2,P2,S1,shredder,得力,9935,得力 9935 碎纸机,464.20
L3,P3,S2,router,华为,AX3-Pro,华为 AX3-Pro 路由器,155.25
L4,P4,S2,printer,惠普,M404dn,惠普 LaserJet Pro M404dn 激光打印机,2150.00
L5,P1,S3,office_chair,,,人体工学椅（网面）,899.00
L6,P2,S3,shredder,,,碎纸机（六号）,470.00
L12,P5,S1,paper,晨光,A4-70g,晨光 A4 复印纸 70g,30.00
"""


def load(session, settings, tmp_path: Path, content: str, name: str = "listings.csv"):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return import_listings(session, path, actor="mona", today=dt.date(2026, 11, 3), settings=settings)


def found(session, term: str) -> list[str]:
    """The codes of the listings a term finds, sorted."""
    ids = matching_listing_ids(session, term)
    return sorted(session.scalars(select(Listing.code).where(Listing.id.in_(ids)))) if ids else []


def assert_index_is_consistent(session) -> None:
    """Every listing has its tokens; on SQLite, the FTS5 index holds exactly listing_search's terms."""
    stale = [listing_id for listing_id, terms in session.execute(
        select(ListingSearch.listing_id, ListingSearch.terms)) if terms != _terms_of(session, listing_id)]
    assert stale == []
    assert session.scalar(select(func.count()).select_from(ListingSearch)) == \
        session.scalar(select(func.count()).select_from(Listing))
    if session.get_bind().dialect.name == "sqlite":  # raises when the index and its content differ
        session.execute(text("INSERT INTO listing_search_fts(listing_search_fts, rank) VALUES ('integrity-check', 1)"))


def _terms_of(session, listing_id: int) -> str:
    from pricewatch.domain.search import listing_terms

    return listing_terms(*session.execute(
        select(Listing.code, Listing.name, Product.code, Product.brand, Product.model)
        .join(Product, Product.id == Listing.product_id).where(Listing.id == listing_id)).one())


@pytest.fixture(params=["by triggers", "rebuilt"])
def indexing(request, monkeypatch, backend):
    """Both ways SQLite's FTS5 index is kept: row by row by its triggers, or rebuilt for a big batch."""
    if request.param == "rebuilt":
        if backend != "sqlite":
            pytest.skip("PostgreSQL's GIN index has one way")
        monkeypatch.setattr(search_service, "BULK_MIN", 1)
    return request.param


def test_imported_listings_are_found_by_brand_model_fragment_character_words_and_code(session, settings, tmp_path,
                                                                                     indexing):
    load(session, settings, tmp_path, LISTINGS)
    assert_index_is_consistent(session)
    assert found(session, "得力") == ["L2", "L6"]           # a two-character brand (L6 by its product)
    assert found(session, "8335") == ["L1", "L5"]           # part of a model, through the product
    assert found(session, "椅") == ["L1", "L5"]             # one character
    assert found(session, "3") == ["L1", "L2", "L3", "L5", "L6"]  # one digit
    assert found(session, "华为 路由") == ["L3"]            # words ANDed
    assert found(session, "ax3-p") == ["L3"]                # case and punctuation
    assert found(session, "laserjet M404") == ["L4"]
    assert found(session, "奥L8") == [] and found(session, "得力 路由器") == []  # not across words
    assert found(session, "L1") == ["L1"]                   # an exact listing code, alone (not L12)
    assert found(session, "l1") == ["L1", "L12"]            # not exact: part of a word
    assert found(session, "P2") == ["L2", "L6"]             # an exact product code
    assert found(session, "  L2 ") == ["L2"]
    assert matching_listing_ids(session, " ") == [] and found(session, "复印机") == []


def test_a_reimport_that_renames_listings_and_products_updates_what_is_found(session, settings, tmp_path, indexing):
    load(session, settings, tmp_path, LISTINGS)
    session.commit()
    renamed = HEADER + "L2,P2,S1,shredder,齐心,C-838,齐心 C-838 碎纸机,464.20\nL3,P1,S2,router,,,无线路由器,155.25\n"
    summary = load(session, settings, tmp_path, renamed, "renamed.csv")
    assert summary.updated == 2
    assert_index_is_consistent(session)
    assert found(session, "得力") == [] and found(session, "9935") == []
    assert found(session, "齐心") == ["L2", "L6"]           # L6 is not in the file: its product was renamed
    assert found(session, "c-83") == ["L2", "L6"]
    assert found(session, "华为") == [] and found(session, "8335") == ["L1", "L3", "L5"]  # L3 moved to P1
    assert found(session, "无线") == ["L3"]
    unchanged = load(session, settings, tmp_path, renamed, "again.csv")
    assert unchanged.unchanged == 2 and found(session, "齐心") == ["L2", "L6"]
    session.commit()
    assert _search_schema(session.get_bind()) == SEARCH_SCHEMA[session.get_bind().dialect.name]


def test_a_rolled_back_rebuild_leaves_the_triggers_and_the_index_as_they_were(session, settings, tmp_path, backend,
                                                                               monkeypatch):
    load(session, settings, tmp_path, LISTINGS)
    session.commit()
    monkeypatch.setattr(search_service, "BULK_MIN", 1)
    renamed = HEADER + "L2,P2,S1,shredder,齐心,C-838,齐心 C-838 碎纸机,464.20\n"
    load(session, settings, tmp_path, renamed, "renamed.csv")
    assert found(session, "齐心") == ["L2", "L6"]
    session.rollback()
    assert found(session, "齐心") == [] and found(session, "得力") == ["L2", "L6"]
    assert _search_schema(session.get_bind()) == SEARCH_SCHEMA[backend]
    assert_index_is_consistent(session)


def test_a_rejected_file_leaves_the_search_index_as_it_was(session, settings, tmp_path):
    load(session, settings, tmp_path, LISTINGS)
    bad = HEADER + "L2,P2,S1,shredder,齐心,C-838,齐心 C-838 碎纸机,464.20\nL7,P7,S1,shredder,,,x,-1\n"
    with pytest.raises(ImportRejected):
        load(session, settings, tmp_path, bad, "bad.csv")
    assert found(session, "得力") == ["L2", "L6"] and found(session, "齐心") == []


# ------------------------------------------------------------------- against a brute-force search

_CHARS = "圣奥办公椅得力华为碎纸机ABLxyz0123-./（）"


def _text(rng: random.Random, words: int) -> str:
    return " ".join("".join(rng.choice(_CHARS) for _ in range(rng.randint(1, 6))) for _ in range(words))


def _queries(rng: random.Random, listings: list[tuple]) -> list[str]:
    """Parts of stored words (1-4 characters, any case), pairs of them, codes, and random strings."""
    queries = []
    for _ in range(250):
        words = indexed_words(*rng.choice(listings)[1:])
        word = rng.choice(words)
        start = rng.randrange(len(word))
        part = word[start:start + rng.randint(1, 4)]
        queries.append(part.upper() if rng.random() < 0.3 else part)
    queries += [f"{rng.choice(queries)} {rng.choice(queries)}" for _ in range(60)]
    queries += [_text(rng, rng.randint(1, 2)) for _ in range(60)]
    queries += [rng.choice(listings)[1] for _ in range(10)] + [rng.choice(listings)[3] for _ in range(10)]
    return queries


def _brute_force(listings: list[tuple], term: str) -> list[int]:
    """What matching_listing_ids promises, by scanning every listing in Python."""
    term = term.strip()
    exact = [lid for lid, code, _, pcode, _, _ in listings if term in (code, pcode)]
    if exact or not term:
        return sorted(exact)
    query = indexed_words(term)
    return sorted(lid for lid, *fields in listings
                  if all(any(q in w for w in indexed_words(*fields)) for q in query))


def test_search_finds_exactly_what_a_brute_force_substring_search_finds(session):
    rng = random.Random(20261123)
    suppliers = [make_supplier(session) for _ in range(3)]
    products = [make_product(session, code=f"P{n}", brand=_text(rng, 1), model=_text(rng, 1)) for n in range(60)]
    for n in range(200):
        make_listing(session, code=f"L{n}", supplier=rng.choice(suppliers), product=rng.choice(products),
                     name=_text(rng, rng.randint(1, 4)))
    listings = [tuple(row) for row in session.execute(
        select(Listing.id, Listing.code, Listing.name, Product.code, Product.brand, Product.model)
        .join(Product, Product.id == Listing.product_id))]
    mismatches = {}
    hits = 0
    for term in _queries(rng, listings):
        expected = _brute_force(listings, term)
        hits += bool(expected)
        if matching_listing_ids(session, term) != expected:
            mismatches[term] = (matching_listing_ids(session, term), expected)
    assert mismatches == {}
    assert hits > 300  # the queries do find listings


# ------------------------------------------------------------------------- the engines' tokenizers

def _plain_tokens() -> list[str]:
    """Tokens with every plain character (that casefolding leaves alone) alone and beside others."""
    chars = [c for c in map(chr, range(sys.maxunicode + 1))
             if not 0xD800 <= ord(c) < 0xE000 and is_plain(c) and c.casefold() == c]
    tokens = {unigram(c) for c in chars}
    for c in chars:
        tokens.update((bigram("a" + c), bigram(c + "1"), bigram("圣" + c), bigram(c + c)))
    return sorted(tokens)


def test_every_plain_character_is_a_token_character_of_the_engine(engine):
    """Each stored token is one token of the engine, kept as it is (or lowercased, injectively)."""
    tokens = _plain_tokens()
    chunks = [" ".join(tokens[i:i + 5000]) for i in range(0, len(tokens), 5000)]
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.probe USING fts5(terms, "
                                 "tokenize=\"unicode61 remove_diacritics 0\")")
            conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.probe_vocab USING fts5vocab(temp, probe, 'row')")
            conn.exec_driver_sql("INSERT INTO temp.probe (terms) VALUES (?)", [(chunk,) for chunk in chunks])
            lexemes = dict(conn.exec_driver_sql("SELECT term, cnt FROM temp.probe_vocab").all())
        else:
            lexemes = {}
            for chunk in chunks:
                lexemes.update(conn.execute(text(
                    "SELECT lexeme, array_length(positions, 1) FROM unnest(to_tsvector('simple', :doc))"),
                    {"doc": chunk}).all())
        conn.rollback()
    assert len(lexemes) == len(tokens) and sum(lexemes.values()) == len(tokens)
    assert set(lexemes) <= set(tokens) | {t.lower() for t in tokens}


# ------------------------------------------------------------------------------ schema and migration

def _search_schema(engine) -> list[str]:
    """The backend-specific search objects, as the database describes them."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return list(conn.scalars(text("SELECT sql FROM sqlite_master WHERE tbl_name LIKE 'listing_search%' "
                                          "AND (type = 'trigger' OR sql LIKE 'CREATE VIRTUAL%') ORDER BY name")))
        schema = conn.scalar(text("SELECT current_schema()"))
        return [d.replace(f"{schema}.", "") for d in conn.scalars(text(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = :schema AND tablename = 'listing_search' "
            "AND indexname LIKE 'ix_%'"), {"schema": schema})]


SEARCH_SCHEMA = {
    "sqlite": [
        "CREATE TRIGGER listing_search_ad AFTER DELETE ON listing_search BEGIN INSERT INTO "
        "listing_search_fts(listing_search_fts, rowid, terms) VALUES ('delete', old.listing_id, old.terms); END",
        "CREATE TRIGGER listing_search_ai AFTER INSERT ON listing_search BEGIN INSERT INTO "
        "listing_search_fts(rowid, terms) VALUES (new.listing_id, new.terms); END",
        "CREATE TRIGGER listing_search_au AFTER UPDATE ON listing_search BEGIN INSERT INTO "
        "listing_search_fts(listing_search_fts, rowid, terms) VALUES ('delete', old.listing_id, old.terms); "
        "INSERT INTO listing_search_fts(rowid, terms) VALUES (new.listing_id, new.terms); END",
        "CREATE VIRTUAL TABLE listing_search_fts USING fts5(terms, content='listing_search', "
        "content_rowid='listing_id', tokenize=\"unicode61 remove_diacritics 0\")",
    ],
    "postgresql": ["CREATE INDEX ix_listing_search_terms ON listing_search "
                   "USING gin (to_tsvector('simple'::regconfig, terms))"],
}


def test_the_models_create_the_engines_search_index(engine, backend):
    assert _search_schema(engine) == SEARCH_SCHEMA[backend]


def test_the_search_query_uses_the_index_on_postgresql(engine, backend, session):
    if backend != "postgresql":
        pytest.skip("SQLite's FTS5 table is its own index")
    make_listing(session, name="圣奥 办公椅")
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(session.scalars(text(
        "EXPLAIN SELECT listing_id FROM listing_search "
        "WHERE to_tsvector('simple', terms) @@ to_tsquery('simple', :q)"), {"q": "'办公' <-> '公椅'"}))
    assert "ix_listing_search_terms" in plan


def test_db_upgrade_indexes_the_listings_already_stored(empty_engine, backend, tmp_path):
    upgrade(empty_engine, "0002")
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO suppliers (code, name) VALUES ('S1', '')"))
        conn.execute(text("INSERT INTO products (code, category, brand, model, name) "
                          "VALUES ('P1', 'office_chair', '圣奥', 'L83358', '')"))
        conn.execute(text(
            "INSERT INTO listings (code, product_id, supplier_id, category, name, mall_price, committed_discount, "
            "price_effective_on, status, created_at, updated_at) SELECT :code, p.id, s.id, 'office_chair', :name, "
            "100, 0, '2026-10-01', 'active', '2026-10-01 00:00:00', '2026-10-01 00:00:00' "
            "FROM products p, suppliers s"),
            [{"code": f"L{n}", "name": f"人体工学椅 {n}号"} for n in range(1, 26)])
    url = empty_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"PRICEWATCH_DATABASE_URL": url,
                                                             "PRICEWATCH_ENV": "testing"})
    assert result.exit_code == 0, result.output
    assert _search_schema(empty_engine) == SEARCH_SCHEMA[backend]
    with Session(empty_engine) as session:
        ids = dict(session.execute(select(Listing.code, Listing.id)).all())
        assert session.scalar(select(func.count()).select_from(ListingSearch)) == 25
        assert len(matching_listing_ids(session, "圣奥 工学")) == 25
        assert matching_listing_ids(session, "7号") == [ids["L7"], ids["L17"]]
        assert matching_listing_ids(session, "L17") == [ids["L17"]]
        assert index_listings(session) == 25  # re-indexing everything changes nothing
        assert len(matching_listing_ids(session, "l8335")) == 25
