"""``SnorkelLabelModel``: Snorkel's ``LabelModel`` behind ``lf``'s model contract (extra: lf[snorkel]).

``fit`` trains ``snorkel.labeling.model.LabelModel`` (torch, imported only then) and keeps
what it learned as plain arrays: ``mu_`` (``P(lambda_j = l | Y = y)``, row ``j*k + l``),
``class_balance_`` (Snorkel's prior ``p``) and ``accuracies_`` (Snorkel's ``get_weights()``).
``predict_proba`` scores with numpy exactly as Snorkel's ``predict_proba`` does (abstains
carry no factor), so a fitted model saves as JSON (+ .npz), loads and predicts without
Snorkel or torch installed. Snorkel seeds Python's, numpy's and torch's global generators
when it fits; the wrapper restores them afterwards, so fitting leaves no global state behind.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from lf.errors import ParameterError, require
from lf.models._registry import register
from lf.models._stats import posterior
from lf.models.base import BaseLabelModel, as_number

__all__ = ["SnorkelLabelModel", "snorkel_log_factors"]

FloatArray = npt.NDArray[np.float64]
OPTIMIZERS = ("sgd", "adam", "adamax")


def snorkel_log_factors(mu: npt.NDArray[Any], m: int, k: int) -> FloatArray:
    """``m x (k+1) x k`` log factors from Snorkel's ``mu`` (``(m*k) x k``); abstain's factor is 0.

    Snorkel evaluates ``log(mu)`` in ``mu``'s own precision (float32), then sums in float64;
    so does this.
    """
    table = np.zeros((m, k + 1, k))
    with np.errstate(divide="ignore"):
        table[:, 1:, :] = np.log(mu).astype(np.float64).reshape(m, k, k)
    return table


@register("snorkel")
class SnorkelLabelModel(BaseLabelModel):
    """Snorkel's matrix-completion ``LabelModel``, fitted by Snorkel, used like any ``lf`` model.

    Parameters
    ----------
    n_epochs, lr, l2, optimizer, prec_init, mu_eps:
        Passed to Snorkel's ``LabelModel.fit`` (same meaning and defaults: 100, 0.01, 0.0,
        ``"sgd"``, 0.7, None).
    random_state:
        Int seed for Snorkel's ``seed``; a ``numpy.random.Generator`` draws one; ``None``
        draws a fresh seed on every ``fit``. Save a model fitted with an int seed.

    Learned attributes: ``mu_``, ``class_balance_``, ``accuracies_``, ``cardinality_``
    (inferred from ``L`` unless ``cardinality=`` is given), ``n_lfs_``, ``seed_`` (the seed
    Snorkel used).
    """

    _min_lfs: ClassVar[int] = 3
    _state: ClassVar[tuple[str, ...]] = (
        "cardinality_",
        "class_balance_",
        "n_lfs_",
        "mu_",
        "accuracies_",
        "seed_",
    )

    def __init__(
        self,
        *,
        n_epochs: int = 100,
        lr: float = 0.01,
        l2: float = 0.0,
        optimizer: str = "sgd",
        prec_init: float = 0.7,
        mu_eps: float | None = None,
        random_state: Any = None,
    ) -> None:
        self.n_epochs = n_epochs
        self.lr = lr
        self.l2 = l2
        self.optimizer = optimizer
        self.prec_init = prec_init
        self.mu_eps = mu_eps
        self.random_state = random_state

    def _check_params(self) -> None:
        if isinstance(self.n_epochs, bool) or not isinstance(self.n_epochs, (int, np.integer)) or self.n_epochs < 1:
            raise ParameterError(f"`n_epochs` must be an integer >= 1. Got {self.n_epochs!r}.")
        for name in ("lr", "l2", "prec_init"):
            value = getattr(self, name)
            if not isinstance(value, (int, float, np.number)) or not 0.0 <= as_number(value) < np.inf:
                raise ParameterError(f"`{name}` must be a finite non-negative number. Got {value!r}.")
        if self.optimizer not in OPTIMIZERS:
            raise ParameterError(f"`optimizer` must be one of {', '.join(map(repr, OPTIMIZERS))}. Got {self.optimizer!r}.")
        if self.mu_eps is not None and not 0.0 <= as_number(self.mu_eps) < 0.5:
            raise ParameterError(f"`mu_eps` must be None or a number in [0, 0.5). Got {self.mu_eps!r}.")

    def _seed(self) -> int:
        rs = self.random_state
        if rs is None:
            return int(np.random.default_rng().integers(2**31 - 1))
        if isinstance(rs, np.random.Generator):
            return int(rs.integers(2**31 - 1))
        if isinstance(rs, bool) or not isinstance(rs, (int, np.integer)) or rs < 0:
            raise ParameterError(
                f"`random_state` must be None, a non-negative int seed or a numpy Generator. Got {rs!r}."
            )
        return int(rs)

    def _fit(self, L: Any, A: npt.NDArray[np.integer[Any]], k: int, p: FloatArray | None) -> None:
        """Fit Snorkel's ``LabelModel`` on ``L`` (3 or more LFs).

        The class balance is Snorkel's ``class_balance`` (uniform when None); every class
        needs a prior above 0.
        """
        if p is not None and np.any(p <= 0):
            raise ParameterError(
                f"`class_balance` must give every class a prior above 0 for SnorkelLabelModel. Got {p.tolist()!r}."
            )
        seed = self._seed()
        require("snorkel", "snorkel")
        torch: Any = require("torch", "snorkel")
        from snorkel.labeling.model import LabelModel as _Snorkel

        config: dict[str, Any] = {
            "n_epochs": int(self.n_epochs),
            "lr": float(self.lr),
            "l2": float(self.l2),
            "optimizer": self.optimizer,
            "prec_init": float(self.prec_init),
            "seed": seed,
        }
        if self.mu_eps is not None:
            config["mu_eps"] = float(self.mu_eps)
        saved = (random.getstate(), np.random.get_state(), torch.get_rng_state())
        try:
            model = _Snorkel(cardinality=k, verbose=False, device="cpu")
            model.fit(
                np.asarray(A, np.int64),
                class_balance=None if p is None else p.tolist(),
                progress_bar=False,
                **config,
            )
            mu = model.mu.detach().cpu().numpy().copy()
            with np.errstate(divide="ignore", invalid="ignore"):  # Snorkel divides by each LF's coverage
                weights = np.asarray(model.get_weights(), np.float64)
            prior = np.asarray(model.p, np.float64)
        finally:
            random.setstate(saved[0])
            np.random.set_state(saved[1])
            torch.set_rng_state(saved[2])
        self.cardinality_ = k
        self.n_lfs_ = A.shape[1]
        self.class_balance_ = prior
        self.mu_ = mu
        # An LF that never votes has no accuracy (NaN, as in lf's own models); Snorkel gives it 1.0
        self.accuracies_ = np.where((np.asarray(A) != -1).any(axis=0), weights, np.nan)
        self.seed_ = seed

    def predict_proba(self, L: Any) -> FloatArray:
        """``P(Y = y | votes)`` per row (``n x k``), as Snorkel's ``predict_proba`` computes it."""
        A = self._check_L(L)
        table = snorkel_log_factors(np.asarray(self.mu_), self.n_lfs_, self.cardinality_)
        with np.errstate(divide="ignore"):
            log_prior = np.log(np.asarray(self.class_balance_, np.float64))
        return posterior(A, table, log_prior)
