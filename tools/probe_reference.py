#!/usr/bin/python3
"""Golden fixture and benchmark baseline for src/probe (run with Debian's /usr/bin/python3: sklearn 1.2).

fixture mode (default): writes test/fixtures/probe/sklearn_logreg.json
    A seeded Gaussian-blob dataset (the data itself is stored, rounded to 3 decimals), standardised
    with the training mean/std (ddof 0), and sklearn's LogisticRegression(multinomial, lbfgs) fitted
    to convergence at two penalties. Objective correspondence:
        sklearn 1.2 minimises   sum_i CE_i + ||W||^2 / (2 C)          (bias unpenalised)
        fairscope minimises    (1/n) sum_i CE_i + (l2 / 2) ||W||^2
    These have the same minimiser when C = 1 / (n * l2).

bench mode: python3 tools/probe_reference.py bench TRAIN_X.npy TRAIN_Y.npy TEST_X.npy TEST_Y.npy L2 [REPS]
    Standardises with the training statistics, fits LogisticRegression with C = 1/(n*l2) and sklearn's
    default stopping (tol 1e-4, max_iter 100), and with max_iter=1000; also times brute-force cosine
    kNN (k=20, T=0.07) in numpy. Times are the minimum over REPS runs (wall and process CPU time).
    Prints one JSON object.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "test", "fixtures", "probe", "sklearn_logreg.json")


def make_blobs(seed, n_train, n_test, d, c):
    """Overlapping anisotropic blobs with offset, scaled features so standardisation matters."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(c, d)) * 0.3
    scales = np.exp(rng.normal(size=d) * 0.7)
    offset = rng.normal(size=d) * 3.0
    n = n_train + n_test
    y = np.arange(n) % c
    rng.shuffle(y)
    x = (centers[y] + rng.normal(size=(n, d)) * 1.0) * scales + offset
    x = np.round(x, 3)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def standardise(train, *others):
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return [(a - mean) / std for a in (train,) + others]


def mean_scale_gradient(model, x, y, l2):
    """max |grad| of fairscope's objective (mean CE + l2/2 ||W||^2) at sklearn's solution."""
    w, b = model.coef_, model.intercept_
    z = x @ w.T + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    r = (p - np.eye(w.shape[0])[y]) / x.shape[0]
    return float(max(np.abs(r.T @ x + l2 * w).max(), np.abs(r.sum(axis=0)).max()))


def fit(x, y, l2, **kw):
    n = x.shape[0]
    model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1.0 / (n * l2), **kw)
    model.fit(x, y)
    return model


def fixture():
    n_train, n_test, d, c = 480, 120, 32, 4
    xtr, ytr, xte, yte = make_blobs(20240601, n_train, n_test, d, c)
    # The TS side stores features as float32: use exactly those values here too.
    xtr32, xte32 = xtr.astype(np.float32).astype(np.float64), xte.astype(np.float32).astype(np.float64)
    str_, ste = standardise(xtr32, xte32)
    fits = []
    for l2 in (1e-2, 1e-4):
        model = fit(str_, ytr, l2, tol=1e-12, max_iter=100000)
        fits.append(
            {
                "l2": l2,
                "C": 1.0 / (n_train * l2),
                "n_iter": int(model.n_iter_[0]),
                "gradient_max_abs": mean_scale_gradient(model, str_, ytr, l2),
                "coef": np.round(model.coef_, 10).tolist(),
                "intercept": np.round(model.intercept_, 10).tolist(),
                "train_accuracy": float(model.score(str_, ytr)),
                "test_accuracy": float(model.score(ste, yte)),
                "test_proba": np.round(model.predict_proba(ste), 10).tolist(),
            }
        )
    out = {
        "generator": "tools/probe_reference.py (numpy default_rng(20240601) blobs; sklearn "
        + __import__("sklearn").__version__
        + ")",
        "objective": "sklearn: sum CE + ||W||^2/(2C); fairscope: mean CE + l2/2 ||W||^2; C = 1/(n_train*l2)",
        "n_train": n_train,
        "n_test": n_test,
        "d": d,
        "classes": c,
        "x_train": [[float(v) for v in row] for row in xtr],
        "y_train": ytr.tolist(),
        "x_test": [[float(v) for v in row] for row in xte],
        "y_test": yte.tolist(),
        "fits": fits,
    }
    os.makedirs(os.path.dirname(FIXTURE), exist_ok=True)
    with open(FIXTURE, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {FIXTURE}: " + ", ".join(f"l2={r['l2']} acc={r['test_accuracy']}" for r in fits))


def knn_numpy(bank, bank_y, queries, c, k=20, t=0.07):
    bank = bank / np.maximum(np.linalg.norm(bank, axis=1, keepdims=True), 1e-12)
    queries = queries / np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
    preds = np.empty(len(queries), dtype=np.int64)
    for start in range(0, len(queries), 1024):
        sims = queries[start : start + 1024] @ bank.T
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(sims, idx, axis=1)
        votes = np.zeros((len(sims), c))
        np.add.at(votes, (np.arange(len(sims))[:, None], bank_y[idx]), np.exp(top / t))
        preds[start : start + 1024] = votes.argmax(axis=1)
    return preds


def objective(model, x, y, l2):
    """fairscope's training objective: mean cross-entropy + l2/2 ||W||^2."""
    p = model.predict_proba(x)
    return float(-np.log(p[np.arange(len(y)), y]).mean() + 0.5 * l2 * (model.coef_**2).sum())


def bench(train_x, train_y, test_x, test_y, l2, reps):
    xtr, ytr = np.load(train_x), np.load(train_y)
    xte, yte = np.load(test_x), np.load(test_y)
    str_, ste = standardise(xtr.astype(np.float64), xte.astype(np.float64))
    str_, ste = str_.astype(np.float32), ste.astype(np.float32)
    out = {"threads": os.environ.get("OPENBLAS_NUM_THREADS", "default")}
    for name, kw in (("default", {}), ("max_iter_1000", {"max_iter": 1000})):
        walls, cpus = [], []
        for _ in range(reps):
            t0, c0 = time.perf_counter(), time.process_time()
            model = fit(str_, ytr, l2, **kw)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        out[name] = {
            "wall": min(walls),
            "cpu": min(cpus),
            "n_iter": int(model.n_iter_[0]),
            "objective": objective(model, str_, ytr, l2),
            "train_accuracy": float(model.score(str_, ytr)),
            "test_accuracy": float(model.score(ste, yte)),
        }
    c = int(max(ytr.max(), yte.max())) + 1
    walls, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        preds = knn_numpy(xtr.astype(np.float32), ytr, xte.astype(np.float32), c)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    out["knn"] = {"wall": min(walls), "cpu": min(cpus), "test_accuracy": float((preds == yte).mean())}
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "bench":
        bench(*sys.argv[2:6], float(sys.argv[6]), int(sys.argv[7]) if len(sys.argv) > 7 else 1)
    else:
        fixture()
