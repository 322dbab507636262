"""Whether a vote's rates on the classes it does not point to may be tied into one.

The moment fit learns ``mu[j, l, y] = P(lambda_j = l | Y = y)``: for each vote an LF casts,
a rate on each class. Pairs of LFs give one agreement statistic per pair of their votes, so
with few LFs per class there are fewer statistics than rates (one LF per class: at most
``k (k + 1) / 2`` statistics for ``k^2`` rates). The loss is then flat along many directions
and the prior decides where the fit stops; on WRENCH hausa and yoruba (train -> valid, no
gold) that point resolved the conflicts of two LFs worse than majority vote.

Tying the rates of a vote on every class but its own (one false-positive rate per vote:
an LF's stray votes fall evenly on the other classes) leaves two unknowns per vote, which
the same statistics can determine, and the noisy LF of a conflict is then the one whose
votes go with the others' more often. The assumption can be false (an LF that mistakes one
class for another); the agreements tell: the deviance of the pair statistics under the
tied fit, less that of the free fit, is compared with the chi-square quantile for the rates
tying removes, at ``REJECT_P``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["REJECT_P", "misfit", "tied_holds", "tied_unknowns"]

FloatArray = npt.NDArray[np.float64]
REJECT_P = 1e-3  # the tied fit is kept unless its misfit is this unlikely under the assumption
_LEAST_EXPECTED = 1e-6  # rows: the least expected count of a pair of votes


def tied_unknowns(O: FloatArray, k: int, learn_balance: bool) -> int:
    """Unknowns of the tied fit: two rates per vote cast (one with ``k = 2``), and ``k - 1``
    for the class balance when it is learned."""
    cast = int((np.diag(O) > 0).sum())
    return min(2, k) * cast + (k - 1 if learn_balance else 0)


def misfit(O: FloatArray, n: float, mu: FloatArray, p: FloatArray) -> float:
    """The deviance (``G^2``, Poisson) of the agreement counts of pairs of votes (both cast)
    of different LFs against ``n * mu P mu^T``, the fitted model's expectation: twice the
    log-likelihood ratio of the counts themselves to the model (an expected count of 0
    where a pair was seen costs what ``_LEAST_EXPECTED`` rows would)."""
    m, k, _ = mu.shape
    flat = mu.reshape(m * k, k)
    expected = n * ((flat * p) @ flat.T)
    cast = np.diag(O) > 0
    lf = np.repeat(np.arange(m), k)
    cells = np.outer(cast, cast) & (lf[:, None] < lf[None, :])
    o, e = O[cells], np.maximum(expected[cells], _LEAST_EXPECTED)
    seen = o > 0
    return float(2.0 * ((o[seen] * np.log(o[seen] / e[seen])).sum() - (o - e).sum()))


def tied_holds(O: FloatArray, n: float, free: tuple[FloatArray, FloatArray], tied: tuple[FloatArray, FloatArray]) -> bool:
    """Whether the agreements do not reject the tied fit against the free one: the rise of
    :func:`misfit` is within the chi-square quantile at ``REJECT_P`` with as many degrees of
    freedom as tying removes rates (``k - 2`` per vote cast)."""
    from scipy.special import chdtri

    k = free[0].shape[1]
    removed = (k - 2) * int((np.diag(O) > 0).sum())
    if removed <= 0:
        return True
    rise = misfit(O, n, *tied) - misfit(O, n, *free)
    return bool(rise <= float(chdtri(removed, REJECT_P)))
