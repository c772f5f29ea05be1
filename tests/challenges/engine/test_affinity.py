"""Affinity from text (TF-IDF cosine) and weighted combination with bids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kientao.challenges.engine import AssignmentInputError, combine_affinities, text_affinity

SUBMISSIONS = {
    "s1": "Thu gom rác thải nhựa ven biển và tái chế thành vật liệu xây dựng",
    "s2": "Ứng dụng chăm sóc sức khỏe ban đầu cho người cao tuổi ở nông thôn",
}
JUDGES = {
    "j-nhua": "chuyên gia tái chế nhựa, rác thải đại dương",
    "j-yte": "bác sĩ y tế cộng đồng, sức khỏe người cao tuổi",
}


def test_it_matches_judges_to_the_submissions_of_their_field():
    a = text_affinity(SUBMISSIONS, JUDGES)
    assert a.loc["s1", "j-nhua"] > a.loc["s1", "j-yte"]
    assert a.loc["s2", "j-yte"] > a.loc["s2", "j-nhua"]
    assert list(a.index) == ["s1", "s2"] and list(a.columns) == ["j-nhua", "j-yte"]


def test_it_gives_one_for_identical_texts_and_bounds_values():
    a = text_affinity({"s": "năng lượng mặt trời"}, {"j": "Năng lượng mặt trời", "k": "xyz"})
    # Identical after lower-casing: cosine 1 up to float rounding.
    assert a.loc["s", "j"] == pytest.approx(1.0, abs=1e-12)
    assert ((a.to_numpy() >= 0) & (a.to_numpy() <= 1)).all()


def test_it_keeps_vietnamese_diacritics_apart_and_normalises_unicode():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "nhựa")
    a = text_affinity({"s": "nhựa"}, {"nfd": decomposed, "plain": "nhua"}, ngram_range=(2, 3))
    # NFD and NFC spellings are the same word; the unaccented one is a different word.
    assert a.loc["s", "nfd"] == pytest.approx(1.0, abs=1e-12)
    assert a.loc["s", "plain"] < 0.5


def test_it_supports_word_ngrams():
    a = text_affinity(SUBMISSIONS, JUDGES, analyzer="word", ngram_range=(1, 2))
    assert a.loc["s1", "j-nhua"] > a.loc["s1", "j-yte"]


def test_it_combines_text_and_bids_with_weights():
    text = pd.DataFrame({"j1": [0.5, 0.2]}, index=["s1", "s2"])
    bids = pd.DataFrame({"j1": [1.0], "j2": [-1.0]}, index=["s1"])
    combined = combine_affinities([text, bids], [1.0, 0.25])
    # Missing entries count as 0: s2/j2 = 0, s1/j1 = 0.5 + 0.25, exact in binary.
    assert combined.loc["s1", "j1"] == 0.75
    assert combined.loc["s1", "j2"] == -0.25
    assert combined.loc["s2", "j2"] == 0.0
    assert not np.isnan(combined.to_numpy()).any()


def test_it_rejects_bad_text_input():
    with pytest.raises(AssignmentInputError, match="at least one"):
        text_affinity({}, JUDGES)
    with pytest.raises(AssignmentInputError, match="judge 'j': text must be a string"):
        text_affinity(SUBMISSIONS, {"j": 3})
    with pytest.raises(AssignmentInputError, match="1 weight"):
        combine_affinities([pd.DataFrame(), pd.DataFrame()], [1.0])
