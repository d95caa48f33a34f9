"""Agent tokens: `<instance_key>.<secret>`, only SHA-256(secret) stored."""
import hashlib

from functions.core import tokens


def test_a_minted_token_splits_into_its_key_and_a_secret_that_matches_the_stored_hash():
    token, stored = tokens.mint("kabc")
    key, secret = tokens.split(token)
    assert key == "kabc" and tokens.matches(secret, [stored])
    assert stored == hashlib.sha256(secret.encode()).hexdigest()


def test_the_stored_hash_reveals_neither_the_token_nor_the_secret():
    token, stored = tokens.mint("kabc")
    assert stored != token and token.split(".", 1)[1] not in stored
    assert not tokens.matches(stored, [stored])  # the hash itself is not a valid secret


def test_each_mint_is_a_new_secret():
    (first, h1), (second, h2) = tokens.mint("kabc"), tokens.mint("kabc")
    assert first != second and h1 != h2


def test_a_secret_matches_any_of_the_stored_hashes_and_nothing_else():
    (t1, h1), (t2, h2) = tokens.mint("k"), tokens.mint("k")
    assert tokens.matches(tokens.split(t2)[1], [h1, h2])
    assert not tokens.matches(tokens.split(t2)[1], [h1])
    assert not tokens.matches("guess", [h1, h2]) and not tokens.matches(tokens.split(t1)[1], [])


def test_malformed_tokens_do_not_split():
    assert [tokens.split(t) for t in ("", "nodot", ".secret", "key.")] == [None] * 4
