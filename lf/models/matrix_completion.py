"""``LabelModel``: the matrix-completion label model (Ratner et al., AAAI 2019), numpy + scipy.

Model: LFs are conditionally independent given the true class ``Y``. For LF ``j``, vote
``l`` and class ``y`` the model learns ``mu[j, l, y] = P(lambda_j = l | Y = y)``. With the
class balance ``P = diag(p)``, the agreement matrix ``O`` (``P(lambda_i = a, lambda_j = b)``
for every pair of LFs) satisfies ``O = mu P mu^T`` off the diagonal blocks (conditional
independence), and its diagonal gives the vote rates ``mu p``. ``fit`` solves

    min_mu  sum_{i != j} w * (O - mu P mu^T)^2  +  sum w_d * (diag O - mu p)^2
            + l2 * |mu - prior|^2  +  (penalty on sum_l mu[j, l, y] > 1)

with L-BFGS-B (a projected L-BFGS past 5,000 variables, see ``_mc_solve``) and an
analytic gradient, in the form Snorkel uses. Choices beyond the paper:

* weights ``w = 1 / (O + weight_floor)`` (``weighting="chi2"``): each entry counts roughly by
  its sampling precision (``"uniform"`` is the plain Frobenius loss);
* the loss is scaled to 1 at ``mu = 0``, so ``l2`` is relative and the fit depends on ``L``
  only through its distribution ``O / n`` (a repeated dataset gives the same model);
* entries whose sign no better-than-random model can produce are left out
  (``drop_inconsistent``): they come from dependent LFs, not from the latent class;
* symmetry breaking: ``mu[j, l, y] = D[j, l] * S[j, l, y]`` with ``S[j, l, l] = 1`` and
  ``D, S`` in ``[0, 1]``, i.e. an LF votes ``l`` at least as often on class ``l`` as on any
  other class (every LF is better than random for every label it emits). L-BFGS-B's bounds
  enforce it exactly, so no post-hoc column permutation is needed. The assumption yields
  where the other LFs voting ``l`` contradict it (``lf.models._vote_classes``): a vote they
  avoid, and that goes with another class's votes, is fitted with ``S = 1`` on that class
  instead (the LF is then learned as worse than random);
* with too few LFs for a rate per class (e.g. one LF per class) a vote's rates on the
  classes it does not point to are tied into one, unless the agreements reject that
  (``off_class``, ``lf.models._off_class``);
* LFs are fitted in a canonical order, so reordering LFs reorders the result exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError
from lf.matrix import LabelMatrix, WeightedRows
from lf.models._balance import SAMPLE_ROWS, class_loglik, map_balance, sample_rows, weighted_sample
from lf.models._cliques import Cliques, check_saved, clique_posterior, fit_factors, inside_mask
from lf.models._em import refine
from lf.models._mc_loss import loss_weights
from lf.models._mc_solve import agreement_accuracies, fit_rates
from lf.models._off_class import tied_holds, tied_unknowns
from lf.models._registry import register
from lf.models._stats import fast_patterns, moments, one_blas_thread, onehot, posterior
from lf.models._structure import settle_cliques
from lf.models._vote_classes import vote_classes
from lf.models.base import BaseLabelModel, ConvergenceWarning, UnderdeterminedWarning

__all__ = ["LabelModel"]

FloatArray = npt.NDArray[np.float64]
ABSTAIN_MODES = ("ignore", "model")
WEIGHTINGS = ("chi2", "uniform")
OFF_CLASS = ("auto", "free", "tied")
TIED_MAX_RATES = 50_000  # off_class="auto" tries the tied fit up to this many free rates
PRIOR_WRONG = 2.0  # cap on the prior's wrong-class votes per right vote (matters for k > 67)
BALANCE_PSEUDO_ROWS = 2000.0  # rows distributed as the vote shares added to the balance estimate
BALANCE_ROUNDS = 10  # at most this many refits of the rates for a re-estimated balance
BALANCE_TOL = 5e-3  # the balance has settled when no share moves by this much
PROFILE_PSEUDO_ROWS = 100.0  # two classes: rows voted as the shares added to the profile likelihood
PROFILE_GRID = (0.005, 0.02, 0.07, 0.2, 0.5, 0.8, 0.93, 0.98, 0.995)  # share of the second of two voted classes tried
PROFILE_STEPS = 3  # then parabolic steps toward the best logit of P(class 1)
PROFILE_EM_STEPS = 3  # EM steps on each fit's rates before its likelihood is taken
PROFILE_ROWS = 16_384  # distinct rows (a sample in proportion to their counts) it is taken on


# -- pure numerics -------------------------------------------------------------------------
class Balance(NamedTuple):
    """How a fit without a given class balance learns it from the fitted rates ``mu``:
    ``step(mu, p)``, the balance of greatest likelihood with ``mu`` held; ``loglik(mu, p)``,
    the log-likelihood of the rows (plus the pull toward the vote shares) at ``(mu, p)``."""

    step: Callable[[FloatArray, FloatArray], FloatArray]
    loglik: Callable[[FloatArray, FloatArray], float]


def _init_params(
    d: FloatArray, p: FloatArray, m: int, k: int, ratio: float | FloatArray,
    targets: npt.NDArray[np.intp] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Prior (and start): each LF votes ``l`` on other classes ``ratio`` times as often as on
    the class ``l`` points to (one ratio, or one per LF; ``targets``: that class for each row
    ``j * k + l``, by default ``l``).

    The ratio is capped so that all other classes together get at most ``PRIOR_WRONG`` times
    the votes of class ``l``: with hundreds of classes an uncapped ``0.03`` says an LF is
    right on 1 vote in 7 (``k = 200``), and on thin data the fit then stays near that.
    """
    r = np.repeat(np.minimum(ratio, PRIOR_WRONG / max(k - 1, 1)) * np.ones(m), k)
    lab = np.tile(np.arange(k), m) if targets is None else targets
    S0 = np.repeat(r[:, None], k, axis=1)
    S0[np.arange(m * k), lab] = 1.0
    D0 = np.clip(d / (p[lab] + (1.0 - p[lab]) * r), 0.0, 1.0)
    return D0, S0


def _start(
    accuracy: FloatArray | None, d: FloatArray, p: FloatArray, m: int, k: int, ratio: float,
    targets: npt.NDArray[np.intp] | None = None,
) -> tuple[FloatArray, FloatArray] | None:
    """Where the fit starts when the prior is capped (``k > 67`` by default), else ``None``
    (start at the prior).

    The capped prior puts twice as many of an LF's votes on wrong classes as on the right
    one; starting there, about a third of the fit's iterations (``k = 200``) went to walking
    away from it. The start gives each LF the share of right votes its agreements with the
    others show (``accuracy``, from ``agreement_accuracies``; None when the prior is not
    capped), never more wrong votes than the prior; the prior is unchanged.
    """
    if accuracy is None:
        return None
    a = accuracy
    return _init_params(d, p, m, k, np.where(np.isnan(a), ratio, (1.0 - a) / (a * (k - 1))), targets)


def fit_mu(
    O: FloatArray,
    n: float,
    m: int,
    k: int,
    p: FloatArray,
    *,
    ratio: float,
    l2: float,
    floor: float,
    weighting: str,
    drop_inconsistent: bool,
    max_iter: int,
    tol: float,
    exclude: npt.NDArray[np.bool_] | None = None,
    balance: Balance | None = None,
    targets: npt.NDArray[np.intp],
    tied: bool = False,
) -> tuple[FloatArray, FloatArray, Any]:
    """Fit ``mu`` (``m x k x k``: LF, vote, class) from co-occurrence counts ``O`` of ``n`` rows
    (``tied``: each vote with one rate for all the classes it does not point to).

    LFs and classes are put in a canonical order first (by permutation-invariant statistics)
    and the result is put back, so reordering the LFs or renaming the classes reorders
    ``mu`` exactly, even where the loss is flat and the optimizer would otherwise stop at
    another point of it (WRENCH hausa and yoruba, one LF per class: probabilities up to
    0.08 apart with the classes renamed; with an estimated balance, the rounding of the
    vote shares still moves chemprot's by up to 0.12). ``exclude`` (``mk x mk``)
    marks agreement entries left out of the fit (those between dependent LFs).

    ``balance``, when given, learns the class balance. With two classes voted the balance is the
    one whose fit gives the rows the greatest likelihood (:func:`_profile_two`); with
    more, ``balance.step`` re-estimates it from the fitted rates, and fit and estimate
    alternate (each fit starts afresh, from the prior for the new balance) until no share
    moves by ``BALANCE_TOL``, at most ``BALANCE_ROUNDS`` times. Each row
    ``j * k + l`` is fitted as pointing to class ``targets[j * k + l]`` (its own class,
    unless the other LFs voting it contradict that: :func:`lf.models._vote_classes.vote_classes`).
    Returns ``mu``, the balance it was fitted with and the optimizer's last result.
    """
    cls = canonical_classes(O, m, k, p)
    if (cls == np.arange(k)).all():
        return _fit_mu(
            O, n, m, k, p, ratio, l2, floor, weighting, drop_inconsistent, max_iter, tol, exclude, balance, targets, tied
        )
    inv = np.argsort(cls)
    rows = (np.arange(m)[:, None] * k + cls[None, :]).ravel()  # canonical row j * k + a is row j * k + cls[a]

    def back(mu: FloatArray) -> FloatArray:
        return np.ascontiguousarray(mu[:, inv][:, :, inv])

    step = None if balance is None else _renamed(balance, back, cls, inv)
    mu_c, p_c, res = _fit_mu(
        O[np.ix_(rows, rows)], n, m, k, p[cls], ratio, l2, floor, weighting, drop_inconsistent, max_iter, tol,
        None if exclude is None else exclude[np.ix_(rows, rows)], step, inv[targets[rows]], tied,
    )
    return back(mu_c), p_c[inv], res


def _fit_mu(
    O: FloatArray, n: float, m: int, k: int, p: FloatArray, ratio: float, l2: float, floor: float,
    weighting: str, drop_inconsistent: bool, max_iter: int, tol: float,
    exclude: npt.NDArray[np.bool_] | None, balance: Balance | None,
    targets: npt.NDArray[np.intp], tied: bool,
) -> tuple[FloatArray, FloatArray, Any]:
    """:func:`fit_mu` with the classes in the order given (the LFs in canonical order)."""
    order = canonical_order(O, m, k)
    cols = (order[:, None] * k + np.arange(k)).ravel()
    keep = None if exclude is None else ~exclude[np.ix_(cols, cols)]
    problem = _prepare(
        O[np.ix_(cols, cols)] / n, m, k, ratio, floor, weighting, drop_inconsistent, keep, targets[cols]
    )
    voted = np.flatnonzero(problem.d.reshape(m, k).sum(axis=0) > 0)
    if balance is not None and voted.size == 2:
        return _profile_two(problem, order, m, k, p, voted, ratio, l2, max_iter, tol, balance, tied)
    fitted, res = _solve(problem, m, k, p, ratio, l2, max_iter, tol, tied)
    mu = np.empty((m, k, k))
    mu[order] = fitted
    for _ in range(BALANCE_ROUNDS if balance is not None else 0):
        new = balance.step(mu, p)  # type: ignore[union-attr]  # not None: the range is empty then
        if float(np.abs(new - p).max()) < BALANCE_TOL:
            break
        p = new
        fitted, res = _solve(problem, m, k, p, ratio, l2, max_iter, tol, tied)
        mu[order] = fitted
    return mu, p, res


def _renamed(balance: Balance, back: Callable[[FloatArray], FloatArray], cls: npt.NDArray[np.intp], inv: npt.NDArray[np.intp]) -> Balance:
    """``balance`` for a fit made with the classes in the order ``cls`` (``back`` puts
    ``mu`` back in the data's order, ``inv`` the balance)."""
    return Balance(
        lambda mu_c, p_c: balance.step(back(mu_c), p_c[inv])[cls],
        lambda mu_c, p_c: balance.loglik(back(mu_c), p_c[inv]),
    )


def _profile_two(
    problem: _Problem, order: npt.NDArray[np.intp], m: int, k: int, p0: FloatArray, pair: npt.NDArray[np.intp],
    ratio: float, l2: float, max_iter: int, tol: float, balance: Balance, tied: bool,
) -> tuple[FloatArray, FloatArray, Any]:
    """Two classes voted (``pair``; any other class keeps its share of ``p0``): the balance
    ``p`` whose moment fit ``mu(p)`` gives the rows the greatest likelihood (ABSTAIN an
    outcome), ``balance.loglik(mu(p), p)``, and that fit.

    Second moments fit any balance once ``mu`` adapts, so the moment fit alone leaves ``p``
    on a ridge; the likelihood of the whole rows (their higher moments) tells the points of
    the ridge apart. Alternating a balance step with ``mu`` held and a moment fit with ``p``
    held stops anywhere a step does not move, which was near the vote shares it started
    from: on generated 85-97/15-3 data whose LFs each vote one class, it put the rare class
    0.034-0.115 too high (this search: within 0.027). The second class's share of the two
    is tried at ``PROFILE_GRID``, then ``PROFILE_STEPS`` times at the vertex of the parabola
    (in its logit) through the best point so far and its two neighbours: 12 fits, each
    started from the rates of the nearest balance tried, then the one kept is fitted again
    from the prior (the same rates as a fit given that balance).
    """
    tried: dict[float, tuple[float, FloatArray]] = {}  # logit of P(class 1): cost, fitted rates

    def balance_at(t: float) -> FloatArray:
        q = 1.0 / (1.0 + np.exp(-t))
        p = p0.copy()
        p[pair] = p0[pair].sum() * np.array([1.0 - q, q])
        return p

    def cost(t: float) -> float:
        t = float(t)
        if t not in tried:
            near = tried[min(tried, key=lambda u: (abs(u - t), u))][1] if tried else None
            fitted, _ = _solve(problem, m, k, balance_at(t), ratio, l2, max_iter, tol, tied, near=near)
            mu = np.empty((m, k, k))
            mu[order] = fitted
            tried[t] = (-balance.loglik(mu, balance_at(t)), fitted)
        return tried[t][0]

    grid = np.log(np.asarray(PROFILE_GRID) / (1.0 - np.asarray(PROFILE_GRID)))
    for t in grid:
        cost(t)
    def best() -> float:
        # Costs equal to 1e-6 are a tie (the lower share wins): the rows are summed in an
        # order that depends on the class names, so a renaming moves costs in the last bits.
        return min(tried, key=lambda u: (round(tried[u][0], 6), u))

    for _ in range(PROFILE_STEPS):  # the vertex of the parabola through the best point and its neighbours
        ts = sorted(tried)
        i = min(max(ts.index(best()), 1), len(ts) - 2)
        (a, b, c), (fa, fb, fc) = ts[i - 1 : i + 2], (tried[u][0] for u in ts[i - 1 : i + 2])
        den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
        if den == 0.0:
            break
        vertex = b - 0.5 * ((b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)) / den
        cost(min(max(round(vertex, 4), a), c))  # on a lattice, for the same reason
    p = balance_at(best())
    # The search's fits start from their neighbours' rates; the one kept starts, as a fit
    # given this balance would, from the prior (the same rates to the bit).
    fitted, res = _solve(problem, m, k, p, ratio, l2, max_iter, tol, tied)
    mu = np.empty((m, k, k))
    mu[order] = fitted
    return mu, p, res


def canonical_order(O: FloatArray, m: int, k: int) -> npt.NDArray[np.intp]:
    """LF order by statistics that do not depend on how the LFs are ordered (ties: as given).

    The LFs are sorted lexicographically by their keys in one sort: for numbers >= 0, the
    big-endian bytes of float64 compare as the numbers do, so each key is one byte string
    (a column-by-column ``lexsort`` costs a pass per column: 80,000 columns at ``k = 200``).
    """
    blocks = O.reshape(m, k, m, k).transpose(0, 2, 1, 3).reshape(m, m, k * k) + 0.0  # -0.0 -> 0.0
    own = blocks[np.arange(m), np.arange(m)]
    mask = ~np.eye(m, dtype=bool)
    # Each LF's blocks with the others, sorted as whole blocks: sorting the loose numbers
    # tied LFs that differ (two LFs voting (2, 1) and (1, 2) on the same rows), and a tie
    # is fitted in the order given, so permuting such LFs changed the fit.
    others = np.sort(_as_bytes(blocks[mask].reshape(m, m - 1, k * k)), axis=1).view(">f8").reshape(m, -1)
    key = np.concatenate([own.astype(">f8"), others], axis=1)
    return np.argsort(_as_bytes(key).ravel(), kind="stable")


def canonical_classes(O: FloatArray, m: int, k: int, p: FloatArray) -> npt.NDArray[np.intp]:
    """Class order (position -> class) by statistics that do not depend on how the classes
    or the LFs are ordered (ties: as given): the class balance, then the LFs' vote rates for
    the class, sorted, then the co-occurrence rates of pairs of LFs voting it, sorted."""
    d = np.diag(O).reshape(m, k).T  # k x m
    upper = np.triu_indices(m, 1)
    same = np.einsum("jlil->lji", O.reshape(m, k, m, k))[:, upper[0], upper[1]]  # k x pairs
    key = np.concatenate([np.asarray(p, np.float64)[:, None], np.sort(d, axis=1), np.sort(same, axis=1)], axis=1)
    return np.argsort(_as_bytes(np.maximum(key, 0.0) + 0.0).ravel(), kind="stable")


def _as_bytes(x: FloatArray) -> npt.NDArray[np.void]:
    """The last axis of ``x`` (numbers >= 0) as one byte string that compares as the
    numbers do lexicographically (big-endian float64)."""
    raw = np.ascontiguousarray(x.astype(">f8"))
    return raw.view(np.dtype((np.void, 8 * x.shape[-1])))[..., 0]


class _Problem(NamedTuple):
    """What the moment fit needs that does not depend on the class balance."""

    fw: Any  # the loss's weights (lf.models._mc_loss.loss_weights)
    d: FloatArray  # vote rates (diagonal of O / n)
    wd: FloatArray  # their weights
    fitted: npt.NDArray[np.bool_]  # rows of mu optimised: the votes some LF casts
    accuracy: FloatArray | None  # agreement accuracies for the start, when the prior is capped
    targets: npt.NDArray[np.intp]  # the class each row j * k + l of mu points to (S = 1 there)


def _prepare(
    O: FloatArray,
    m: int,
    k: int,
    ratio: float,
    floor: float,
    weighting: str,
    drop_inconsistent: bool,
    keep: npt.NDArray[np.bool_] | None = None,
    targets: npt.NDArray[np.intp] | None = None,
) -> _Problem:
    d = np.diag(O).copy()
    block = np.kron(np.eye(m), np.ones((k, k)))
    if weighting == "chi2":
        W, wd = 1.0 / (O + floor), 1.0 / (d + floor)
    else:
        W, wd = np.ones_like(O), np.ones_like(d)
    W = W * (1.0 - block)
    targets = np.tile(np.arange(k), m) if targets is None else targets
    if drop_inconsistent:
        W = W * ~inconsistent_cells(O, d, m, k, targets)
    if keep is not None:
        W = W * keep
    # Scale-free loss: 1 at mu = 0, so `l2` weighs the prior against the data's own size.
    total = float((W * O**2).sum() + (wd * d**2).sum())
    if total > 0:
        W, wd = W / total, wd / total
    fitted = np.asarray(O.any(axis=1), dtype=bool)  # rows of votes never cast stay 0 (_mc_solve)
    fw = loss_weights(W, O, m, k)
    capped = ratio * (k - 1) > PRIOR_WRONG
    return _Problem(fw, d, wd, fitted, agreement_accuracies(O, m, k) if capped else None, targets)


def _solve(
    problem: _Problem,
    m: int,
    k: int,
    p: FloatArray,
    ratio: float,
    l2: float,
    max_iter: int,
    tol: float,
    tied: bool = False,
    near: FloatArray | None = None,
) -> tuple[FloatArray, Any]:
    """The moment fit for balance ``p``: its prior is the one for ``p``, and so is its
    start (see :func:`_start`), unless ``near``, the rates (``m x k x k``) of a fit for a
    balance close to ``p``, gives the start."""
    D0, S0 = _init_params(problem.d, p, m, k, ratio, problem.targets)
    if near is None:
        start = _start(problem.accuracy, problem.d, p, m, k, ratio, problem.targets)
    else:
        rows = near.reshape(m * k, k)
        D = rows[np.arange(m * k), problem.targets]
        S = np.divide(rows, D[:, None], out=S0.copy(), where=D[:, None] > 0)
        start = (D, np.clip(S, 0.0, 1.0))
    mu, res = fit_rates(
        problem.fw, problem.d, problem.wd, p, D0, S0, m, k, l2,
        fitted=problem.fitted, max_iter=max_iter, tol=tol, targets=problem.targets, start=start, tied=tied,
    )
    return mu.reshape(m, k, k), res


def inconsistent_cells(
    O: FloatArray, d: FloatArray, m: int, k: int, targets: npt.NDArray[np.intp] | None = None
) -> npt.NDArray[np.bool_]:
    """Entries of ``O`` (as frequencies) no better-than-random CI model can produce.

    Under the constraint, two votes for the same class co-occur more often than independence
    predicts (positive covariance) and votes for different classes less often. An entry with
    the opposite sign points to a dependency between the two LFs (e.g. both fire on short
    texts), not to the latent class, so the fit leaves it out. ``targets``: the class each
    row ``j * k + l`` points to (default ``l``).
    """
    label = np.tile(np.arange(k), m) if targets is None else targets
    cov = np.outer(d, d)
    np.subtract(O, cov, out=cov)
    return np.asarray(np.where(label[:, None] == label[None, :], cov < 0.0, cov > 0.0))


def moment_counts(
    O: FloatArray,
    m: int,
    k: int,
    members: list[list[int]],
    learn_balance: bool,
    dropped: npt.NDArray[np.bool_] | None = None,
) -> tuple[int, int]:
    """How many statistics the moment fit matches, and how many unknowns it learns.

    Statistics: the rate of each vote some LF casts (the diagonal of ``O``) and, for each
    pair of LFs not in one clique, the co-occurrence of each of the one's votes with each of
    the other's, but those ``dropped`` (``mk x mk``: the cells the fit leaves out as
    :func:`inconsistent_cells`, e.g. two LFs of a class that never fire together). Unknowns:
    ``k`` rates per vote cast (one per class), and ``k - 1`` for the class balance when it
    is learned. With fewer statistics than unknowns the fit is underdetermined: a flat
    valley of the loss, where the prior and the start decide (one LF per class, as on WRENCH
    yoruba and hausa, gives at most 28 statistics for 55 unknowns).
    """
    cast = np.diag(O) > 0
    clique = np.arange(m)
    for c, group in enumerate(members):
        clique[group] = m + c
    apart = np.repeat(np.repeat(clique[:, None] != clique[None, :], k, axis=0), k, axis=1)
    cells = np.outer(cast, cast) & apart
    if dropped is not None:
        cells &= ~dropped
    statistics = int(cast.sum() + np.triu(cells, 1).sum())
    unknowns = int(k * cast.sum()) + (k - 1 if learn_balance else 0)
    return statistics, unknowns


def underdetermined_warning(
    statistics: int, unknowns: int, learned_balance: bool, *, model: str = "LabelModel", basis: str = "prior",
    tied_unknowns: int | None = None, tested: bool = True,
) -> UnderdeterminedWarning:
    """What a moment fit (``LabelModel``, ``TripletModel``) says when its LFs leave it more
    unknowns than statistics; ``basis``: what then decides the rates instead of the data.
    ``tied_unknowns``: the LabelModel tied each vote's rates on the other classes
    (``off_class``), leaving that many unknowns; ``tested``: after the agreements did not
    reject it (else the user asked for it)."""
    learned = "accuracies and class balance" if learned_balance else "accuracies"
    advice = (
        "Give the class balance (class_balance=, or --class-balance dev with gold labels), add "
        "LFs that vote the same classes, or compare with MajorityVoter on gold labels."
        if learned_balance
        else "Add LFs that vote the same classes, or check the learned accuracies against gold labels."
    )
    counted = (
        f"{model}: the LFs' votes give {statistics} agreement statistic{'s' * (statistics != 1)} "
        f"for {unknowns} unknown{'s' * (unknowns != 1)} "
        f"(each vote's rate on each class{', and the class balance' if learned_balance else ''}"
    )
    if tied_unknowns is not None:
        rest = "that assumption" if tied_unknowns <= statistics else f"it and on the model's {basis}, not only on the data"
        return UnderdeterminedWarning(
            f"{counted}; typical of few LFs per class, e.g. one), so each vote got one rate for all the "
            f"classes it does not point to ({tied_unknowns} unknowns), "
            f"{'which the agreements do not reject' if tested else 'as off_class=' + repr('tied') + ' asks'}: "
            f"the learned {learned} rest on {rest}. {advice}"
        )
    return UnderdeterminedWarning(
        f"{counted}): the learned {learned} rest on the model's {basis}, not on the data "
        f"(typical of few LFs per class, e.g. one). {advice}"
    )


def lf_accuracies(mu: FloatArray, p: FloatArray) -> FloatArray:
    """``P(lambda_j = Y | lambda_j votes)`` for each LF (NaN for an LF that never votes)."""
    vote = (mu * p).sum(axis=(1, 2))
    right = (np.einsum("jll->jl", mu) * p).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(vote > 0, right / np.where(vote > 0, vote, 1.0), np.nan)


def set_rates(model: Any, k: int, m: int, p: FloatArray, mu: FloatArray) -> None:
    """The learned state the moment-based models share: class balance, rates, accuracies."""
    model.cardinality_, model.n_lfs_, model.class_balance_, model.mu_ = k, m, p, mu
    model.accuracies_ = lf_accuracies(mu, p)


def log_factors(mu: FloatArray, abstain: str, eps: float) -> FloatArray:
    """``m x (k+1) x k`` log factors for scoring; row 0 is ABSTAIN (0 when ignored)."""
    m, k, _ = mu.shape
    table = np.zeros((m, k + 1, k))
    table[:, 1:, :] = np.log(np.clip(mu, eps, 1.0))
    if abstain == "model":
        table[:, 0, :] = np.log(np.clip(1.0 - mu.sum(axis=1), eps, 1.0))
    return table


def mu_posterior(
    A: npt.NDArray[np.integer[Any]], mu: Any, class_balance: Any, abstain: str, eps: float
) -> FloatArray:
    """``P(Y | votes)`` per row from class-conditional vote rates ``mu`` and the class balance."""
    table = log_factors(np.asarray(mu, float), abstain, float(eps))
    with np.errstate(divide="ignore"):
        log_prior = np.log(np.asarray(class_balance, float))
    return posterior(A, table, log_prior)


def _balance_fit(
    rows: npt.NDArray[np.integer[Any]], counts: npt.NDArray[np.int64], shares: FloatArray, k: int
) -> Balance:
    """How the fit learns the class balance (see :class:`Balance`) from the rows' likelihood
    under the fitted rates (see :mod:`lf.models._balance`), with rows voted as the vote
    ``shares`` added: ``BALANCE_PSEUDO_ROWS`` to the step alternated with the moment fit,
    every class keeping some mass as in the shares; ``PROFILE_PSEUDO_ROWS`` to the
    likelihood that the two-class search maximises. A weaker pull did better on generated
    data, whose LFs are independent given the class (a two-class mix: accuracy on covered
    rows 0.822 with 100 rows, 0.861 with 1), but on WRENCH youtube, whose LFs are not, the
    likelihood then put class 1 at 0.19 for a true 0.47 (valid accuracy 85.8 -> 83.3).

    Rows the moments counted one by one (few votes each: grouping did not pay there) are
    grouped into their patterns first when all of them are used, so the likelihood sums
    the same terms in the same order as a fit from the pattern table of the same rows
    (``fit_patterns``, what ``lf label`` runs): summed in another order, the balances
    differed in the last bit, and the fit, on a flat valley, amplified that to 1.2% of
    WRENCH chemprot's test labels.
    """
    if rows.shape[0] <= 2 * SAMPLE_ROWS and np.all(counts == 1) and not isinstance(rows, WeightedRows):
        pat = fast_patterns(rows, k, inverse=False)
        rows, counts = pat.rows, pat.counts
    use, c = sample_rows(rows, counts)
    votes = onehot(use, k)
    # The two-class search takes the likelihood (and EM steps) 12 times: on at most
    # PROFILE_ROWS distinct rows (1M rows x 20 LFs, measured beside a test run: 2.7 s -> 0.8 s).
    few, few_c = weighted_sample(rows, counts.astype(np.float64), PROFILE_ROWS)
    few_votes = onehot(few, k)

    def step(mu: FloatArray, p: FloatArray) -> FloatArray:
        new = np.maximum(map_balance(class_loglik(votes, mu), c, p, shares, BALANCE_PSEUDO_ROWS), 1e-3)
        return np.asarray(new / new.sum(), np.float64)

    def loglik(mu: FloatArray, p: FloatArray) -> float:
        # From the moment fit's rates a few EM steps with p held: the moment fit is not the
        # rates' best for the likelihood, and on its own rates the likelihood leaned toward
        # the class whose LFs fire more (balanced classes, LFs firing 3x as often on class 1:
        # class 1 at 0.503-0.519; after 3 steps 0.495-0.501, as Dawid-Skene's). More steps
        # (4 to 30) found a 50/50 balance where votes fire most on another class (Snorkel's
        # sparse tables) but cost accuracy on LFs lf.suggest writes for youtube (0.85 -> 0.83).
        mu, _ = refine(few, few_c, mu, p, learn_balance=False, steps=PROFILE_EM_STEPS, smoothing=0.1, balance_prior=0.0)
        joint = class_loglik(few_votes, mu) + np.log(p)
        top = joint.max(axis=1, keepdims=True)
        rows_ll = top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))
        return float(few_c @ rows_ll) + PROFILE_PSEUDO_ROWS * float(shares @ np.log(p))

    return Balance(step, loglik)


# -- the estimator ---------------------------------------------------------------------------
@register("label_model", "matrix_completion", "mc")
class LabelModel(BaseLabelModel):
    """Matrix-completion label model for conditionally independent LFs (the default model).

    Parameters
    ----------
    abstain:
        How ABSTAIN enters ``predict_proba``. ``"ignore"`` (default): only the LFs that vote
        count, as in Snorkel; a row no LF labels gets the class balance. ``"model"``: an
        abstention is evidence too, through ``P(lambda_j = ABSTAIN | Y = y) = 1 - sum_l
        mu[j, l, y]`` (keyword LFs that fire on most rows of their class make "did not fire"
        informative; often better with many classes); a row no LF labels then gets
        ``P(Y | nothing fired)``.
    init_ratio:
        Start and prior for how often an LF's vote ``l`` fires on another class, relative to
        class ``l`` (``0.03``: about thirty times less often). It is capped at ``2 / (k - 1)``
        (from 68 classes on), so the prior never puts more than twice as many of an LF's votes
        on the other classes together as on the right one.
        The defaults of ``init_ratio``, ``l2``, ``weighting``, ``weight_floor`` and
        ``drop_inconsistent`` were chosen on WRENCH train and valid splits (never test) and
        on generated data.
    l2:
        Weight of the L2 pull toward that prior (in the units of the normalised loss).
    weighting:
        ``"chi2"`` (default): each agreement entry is weighted by ``1 / (O + weight_floor)``,
        roughly its sampling precision; ``"uniform"``: the plain squared loss.
    weight_floor:
        Added to ``O`` in the chi2 weights so that entries near zero do not dominate (large
        values approach the uniform loss).
    drop_inconsistent:
        Leave out of the fit the agreement entries whose sign no better-than-random model can
        produce (two LFs voting the same class that co-occur less often than chance, or
        different classes more often): they reveal dependent LFs, not the true class.
    eps:
        Floor on learned probabilities when scoring (caps how decisive one LF can be).
    max_iter, tol:
        Iteration limit and tolerance of the optimizer: L-BFGS-B stops when an iteration
        lowers the loss by at most ``tol`` relative to the loss itself (it runs a second
        time from where its own test, relative to ``max(loss, 1)``, stopped it). Past
        5,000 parameters, e.g. 164 LFs x 9 classes, a projected L-BFGS takes over; it
        averages the reduction over two iterations and keeps ``max(loss, 1)`` (a run to the
        relative tolerance took three times as long on 2,000 rows x 3 LFs x 200 classes).
    em_steps:
        EM steps on the full likelihood (ABSTAIN an outcome) after the moment fit; ``0``
        (default) keeps the moment fit. EM frees each LF from the better-than-random
        constraint (an LF that votes against the others is learned as worse than random;
        the moment fit's start supplies the symmetry assumption, LFs better than random on
        average) and recovers ``mu`` as maximum likelihood does when LFs are conditionally
        independent. Without ``class_balance`` it also learns the balance jointly (a class
        no LF votes gets 0: EM would otherwise use it as a spare cluster). Off by
        default: on WRENCH train/valid splits, whose LFs are correlated, it did not help.
    balance_prior:
        With ``em_steps``, pseudo-rows per class (as a share of ``n``, split evenly) when
        EM learns the class balance: a pull toward uniform.
    dependencies:
        LF pairs that are not independent given the class, e.g. ``[("lf_a", "lf_b")]`` (LF
        names of the LabelMatrix, or column indices). Pairs are grouped into cliques
        (union-find); a clique enters the model through one joint factor ``P(votes of the
        clique | Y)`` over its vote patterns (ABSTAIN included), learned by EM on the distinct
        rows with every other LF's rates and the class balance fixed, so LFs that fire
        together count as one piece of evidence; a member that EM would make worse than
        random gets its own marginal back from the moment fit. The agreements inside a clique are left out
        of the moment fit, which then gives each member's own rates (``mu_``,
        ``accuracies_``). With ``abstain="ignore"`` a clique's factor is ``P(the votes cast |
        Y)``, summed over whatever its abstaining members did. ``"auto"``: the pairs are
        found after a first fit (``lf.models._structure``: the worst-fitting pairs are tested
        with their agreements left out, a chi-square test at p = 1e-6 that also needs 0.01 per
        row; cliques of at most 3 LFs). ``None`` (default): LFs independent given the class;
        "auto" was not made the default because it lowered WRENCH youtube and hausa.
    off_class:
        How a vote's rates on the classes it does not point to are learned. ``"free"``: one
        rate per class. ``"tied"``: one rate for all of them (an LF's stray votes fall evenly
        on the other classes; two unknowns per vote instead of ``k``). ``"auto"`` (default):
        free, unless the LFs are too few for a rate per class (fewer agreement statistics
        than unknowns by design, :func:`moment_counts` before any cell is dropped; e.g. one
        LF per class) and ``k > 2``: then the tied fit is made too and kept unless the
        agreements reject it (``lf.models._off_class``: the rise of the pairs' deviance
        beyond the chi-square quantile at p = 0.001 for the rates tying removes). Not with
        ``dependencies`` or ``em_steps``, which keep the free rates, nor past 50,000 free
        rates (e.g. 3 LFs x 200 classes), where the second fit took seconds more. Chosen on WRENCH
        train/valid and generated data: valid accuracy without gold yoruba 53.4 -> 54.5,
        hausa 52.1 -> 54.8, youtube and chemprot unchanged (never tried: enough LFs), each
        with the dev balance unchanged; on generated one-LF-per-class data whose LFs stray
        evenly +4 points, where each LF mistakes one other class the tied fit is rejected in
        48 of 60 fits (+0.1 points).

    Symmetry: the latent classes are only named by the LFs, so the fit assumes each vote
    ``l`` fires on no class more often than on ``l``. When the other LFs that vote ``l``
    contradict that for one LF, it is not imposed on that LF: its vote is avoided by the
    others' votes for ``l`` (Stouffer's z over those LFs at most -5, each pair's z being
    ``sqrt(n) * phi`` of the two vote indicators) and goes with another class's votes (z at
    least 5), so it is fitted as pointing to that class and the LF is learned as worse than
    random (an always-wrong LF gets an accuracy near 0, as in Snorkel's
    ``test_labeling_convergence``). A label voted by one LF keeps the assumption: nothing in
    the data can contradict it. On the WRENCH sets no vote is reversed.

    Without ``class_balance`` the balance is estimated from the votes. The mean vote shares
    over rows some LF labels are only the start: they count how often a class is voted, so
    LFs that fire more often on one class inflate it (and second moments cannot correct
    that: they fit any balance once ``mu`` adapts). With ``mu`` held at the moment fit, the
    log-likelihood of the rows (LFs independent given the class, ABSTAIN an outcome) is
    concave in the balance; its maximum, plus ``BALANCE_PSEUDO_ROWS = 2000`` rows voted as
    the shares (a pull that vanishes as ``n`` grows), becomes the new balance and ``mu`` is
    fitted again for it, until no share moves by 0.005 (at most 10 refits; usually none or
    one). With two classes voted that alternation stopped near the shares it started from (a
    step with ``mu`` held cannot see that ``mu`` would adapt to another balance); there the
    balance is instead the one whose own moment fit, after 3 EM steps on the rates with the
    balance held, gives the rows the greatest likelihood (ABSTAIN an outcome, plus
    ``PROFILE_PSEUDO_ROWS = 100`` rows voted as the shares): 9 shares tried, then 3
    parabolic steps, 13 fits of the rates (WRENCH youtube: 0.028 s -> 0.124 s; 1,749 rows
    x 164 sparse LFs: 0.20 s -> 1.23 s), the likelihood taken on at most ``PROFILE_ROWS``
    distinct rows sampled in proportion to their counts. On generated
    85-97/15-3 data whose LFs each vote one class the rare class came out 0.034-0.115 too
    high before, within 0.027 (mean 0.009) after; with balanced classes and LFs firing 3x
    as often on class 1, within 0.0035 (before: 0.009); on a broad two-class mix (3-50%
    positives, 3-11 LFs; ``benchmarks/label_models.py`` (a4)) accuracy on covered rows
    0.802 -> 0.822, ECE 0.119 -> 0.101, error of the learned share 0.156 -> 0.115
    (Dawid-Skene: 0.854, 0.053, 0.085); WRENCH youtube and the demo corpus unchanged. Work per row of the
    balance step: two matrix-vector products per fixed-point step on the distinct rows (an
    evenly spaced sample of 65,536 of them beyond 131,072). Measured on Snorkel's
    generator (n = 10,000, k = 2 and 3, seeds 0-9): 11 of 20 fits within Snorkel's 0.01
    table error instead of 8 (19 of 20 once ``tol`` was made relative); on generated 92/8 data with 72% of rows uncovered, accuracy
    and F1 up; WRENCH valid accuracy unchanged or higher. With ``dependencies`` the
    cliques' fit keeps the vote shares (the likelihood would count a clique's votes more
    than once). With the balance given, the fit depends on ``L`` only through its
    distribution (``O / n``): a dataset repeated twice gives the same model; an estimated
    balance weighs the pull toward the shares against ``n``.

    Learned attributes: ``mu_`` (``m x k x k``: ``mu_[j, l, y] = P(lambda_j = l | Y = y)``),
    ``accuracies_`` (``P(lambda_j = Y | lambda_j votes)``), ``class_balance_``,
    ``cardinality_``, ``n_lfs_``, ``n_iter_``, ``converged_`` (the fit met ``tol`` within
    ``max_iter``; if not, ``fit`` warns with a ``ConvergenceWarning``; it warns with an
    ``UnderdeterminedWarning`` when the moment fit has fewer statistics than unknowns, see
    :func:`moment_counts`, unless ``em_steps`` match the whole likelihood), ``reversed_votes_``
    (``(lf, vote, class)`` for each vote fitted as pointing to another class, see below),
    ``dependencies_`` (the pairs used, by name, or by index when fitted on an array),
    ``off_class_`` (``"free"`` or ``"tied"``: the rates the fit kept, see ``off_class``),
    ``clique_members_`` (LF indices of each clique) and the cliques' factors
    (``clique_codes_``: vote patterns coded in base ``k + 1``; ``clique_tables_``:
    ``P(pattern | Y)``; ``clique_sizes_``: patterns per clique).
    """

    _min_lfs: ClassVar[int] = 3
    mu_: FloatArray  # set by fit (set_rates)
    accuracies_: FloatArray
    n_lfs_: int
    _rate_tables: ClassVar[tuple[str, ...]] = ("mu_",)
    _state: ClassVar[tuple[str, ...]] = (
        "cardinality_",
        "class_balance_",
        "n_lfs_",
        "mu_",
        "accuracies_",
        "n_iter_",
        "converged_",
        "dependencies_",
        "reversed_votes_",
        "clique_members_",
        "clique_codes_",
        "clique_tables_",
        "clique_sizes_",
        "off_class_",
    )

    def __init__(
        self,
        *,
        abstain: str = "ignore",
        init_ratio: float = 0.03,
        l2: float = 3e-4,
        weighting: str = "chi2",
        weight_floor: float = 1e-2,
        drop_inconsistent: bool = True,
        eps: float = 1e-4,
        max_iter: int = 2000,
        tol: float = 1e-6,
        em_steps: int = 0,
        balance_prior: float = 0.1,
        dependencies: Any = None,
        off_class: str = "auto",
    ) -> None:
        self.abstain = abstain
        self.init_ratio = init_ratio
        self.l2 = l2
        self.weighting = weighting
        self.weight_floor = weight_floor
        self.drop_inconsistent = drop_inconsistent
        self.eps = eps
        self.max_iter = max_iter
        self.tol = tol
        self.em_steps = em_steps
        self.balance_prior = balance_prior
        self.dependencies = dependencies
        self.off_class = off_class

    def _check_params(self) -> None:
        if self.abstain not in ABSTAIN_MODES:
            raise ParameterError(f"`abstain` must be one of {ABSTAIN_MODES}. Got {self.abstain!r}.")
        if not isinstance(self.drop_inconsistent, (bool, np.bool_)):
            raise ParameterError(f"`drop_inconsistent` must be True or False. Got {self.drop_inconsistent!r}.")
        if self.off_class not in OFF_CLASS:
            raise ParameterError(f"`off_class` must be one of {', '.join(map(repr, OFF_CLASS))}. Got {self.off_class!r}.")
        if self.weighting not in WEIGHTINGS:
            raise ParameterError(f"`weighting` must be one of {WEIGHTINGS}. Got {self.weighting!r}.")
        _check_range("init_ratio", self.init_ratio, 0.0, 1.0, "in (0, 1]", lo_open=True)
        _check_range("l2", self.l2, 0.0, np.inf, ">= 0")
        _check_range("weight_floor", self.weight_floor, 0.0, np.inf, "> 0", lo_open=True)
        _check_range("eps", self.eps, 0.0, 0.5, "in (0, 0.5)", lo_open=True, hi_open=True)
        _check_range("tol", self.tol, 0.0, np.inf, "> 0", lo_open=True)
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ParameterError(f"`max_iter` must be a positive integer. Got {self.max_iter!r}.")
        if isinstance(self.em_steps, bool) or not isinstance(self.em_steps, (int, np.integer)) or self.em_steps < 0:
            raise ParameterError(f"`em_steps` must be an integer >= 0. Got {self.em_steps!r}.")
        _check_range("balance_prior", self.balance_prior, 0.0, np.inf, ">= 0")
        if isinstance(self.dependencies, str) and self.dependencies != "auto":
            raise ParameterError(
                "`dependencies` must be None, 'auto' or a list of LF pairs such as [('lf_a', 'lf_b')]. "
                f"Got {self.dependencies!r}."
            )

    def _fit(self, L: Any, A: npt.NDArray[np.integer[Any]], k: int, class_balance: FloatArray | None) -> None:
        """Learn ``mu_`` (and the cliques' factors) from ``L`` (3 or more LFs)."""
        mom = moments(A, k, class_balance, self._shared_counts(A, k))
        O, n, p = mom.O, mom.n, mom.p
        m = A.shape[1]
        names = list(L.names) if isinstance(L, LabelMatrix) else None
        learn = class_balance is None
        balance = _balance_fit(mom.rows, mom.counts, p, k) if learn else None
        targets = vote_classes(O / n, n, m, k) if n > 0 else np.tile(np.arange(k), m)
        tied = self.off_class == "tied"

        def rates(cliques: list[list[int]], tied: bool = tied) -> tuple[FloatArray, FloatArray, Any]:
            # The likelihood behind the balance step treats LFs as independent given the
            # class: with cliques it would count their joint votes more than once.
            return self._fit_rates(A, k, O, n, p, cliques, None if cliques else balance, learn, targets, tied)

        members, used, (mu, p_fit, res) = settle_cliques(self.dependencies, names, O, n, k, rates)
        d = np.diag(O) / max(n, 1.0)
        dropped = inconsistent_cells(O / max(n, 1.0), d, m, k, targets) if self.drop_inconsistent else None
        statistics, unknowns = moment_counts(O, m, k, members, learn, dropped)
        may_tie = self.off_class == "auto" and 2 < k and not members and not self.em_steps
        rates_count = int((np.diag(O) > 0).sum()) * (k + 1)  # the free fit's variables
        # Too few LFs by design (dropped cells aside); dropping only removes statistics, so
        # the count before it is taken only when the count after it falls short.
        by_design = statistics < unknowns and moment_counts(O, m, k, members, learn)[0] < unknowns
        if may_tie and rates_count <= TIED_MAX_RATES and by_design:
            mu_t, p_t, res_t = rates([], True)  # too few statistics for a rate per class: try one
            if tied_holds(O, n, (mu, p_fit), (mu_t, p_t)):
                mu, p_fit, res, tied = mu_t, p_t, res_t, True
        self.off_class_ = "tied" if tied else "free"
        if statistics < unknowns and not self.em_steps:  # EM matches the whole likelihood
            stand_in = tied_unknowns(O, k, learn) if tied else None
            said = underdetermined_warning(statistics, unknowns, learn, tied_unknowns=stand_in, tested=self.off_class == "auto")
            warnings.warn(said, stacklevel=3)
        cliques = fit_factors(A, k, mu, p_fit, members, targets.reshape(m, k))
        set_rates(self, k, m, p_fit, mu)
        self.n_iter_ = int(res.nit)
        self.converged_ = bool(res.success)  # False: max_iter reached before tol
        if not self.converged_:
            why = (
                f"max_iter={self.max_iter} was reached; raise `max_iter`"
                if self.n_iter_ >= int(self.max_iter)
                else f"the optimizer stopped: {res.message}"
            )
            warnings.warn(
                ConvergenceWarning(
                    f"LabelModel's moment fit stopped after {self.n_iter_} iterations before "
                    f"reaching tol={self.tol}, so its rates may be off the optimum: {why}."
                ),
                stacklevel=3,
            )
        self.dependencies_ = [(i, j) if names is None else (names[i], names[j]) for i, j in used]
        moved = np.flatnonzero(targets != np.tile(np.arange(k), m))
        self.reversed_votes_ = [
            (int(r // k) if names is None else names[r // k], int(r % k), int(targets[r])) for r in moved
        ]
        self.clique_members_ = cliques.members
        self.clique_codes_, self.clique_tables_, self.clique_sizes_ = cliques.codes, cliques.tables, cliques.sizes

    def _fit_rates(
        self,
        A: Any,
        k: int,
        O: FloatArray,
        n: float,
        p: FloatArray,
        members: list[list[int]],
        balance: Balance | None,
        learn_balance: bool,
        targets: npt.NDArray[np.intp],
        tied: bool,
    ) -> tuple[FloatArray, FloatArray, Any]:
        """The moment fit (entries inside a clique left out; ``tied``: one rate per vote on
        the classes it does not point to), alternated with ``balance`` (None: ``p`` stays),
        then ``em_steps`` EM steps (which learn the balance too when ``learn_balance``)."""
        m = A.shape[1]
        # Small products: BLAS threads only fight each other for the cores. Limited once for
        # the whole fit: each limit looks up the loaded libraries (6 ms; a two-class fit
        # searching its balance makes 13 moment fits).
        with one_blas_thread():
            mu, p, res = fit_mu(
                O,
                n,
                m,
                k,
                p,
                ratio=float(self.init_ratio),
                l2=float(self.l2),
                floor=float(self.weight_floor),
                weighting=self.weighting,
                drop_inconsistent=bool(self.drop_inconsistent),
                max_iter=int(self.max_iter),
                tol=float(self.tol),
                exclude=inside_mask(members, m, k) if members else None,
                balance=balance,
                targets=targets,
                tied=tied,
            )
        if self.em_steps:
            pat = fast_patterns(A, k, inverse=False)
            mu, p = refine(
                pat.rows,
                pat.counts,
                mu,
                p,
                learn_balance=learn_balance,
                steps=int(self.em_steps),
                smoothing=0.1,
                balance_prior=float(self.balance_prior),
            )
        return mu, p, res

    def _loaded(self) -> None:
        """Pairs come back from JSON as lists; a model saved before cliques existed has none."""
        k = int(self.cardinality_)
        if isinstance(self.dependencies, list):  # declared pairs, as they are written: tuples
            self.dependencies = [tuple(pair) if isinstance(pair, list) else pair for pair in self.dependencies]
        self.dependencies_ = [tuple(pair) for pair in getattr(self, "dependencies_", [])]
        self.reversed_votes_ = [tuple(vote) for vote in getattr(self, "reversed_votes_", [])]
        if not hasattr(self, "clique_members_"):
            self.clique_members_ = []
            self.clique_codes_, self.clique_sizes_ = np.zeros(0, np.int64), np.zeros(0, np.int64)
        self.clique_tables_ = np.asarray(getattr(self, "clique_tables_", []), np.float64).reshape(-1, k)
        self.off_class_ = getattr(self, "off_class_", "free")  # saved before rates could be tied
        cliques = Cliques(self.clique_members_, self.clique_codes_, self.clique_tables_, self.clique_sizes_)
        check_saved(cliques, self.dependencies_, getattr(self, "lf_names_", None), int(self.n_lfs_), k)

    def predict_proba(self, L: Any) -> FloatArray:
        """``P(Y = y | votes)`` for each row (``n x k``); rows sum to 1."""
        A = self._check_L(L)
        if not self.clique_members_:
            return mu_posterior(A, self.mu_, self.class_balance_, self.abstain, self.eps)
        cliques = Cliques(self.clique_members_, self.clique_codes_, self.clique_tables_, self.clique_sizes_)
        table = log_factors(np.asarray(self.mu_, float), self.abstain, float(self.eps))
        return clique_posterior(A, table, self.class_balance_, cliques, float(self.eps), self.abstain)


def _check_range(
    name: str, value: Any, lo: float, hi: float, allowed: str, *, lo_open: bool = False, hi_open: bool = False
) -> None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    ok = (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok or isinstance(value, bool):
        raise ParameterError(f"`{name}` must be a number {allowed}. Got {value!r}.")
