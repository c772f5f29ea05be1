import numpy as np
import pytest

from kientao.conversations.engine.simulation import simulate_conversation


@pytest.mark.parametrize(("m", "per"), [(10, 10), (40, 7), (500, 60)])
def test_it_gives_each_participant_distinct_statements(m, per):
    sim = simulate_conversation(300, m, votes_per_participant=per, seed=1)
    v = sim.votes.values
    assert np.all(np.diff(v.indptr) == min(per, m))
    for r in range(0, 300, 37):
        cols = v.indices[v.indptr[r]:v.indptr[r + 1]]
        assert len(np.unique(cols)) == len(cols)
    assert set(np.unique(v.data)) <= {-1.0, 0.0, 1.0}


def test_it_votes_with_the_group_at_the_given_rate():
    sim = simulate_conversation(2000, 50, n_groups=2, votes_per_participant=20,
                                consistency=0.8, pass_rate=0.1, seed=2)
    coo = sim.votes.values.tocoo()
    lean = sim.stance[sim.groups[coo.row], coo.col]
    # 40,000 votes: binomial standard error of a share ≈ 0.002; 0.01 is 5 SE
    assert np.mean(coo.data == lean) == pytest.approx(0.8, abs=0.01)
    assert np.mean(coo.data == 0) == pytest.approx(0.1, abs=0.01)


def test_it_is_deterministic_given_seed():
    a = simulate_conversation(100, 30, votes_per_participant=10, seed=3)
    b = simulate_conversation(100, 30, votes_per_participant=10, seed=3)
    assert (a.votes.values != b.votes.values).nnz == 0
    assert np.array_equal(a.groups, b.groups)
