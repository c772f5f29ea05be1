"""Pol.is PCA: mean-imputed, centred, 2 components, sparsity-aware projection."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from sklearn.utils.extmath import randomized_svd

from kientao.conversations.engine.matrix import VoteMatrix

__all__ = ["Projection", "centred_votes", "project_participants"]

#: above this many seen cells the PCA is randomized and never densifies the matrix
EXACT_PCA_MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class Projection:
    """Result of :func:`project_participants`.

    Attributes
    ----------
    center : numpy.ndarray
        (n_statements,) column means of observed votes (0 for moderated-out columns).
    components : numpy.ndarray
        (2, n_statements) principal axes, unit norm, sign fixed so that the largest
        loading of each axis is positive.
    xy : numpy.ndarray
        (n_participants, 2) scaled projections.
    statement_xy : numpy.ndarray
        (n_statements, 2) projection of a virtual participant who agreed with that
        statement only.
    extremity : numpy.ndarray
        (n_statements,) length of ``statement_xy`` rows.
    """

    center: np.ndarray
    components: np.ndarray
    xy: np.ndarray
    statement_xy: np.ndarray
    extremity: np.ndarray


def centred_votes(
    votes: VoteMatrix, *, zero_moderated_out: bool = True, dtype: type = np.float64
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Mean-imputed, centred vote matrix, kept sparse.

    With every unseen cell filled with its column's observed mean ``μ_c`` (Pol.is,
    ``conversation.clj`` l.355–377), the column means of the filled matrix are ``μ``
    again, so the centred matrix ``X̃ − 1·μᵀ`` is **zero on every unseen cell** and
    ``x_pc − μ_c`` on seen ones: the exact centred matrix has the sparsity of the votes.

    Parameters
    ----------
    votes : VoteMatrix
    zero_moderated_out : bool
        Pol.is sets every cell of moderated-out columns to 0 before PCA (l.198–205);
        such columns are constant and drop out of the centred matrix.
    dtype : type
        Storage of the centred values (float32 halves memory traffic at scale).

    Returns
    -------
    (scipy.sparse.csr_matrix, numpy.ndarray)
        The centred matrix (seen cells stored) and ``μ``.

    Examples
    --------
    >>> from kientao.conversations.engine.matrix import build_vote_matrix
    >>> y, mu = centred_votes(build_vote_matrix([0, 1, 2], [0, 0, 1], [1, -1, 1]))
    >>> mu.tolist(), y.toarray().tolist()
    ([0.0, 1.0], [[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]])

    References
    ----------
    .. [1] Pol.is ``math/src/polismath/math/conversation.clj`` l.198–205, l.355–377.
    """
    x = votes.values
    seen_per_col = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float64)
    sums = np.bincount(x.indices, weights=x.data, minlength=x.shape[1])
    mu = np.divide(sums, seen_per_col, out=np.zeros(x.shape[1]), where=seen_per_col > 0)
    if zero_moderated_out and votes.excluded.any():
        mu = np.where(votes.excluded, 0.0, mu)
    # value minus column mean; excluded columns hold only zeros (x − μ with μ = 0 there
    # would keep the vote, so subtract the vote itself)
    shift: np.ndarray = mu.astype(dtype)
    data: np.ndarray = x.data.astype(dtype)
    data -= shift[x.indices]
    if zero_moderated_out and votes.excluded.any():
        data[votes.excluded[x.indices]] = 0.0
    y = sp.csr_matrix((data, x.indices, x.indptr), shape=x.shape, copy=False)
    return y, mu


def _use_exact(shape: tuple[int, int], nnz: int, exact: bool | None) -> bool:
    if exact is not None:
        return exact
    return nnz <= EXACT_PCA_MAX_CELLS and shape[0] * shape[1] <= 4 * EXACT_PCA_MAX_CELLS


def _principal_axes(y: sp.csr_matrix, *, seed: int, use_exact: bool) -> np.ndarray:
    n, m = y.shape
    k = 2
    if min(n, m) == 0 or not np.any(y.data):
        return np.zeros((k, m))  # no variance at all: no axes
    if use_exact and min(n, m) <= 64:
        gram = (y.T @ y).toarray() if m <= n else (y @ y.T).toarray()
        w, u = np.linalg.eigh(gram)
        u, w = u[:, ::-1][:, :k], w[::-1][:k]
        if m <= n:
            comps = u.T
        else:
            keep = w > 1e-12 * max(float(w[0]) if len(w) else 0.0, 1e-300)
            comps = np.asarray(y.T @ u[:, keep]).T / np.sqrt(w[keep])[:, None]
    elif use_exact:
        # Lanczos on the implicit YᵀY: exact to solver tolerance, never forms YᵀY
        yt = y.T.tocsr()
        op = spla.LinearOperator((m, m), matvec=lambda x: yt @ (y @ x), dtype=np.float64)
        w, v = spla.eigsh(op, k=k, which="LA", v0=np.random.default_rng(seed).standard_normal(m), tol=1e-12)
        comps = v[:, np.argsort(-w)].T
    else:
        # float32 data, 4 extra columns, 4 power iterations: axes agree with the exact
        # ones to |cos| > 1 − 1e-6 on planted data at 1 M × 5 k (docs/scaling.md)
        _, _, vt = randomized_svd(
            y, n_components=k, n_oversamples=4, n_iter=4, random_state=seed
        )
        comps = np.asarray(vt, dtype=np.float64)
    if comps.shape[0] < k:
        comps = np.vstack([comps, np.zeros((k - comps.shape[0], m))])
    # deterministic sign: largest absolute loading positive
    for i in range(k):
        j = int(np.argmax(np.abs(comps[i]))) if m else 0
        if m and comps[i, j] < 0:
            comps[i] = -comps[i]
    return np.ascontiguousarray(comps)


def project_participants(
    votes: VoteMatrix,
    *,
    seed: int = 0,
    exact: bool | None = None,
    zero_moderated_out: bool = True,
) -> Projection:
    """PCA of the mean-imputed votes and Pol.is's sparsity-aware projection.

    ``proj_k(p) = sqrt(m / max(n_p, 1)) · Σ_{c seen by p} (x_pc − μ_c) · PC_k[c]`` where
    ``m`` is the number of statements and ``n_p`` the number of cells of ``p`` Pol.is
    counts as votes (seen cells, plus every moderated-out column when those are zeroed,
    because Pol.is sets all their cells to 0).

    Parameters
    ----------
    votes : VoteMatrix
    seed : int
        Seed of the randomized SVD (large inputs only).
    exact : bool, optional
        Force the exact (dense eigen/SVD) or randomized path; default by size.
    zero_moderated_out : bool
        Reproduce Pol.is's zeroing of moderated-out columns.

    Returns
    -------
    Projection

    Examples
    --------
    >>> from kientao.conversations.engine.matrix import build_vote_matrix
    >>> m = build_vote_matrix([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], [1, 1, -1, -1, 1])
    >>> project_participants(m).xy.shape
    (3, 2)

    Notes
    -----
    The exact path takes the top eigenvectors of ``YᵀY``; the randomized path uses the
    randomized range finder of Halko et al. on the sparse centred matrix ``Y``, which is
    exact in expectation and never densifies ``Y``. Pol.is uses power iteration (same
    axes up to sign).

    References
    ----------
    .. [1] Halko, Martinsson, Tropp (2011), "Finding structure with randomness",
       SIAM Review 53(2), https://doi.org/10.1137/090771806
    .. [2] Pol.is ``math/src/polismath/math/pca.clj`` l.86–157,
       https://github.com/compdemocracy/polis
    """
    use_exact = _use_exact(votes.shape, votes.n_votes, exact)
    y, mu = centred_votes(votes, zero_moderated_out=zero_moderated_out,
                          dtype=np.float64 if use_exact else np.float32)
    comps = _principal_axes(y, seed=seed, use_exact=use_exact)
    if zero_moderated_out:
        comps[:, votes.excluded] = 0.0  # constant columns: exactly no loading
    n, m = y.shape
    counts = votes.votes_per_participant().astype(np.float64)
    if zero_moderated_out and votes.excluded.any():
        seen_mod = np.asarray(
            votes.seen() @ votes.excluded.astype(np.float64)
        ).ravel()
        counts = counts - seen_mod + float(votes.excluded.sum())
    scale = np.sqrt(m / np.maximum(counts, 1.0)) if m else np.zeros(n)
    xy = np.asarray(y @ comps.T.astype(y.dtype), dtype=np.float64) * scale[:, None]
    # a virtual participant who agreed (+1) with statement c only
    delta = np.where(votes.excluded & zero_moderated_out, 0.0, 1.0 - mu)
    statement_xy = np.sqrt(float(m)) * delta[:, None] * comps.T
    extremity = np.sqrt((statement_xy**2).sum(axis=1))
    return Projection(
        center=mu,
        components=comps,
        xy=xy,
        statement_xy=statement_xy,
        extremity=extremity,
    )
