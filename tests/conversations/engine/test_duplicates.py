import unicodedata

import pytest

from kientao.conversations.engine.duplicates import near_duplicate_statements


def test_it_pairs_near_duplicate_vietnamese_statements():
    texts = [
        "Cần cấm túi ni lông ở chợ",
        "cần cấm túi ni-lông ở chợ!",
        "Mở rộng phố đi bộ vào ban đêm",
        "Cần hạn chế tiếng ồn ban đêm",
    ]
    out = near_duplicate_statements(texts, ids=[10, 11, 12, 13], threshold=0.6)
    assert out[["statement_a", "statement_b"]].values.tolist() == [[10, 11]]
    assert 0.6 <= out["similarity"].iloc[0] <= 1.0


def test_it_treats_composed_and_decomposed_diacritics_alike():
    composed = "Đường phố sạch hơn"
    decomposed = unicodedata.normalize("NFD", composed)
    out = near_duplicate_statements([composed, decomposed], threshold=0.99)
    # identical after NFC: cosine 1 up to float rounding
    assert out["similarity"].iloc[0] == pytest.approx(1.0, abs=1e-9)


def test_it_keeps_diacritics_meaningful():
    # "bán" (sell) vs "bạn" (friend) vs "bàn" (table): different statements
    out = near_duplicate_statements(["bán hàng rong", "bạn hàng rong", "bàn hàng rong"],
                                    threshold=0.95)
    assert out.empty


def test_it_rejects_a_bad_threshold():
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_statements(["a", "b"], threshold=0)
