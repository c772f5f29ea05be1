"""Affinity between judges and submissions from text and bids."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kientao.challenges.engine.errors import AssignmentInputError


def text_affinity(
    submission_texts: Mapping[object, str] | pd.Series,
    judge_texts: Mapping[object, str] | pd.Series,
    *,
    analyzer: str = "char_wb",
    ngram_range: tuple[int, int] = (3, 5),
    min_df: int = 1,
) -> pd.DataFrame:
    """TF-IDF cosine similarity between submission texts and judges' keywords or bios.

    .. math::

        a_{pr} = \\frac{t_p \\cdot t_r}{\\lVert t_p \\rVert \\, \\lVert t_r \\rVert}

    where :math:`t` are TF-IDF vectors (smoothed idf, sublinear tf) fitted on
    all texts together.

    Parameters
    ----------
    submission_texts, judge_texts : mapping or Series of label -> text
        Texts keyed by submission and by judge label.
    analyzer : {"char_wb", "char", "word"}
        Character n-grams within word boundaries (default) are robust to
        Vietnamese diacritics, compounds and typos; ``"word"`` uses word n-grams.
    ngram_range : (int, int)
        Smallest and largest n-gram.
    min_df : int
        Ignore n-grams in fewer documents.

    Returns
    -------
    DataFrame
        Index: submission labels; columns: judge labels; values in [0, 1].

    Raises
    ------
    AssignmentInputError
        If either collection is empty, a text is not a string, or no n-gram
        survives.

    Examples
    --------
    >>> a = text_affinity({"s1": "rác thải nhựa đại dương"},
    ...                   {"j1": "nhựa, tái chế", "j2": "y tế cộng đồng"})
    >>> bool(a.loc["s1", "j1"] > a.loc["s1", "j2"])
    True

    Notes
    -----
    Texts are Unicode-normalised (NFC) and lower-cased; accents are kept
    because they distinguish Vietnamese words ("nhựa" vs "nhưa").

    References
    ----------
    .. [1] Charlin & Zemel, "The Toronto Paper Matching System", ICML 2013
       Workshop on Peer Reviewing and Publishing Models.
    .. [2] Salton & Buckley, "Term-weighting approaches in automatic text
       retrieval", Inf. Process. Manag. 24(5):513–523 (1988).
       https://doi.org/10.1016/0306-4573(88)90021-0
    """
    # Imported here: scikit-learn takes ~1 s to import and the CLI never needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    subs = pd.Series(submission_texts, dtype=object)
    judges = pd.Series(judge_texts, dtype=object)
    if subs.empty or judges.empty:
        raise AssignmentInputError("text_affinity needs at least one submission and one judge")
    for name, series in (("submission", subs), ("judge", judges)):
        for label, text in series.items():
            if not isinstance(text, str):
                raise AssignmentInputError(f"{name} {label!r}: text must be a string, got {text!r}")
    docs = [unicodedata.normalize("NFC", t).lower() for t in [*subs, *judges]]
    vectorizer = TfidfVectorizer(
        analyzer=analyzer, ngram_range=ngram_range, min_df=min_df, sublinear_tf=True
    )
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError as exc:
        raise AssignmentInputError(
            f"text_affinity: no usable n-grams in the texts ({exc})"
        ) from exc
    matrix = normalize(matrix)
    sim = (matrix[: len(subs)] @ matrix[len(subs) :].T).toarray()
    return pd.DataFrame(np.clip(sim, 0.0, 1.0), index=subs.index, columns=judges.index)


def combine_affinities(
    components: Sequence[pd.DataFrame],
    weights: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Weighted sum of affinity matrices over the union of their labels.

    .. math:: a_{pr} = \\sum_m \\omega_m a^{(m)}_{pr}, \\quad a^{(m)}_{pr} = 0
       \\text{ where matrix } m \\text{ has no entry}

    Parameters
    ----------
    components : sequence of DataFrame
        Matrices indexed by submission with judge columns (e.g. text
        affinity, expertise-tag match, bids in {-1, 0, 1}).
    weights : sequence of float, optional
        One weight per matrix (default: all 1).

    Returns
    -------
    DataFrame
        Combined affinity, index the union of submissions, columns the union
        of judges.

    Raises
    ------
    AssignmentInputError
        If no matrix is given, the weights do not match, or a value is not finite.

    Examples
    --------
    >>> t = pd.DataFrame({"j1": [0.5]}, index=["s1"])
    >>> b = pd.DataFrame({"j1": [1.0], "j2": [-1.0]}, index=["s1"])
    >>> combine_affinities([t, b], [1.0, 0.2]).loc["s1"].round(2).tolist()
    [0.7, -0.2]

    Notes
    -----
    Matching OpenReview's matcher, several score files are combined linearly
    with user weights; conflicts are not affinities and go to
    ``assign_reviewers(conflicts=...)``.

    References
    ----------
    .. [1] openreview-matcher, ``--weights`` option.
       https://github.com/openreview/openreview-matcher
    """
    if not components:
        raise AssignmentInputError("combine_affinities needs at least one matrix")
    ws = [1.0] * len(components) if weights is None else [float(w) for w in weights]
    if len(ws) != len(components):
        raise AssignmentInputError(
            f"combine_affinities: {len(ws)} weight(s) for {len(components)} matrices"
        )
    index = components[0].index
    columns = components[0].columns
    for c in components[1:]:
        index = index.union(c.index, sort=False)
        columns = columns.union(c.columns, sort=False)
    total = pd.DataFrame(0.0, index=index, columns=columns)
    for m, (c, w) in enumerate(zip(components, ws, strict=True)):
        values = c.reindex(index=index, columns=columns).astype(float)
        if np.isinf(values.to_numpy()).any():
            raise AssignmentInputError(f"combine_affinities: matrix {m} has an infinite value")
        total += w * values.fillna(0.0)
    return total
