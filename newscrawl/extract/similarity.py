"""Near-duplicate text matching: the same article republished under another URL or by another
outlet, with small edits (design.md §5, vn-press.md §3.3). Pure functions, no I/O.

Exact copies are already caught by `newscrawl.record.text_fingerprint`; this module catches the
edited ones: another lead prepended, a credit line added ("Theo …", "Nguồn: …"), a changed
title put at the top of the body, a paragraph added or removed, paragraphs reordered, a
sentence trimmed, typos fixed, tone marks placed the old or the new way.

How: the text is normalised for matching only (`normalize_for_matching`; the record keeps its
original text), cut into overlapping word shingles, and summarised as a MinHash signature
(datasketch) whose agreement estimates the Jaccard similarity of the two shingle sets.

All defaults are below, with why. `bench/neardup.py` prints precision and recall per threshold
on the labeled pairs of `tests/neardup_pairs.py`; THRESHOLD was chosen from it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
from datasketch import LeanMinHash, MinHash

# --- Defaults (one place) -------------------------------------------------------------------

# Words per shingle. 5 words: a shared 3–4 word phrase ("Ủy ban nhân dân tỉnh", "triệu
# đồng/lượng") is common to unrelated articles and to one template's notices; with 5 words
# those share fewer shingles, while an edited republication keeps most of its own. Measured on
# the labeled set (bench/neardup.py --shingles 3,4,5 --perms 32,64,128): k=5 separates best.
SHINGLE_WORDS = 5

# Permutations per signature, and bits kept of each hash value. Storage: the signature will be
# stored per article, within ~200 bytes for the whole dedup index. 64 values × 16 bits = 128
# bytes (`to_bytes`). Keeping only the low 16 bits of each 32-bit MinHash value ("b-bit
# MinHash") makes two different values collide with probability 2^-16, a bias of +0.00002 on
# the estimate: nothing, against the gain of twice the permutations for the same bytes (the
# standard error sqrt(J(1-J)/NUM_PERM) is ≤ 0.0625 at 64 against 0.088 at 32; 32 full values
# also take 128 bytes and measured worse: bench/neardup.py). Truncated signatures compare
# (jaccard) and band (MinHashLSH) as usual, but must not be merged (min of truncated values).
NUM_PERM = 64
VALUE_BITS = 16

# Seed and scheme of the permutations. A stored signature is only comparable with one made with
# the same NUM_PERM, VALUE_BITS, SEED, SCHEME, SHINGLE_WORDS and normalisation: persist
# SIGNATURE_VERSION with the signatures and rebuild them all when it changes.
SEED = 1
SCHEME = "affine32"  # datasketch ≥ 2.0: 32-bit hash values, sha1_hash32 of each shingle
SIGNATURE_VERSION = f"mh{NUM_PERM}b{VALUE_BITS}-k{SHINGLE_WORDS}-s{SEED}-{SCHEME}-n1"

# Estimated Jaccard similarity at or above which two texts are one article. Chosen from the
# labeled set (tests/neardup_pairs.py; bench/neardup.py prints P/R/F1 per threshold): the best
# F1 there (precision 0.994, recall 1.000 on 375 pairs). Highest negative 0.516 — two 42-word
# notices of one template, differing in date and hours; every other negative ≤ 0.41 (shared
# boilerplate) — and lowest positive 0.453 (a replica article with a new lead, a paragraph
# dropped and one added); at 0.5 that positive is lost and the template pair still merged.
THRESHOLD = 0.45

# Below this many words (after normalisation) a text may be an announcement or a template many
# articles share ("Lịch cắt điện ngày …", "Mời quý vị xem video"): it is never declared a near
# duplicate on its text alone — only the exact fingerprint (which takes the title in) applies.
# Same limit as newscrawl.record's text_fingerprint.
MIN_WORDS = 40

# --- Normalisation -------------------------------------------------------------------------

_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


def _toned(vowel: str) -> dict[str, str]:
    """{toned vowel: tone mark} for one plain vowel."""
    return {unicodedata.normalize("NFC", vowel + t): t for t in _TONES}


def _tone_on(vowel: str, tone: str) -> str:
    return unicodedata.normalize("NFC", vowel + tone)


# Tone-mark placement on the open rising diphthongs oa, oe, uy: the old style puts it on the
# first vowel (hòa, khỏe, thủy, ủy ban), the new one on the second (hoà, khoẻ, thuỷ, uỷ ban);
# both are in daily use, often on one site. With a final consonant (hoàng, khoét, huỳnh) the
# mark is always on the second vowel, and "qu" + vowel (quả, quý) is not this diphthong, so
# only a word that ends in the diphthong, after a consonant onset other than q, is rewritten.
# The canonical form is the old style, the more frequent in the press.
#
# i/y after a consonant onset (lý/lí, kỹ/kĩ, tỷ/tỉ, Mỹ/Mĩ, quý/quí) is a spelling variant of
# the same word; it is unified to i.
#
# Hand-written because no light, offline library does it: underthesea's text_normalize keeps
# its rules in a joblib binary and pulls in huggingface-hub, requests and a compiled core (a
# 7 MB wheel) for what is a table of 30 characters here; pyvi has no normaliser.
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|[bcdđghklmnprstvx])"
_OPEN_DIPHTHONG = re.compile(
    rf"^({_ONSET}?)(?:o([{''.join(_toned('a')) + ''.join(_toned('e'))}])"
    rf"|u([{''.join(_toned('y'))}]))$"
)
_I_Y = re.compile(rf"^({_ONSET}|qu)([y{''.join(_toned('y'))}])$")
_TONE_OF = {**_toned("a"), **_toned("e"), **_toned("y")}
_Y_TO_I = {"y": "i", **{_tone_on("y", t): _tone_on("i", t) for t in _TONES}}

# Everything that is not a letter or a digit; "_" is a word character for \w but not a letter.
_NON_WORD = re.compile(r"[\W_]+")
# Thousands and decimal separators between digits: "1.500" and "1,500" → "1500".
_DIGIT_SEP = re.compile(r"(?<=\d)[.,](?=\d)")
_WORD = re.compile(r"\w+")


@cache
def _canonical_word(word: str) -> str:
    m = _OPEN_DIPHTHONG.match(word)
    if m:
        onset, second_ae, second_y = m.groups()
        if second_ae:
            base = unicodedata.normalize("NFD", second_ae)[0]
            return onset + _tone_on("o", _TONE_OF[second_ae]) + base
        return onset + _tone_on("u", _TONE_OF[second_y]) + "y"
    m = _I_Y.match(word)
    if m:
        return m.group(1) + _Y_TO_I[m.group(2)]
    return word


def normalize_for_matching(text: str) -> str:
    """The text as a matching key, never for display: NFC, case-folded, punctuation removed,
    whitespace collapsed, tone-mark placement and i/y variants unified. Diacritics are kept
    (báo, newspaper, is not bão, storm)."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = _DIGIT_SEP.sub("", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(_canonical_word(w) for w in text.split())


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalize_for_matching(text).split()


def matchable(text: str) -> bool:
    """Whether the text is long enough to be matched on its own (MIN_WORDS). A short text gets
    no near-duplicate match: persist and index signatures of matchable texts only."""
    return len(words(text)) >= MIN_WORDS


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The set of k-word shingles of the normalised text (one shingle if it has fewer)."""
    w = words(text)
    if len(w) <= k:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i : i + k]) for i in range(len(w) - k + 1)}


# --- Signatures ----------------------------------------------------------------------------


@cache
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations


def signature(
    text: str, *, k: int = SHINGLE_WORDS, num_perm: int = NUM_PERM, seed: int = SEED
) -> LeanMinHash:
    """MinHash signature of the text's k-word shingles (datasketch, immutable), each value cut
    to its low VALUE_BITS bits; comparable with any signature made with the same parameters
    (SIGNATURE_VERSION)."""
    m = MinHash(
        num_perm=num_perm, seed=seed, permutations=_permutations(num_perm, seed), scheme=SCHEME
    )
    m.update_batch([s.encode("utf-8") for s in shingles(text, k)])
    values = m.hashvalues & np.uint64((1 << VALUE_BITS) - 1)
    return LeanMinHash(seed=seed, hashvalues=values, scheme=SCHEME)


def to_bytes(sig: LeanMinHash) -> bytes:
    """The signature's hash values only, little-endian uint16: 2 × num_perm bytes (128 at the
    defaults). Seed and scheme are not stored: they are fixed by SIGNATURE_VERSION."""
    return np.asarray(sig.hashvalues, dtype="<u2").tobytes()


def from_bytes(data: bytes, seed: int = SEED) -> LeanMinHash:
    """Inverse of `to_bytes`."""
    values = np.frombuffer(data, dtype="<u2").astype(np.uint64)
    return LeanMinHash(seed=seed, hashvalues=values, scheme=SCHEME)


def similarity(a: str | MinHash, b: str | MinHash) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets (texts or signatures)."""
    sa = signature(a) if isinstance(a, str) else a
    sb = signature(b) if isinstance(b, str) else b
    return float(sa.jaccard(sb))


# LSH bands for finding candidates among stored signatures: BANDS bands of BAND_VALUES values
# each; two texts become candidates when one band agrees, and are then compared in full. On the
# labeled set (see bench/neardup.py) 8 bands of 2 values put 153 of 154 republications among the
# candidates (the missing one scores at the threshold) with 8 index entries per article; 16
# bands of 4 values also find 153, 8 of 3 only 151.
BANDS = 8
BAND_VALUES = 2


def band_keys(sig: LeanMinHash) -> list[int]:
    """One integer per band: the band's number and its values, so equal keys mean an equal band."""
    values = [int(v) for v in sig.hashvalues[: BANDS * BAND_VALUES]]
    keys = []
    for band in range(BANDS):
        key = band
        for value in values[band * BAND_VALUES : (band + 1) * BAND_VALUES]:
            key = (key << VALUE_BITS) | value
        keys.append(key)
    return keys


def is_near_duplicate(text_a: str, text_b: str, threshold: float = THRESHOLD) -> bool:
    """Whether two texts are one article, edited: both have at least MIN_WORDS words and their
    estimated Jaccard similarity is at least `threshold`."""
    if not (matchable(text_a) and matchable(text_b)):
        return False
    return similarity(text_a, text_b) >= threshold


__all__ = [
    "BANDS",
    "BAND_VALUES",
    "MIN_WORDS",
    "NUM_PERM",
    "SEED",
    "SHINGLE_WORDS",
    "SIGNATURE_VERSION",
    "THRESHOLD",
    "VALUE_BITS",
    "band_keys",
    "from_bytes",
    "is_near_duplicate",
    "matchable",
    "normalize_for_matching",
    "shingles",
    "signature",
    "similarity",
    "to_bytes",
    "words",
]
