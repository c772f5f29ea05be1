import numpy as np
import pytest

from kientao.conversations.engine.matrix import build_vote_matrix
from kientao.conversations.engine.pca import centred_votes, project_participants
from kientao.conversations.engine.simulation import simulate_conversation


def _dense_imputed(m):
    """Naive Pol.is preprocessing: NaN for unseen, column-mean imputation, centring."""
    x = np.full(m.shape, np.nan)
    coo = m.values.tocoo()
    x[coo.row, coo.col] = coo.data
    mu = np.nanmean(np.where(np.isnan(x).all(axis=0), 0.0, x), axis=0)
    mu = np.where(np.isnan(x).all(axis=0), 0.0, mu)
    filled = np.where(np.isnan(x), mu, x)
    return filled - filled.mean(axis=0), ~np.isnan(x)


def test_it_centres_the_mean_imputed_matrix_without_densifying():
    sim = simulate_conversation(60, 12, n_groups=2, votes_per_participant=7, seed=3)
    y, _ = centred_votes(sim.votes)
    dense, _ = _dense_imputed(sim.votes)
    # exact identity up to float rounding
    np.testing.assert_allclose(y.toarray(), dense, atol=1e-12)
    assert y.nnz == sim.votes.n_votes


def test_it_finds_the_same_axes_as_a_dense_svd():
    sim = simulate_conversation(300, 40, n_groups=3, votes_per_participant=15, seed=4)
    dense, _ = _dense_imputed(sim.votes)
    _, _, vt = np.linalg.svd(dense, full_matrices=False)
    # unit vectors: |cos| = 1 up to solver tolerance: Lanczos 1e-12 -> 1e-9 on the
    # cosine; randomized float32 with 4 power iterations -> 1e-4 on a small noisy matrix
    for exact, tol in ((True, 1e-9), (False, 1e-4)):
        comps = project_participants(sim.votes, exact=exact).components
        for i in range(2):
            assert abs(float(comps[i] @ vt[i])) == pytest.approx(1.0, abs=tol)


def test_it_scales_projections_by_sqrt_statements_over_votes():
    # hand-computed: 3 participants, 2 statements
    m = build_vote_matrix([0, 0, 1, 1, 2], [0, 1, 0, 1, 0], [1, 1, -1, -1, 1])
    p = project_participants(m)
    dense, seen = _dense_imputed(m)
    n_votes = seen.sum(axis=1)
    expected = np.sqrt(2 / n_votes)[:, None] * (dense * seen) @ p.components.T
    np.testing.assert_allclose(p.xy, expected, atol=1e-12)  # same arithmetic
    # participant 2 voted once: factor sqrt(2); its centred vote is 1 - 1/3
    assert p.center.tolist() == pytest.approx([1 / 3, 0.0], abs=1e-15)


def test_it_zeroes_moderated_out_statements_like_polis():
    sim = simulate_conversation(50, 6, n_groups=2, votes_per_participant=6, seed=2)
    frame = sim.votes.to_frame()
    m = build_vote_matrix(frame["participant"], frame["statement"], frame["vote"],
                          moderated_out=[1])
    p = project_participants(m)
    # a zeroed column has no variance: no loading, no extremity (exact zeros)
    assert p.components[:, 1].tolist() == [0.0, 0.0]
    assert p.extremity[1] == 0.0
    assert p.center[1] == 0.0


def test_it_measures_statement_extremity_as_a_virtual_agreeing_participant():
    sim = simulate_conversation(80, 10, n_groups=2, votes_per_participant=10, seed=5)
    p = project_participants(sim.votes)
    c = 3
    virtual = np.sqrt(10.0) * (1.0 - p.center[c]) * p.components[:, c]
    np.testing.assert_allclose(p.statement_xy[c], virtual, atol=1e-12)
    assert p.extremity[c] == pytest.approx(np.linalg.norm(virtual), abs=1e-12)


def test_it_is_deterministic_given_seed():
    sim = simulate_conversation(500, 60, n_groups=2, votes_per_participant=20, seed=6)
    a = project_participants(sim.votes, exact=False, seed=1).xy
    b = project_participants(sim.votes, exact=False, seed=1).xy
    assert np.array_equal(a, b)


def test_it_is_invariant_to_participant_order():
    sim = simulate_conversation(200, 30, n_groups=2, votes_per_participant=12, seed=7)
    perm = np.random.default_rng(0).permutation(200)
    frame = sim.votes.to_frame()
    frame["participant"] = perm[frame["participant"].to_numpy()]
    m2 = build_vote_matrix(frame["participant"], frame["statement"], frame["vote"])
    a = project_participants(sim.votes).xy
    b = project_participants(m2).xy
    # row perm[i] of b is participant i of a; eigen-solver tolerance 1e-9
    np.testing.assert_allclose(b[perm], a, atol=1e-9)
