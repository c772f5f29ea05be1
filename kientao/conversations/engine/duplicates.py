"""Near-duplicate statements for moderators (character n-gram TF-IDF cosine)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["near_duplicate_statements"]


def _normalise(text: str) -> str:
    # NFC so that precomposed and combining Vietnamese diacritics compare equal
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


def near_duplicate_statements(
    texts: Sequence[str],
    ids: Sequence[object] | None = None,
    *,
    threshold: float = 0.7,
    ngram_range: tuple[int, int] = (2, 4),
) -> pd.DataFrame:
    """Pairs of statements whose character n-gram TF-IDF cosine is at least ``threshold``.

    ``cos(a, b) = (t_a · t_b)/(‖t_a‖ ‖t_b‖)`` with ``t`` the TF-IDF vector of character
    n-grams inside word boundaries. Needs no tokenizer, so it works for Vietnamese (text
    is NFC-normalised and case-folded; diacritics are kept, as they change meaning).

    Parameters
    ----------
    texts : sequence of str
    ids : sequence, optional
        Statement ids (default positions).
    threshold : float
        In (0, 1].
    ngram_range : (int, int)

    Returns
    -------
    pandas.DataFrame
        Columns ``statement_a``, ``statement_b`` (a listed before b in ``texts``),
        ``similarity``; sorted by decreasing similarity.

    Raises
    ------
    ValueError
        If ``threshold`` is outside (0, 1] or ``ids`` has the wrong length.

    Examples
    --------
    >>> near_duplicate_statements(["Cấm túi ni lông", "cấm túi ni-lông!", "Mở chợ đêm"],
    ...                           threshold=0.5)[["statement_a", "statement_b"]
    ...     ].values.tolist()
    [[0, 1]]

    References
    ----------
    .. [1] Manning, Raghavan, Schütze (2008), *Introduction to Information Retrieval*,
       ch. 6, https://nlp.stanford.edu/IR-book/
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    key = list(range(len(texts))) if ids is None else list(ids)
    if len(key) != len(texts):
        raise ValueError(f"ids has {len(key)} entries for {len(texts)} texts")
    cols = ["statement_a", "statement_b", "similarity"]
    norm = [_normalise(t) for t in texts]
    if len(norm) < 2 or not any(norm):
        return pd.DataFrame({c: [] for c in cols})
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, lowercase=False)
    tfidf = vec.fit_transform(norm)  # rows are L2-normalised
    sim = sp.triu(tfidf @ tfidf.T, k=1).tocoo()
    keep = sim.data >= threshold - 1e-12
    a, b, s = sim.row[keep], sim.col[keep], np.minimum(sim.data[keep], 1.0)
    order = np.lexsort((b, a, -s))
    arr = np.asarray(key, dtype=object)
    return pd.DataFrame(
        {"statement_a": arr[a[order]], "statement_b": arr[b[order]], "similarity": s[order]}
    )
