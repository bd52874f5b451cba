#!/usr/bin/python3
"""Golden fixtures for the three Fairness Indicators, computed by a plain numpy reimplementation
written from docs/protocols.md (sections 2.2, 3.2, 4.1-4.2, 5.2 and the pitfalls of section 9), not
from fairscope's TypeScript. It builds small deterministic datasets with the awkward cases (tied
logits and similarities, probabilities that underflow to exactly 0, empty groups, n/a and unknown
attributes, a missing attribute, multi-label Dollar Street images, an out-of-range income, queries
whose gender is absent from the database) and writes inputs and expected point values to
test/fixtures/indicators/*.json. The TypeScript tests compare to 1e-9.

Run with Debian's Python (numpy):  /usr/bin/python3 tools/indicators_reference.py
NaN values are written as null.
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "indicators")
MISSING = "(missing)"
MISSING_VALUES = {"n/a", "unknown", "gender_unknown", "-1", MISSING}


def num(x):
    """A JSON number to 13 significant digits (the tests compare to 1e-9); NaN becomes null."""
    x = float(x)
    return None if math.isnan(x) else float(f"{x:.13g}")


def attr(item, a):
    v = item["attrs"].get(a)
    return MISSING if v is None else str(v)


def group_of(item, attrs):
    return {a: attr(item, a) for a in attrs}


def groups_of(items, attrs):
    """Observed groups of a grouping, each with its member indices."""
    out = {}
    for i, it in enumerate(items):
        key = tuple(attr(it, a) for a in attrs)
        out.setdefault(key, []).append(i)
    return [(dict(zip(attrs, k)), m) for k, m in sorted(out.items())]


def ranked(logits, candidates=10):
    """Top-10 classes by logit, ties by class index (stable sort), softmax over ALL classes."""
    order = np.argsort(-logits, axis=1, kind="stable")[:, :candidates]
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    p = p / p.sum(axis=1, keepdims=True)
    return order, p


def thresholded(order_row, p_row, tau, topk=5):
    """protocols.md 2.2: keep top-10 classes with softmax >= tau in order, then the first 5."""
    return [int(c) for c in order_row if p_row[c] >= tau][:topk]


# ----------------------------------------------------------------------------------------------
# Indicator 1: label association
# ----------------------------------------------------------------------------------------------

def label_association_fixture():
    rng = np.random.default_rng(20220207)
    classes = [
        "n_people", "n_face", "n_beard", "n_animal", "n_dog_a", "n_dog_b", "n_ape",
        "n_prison", "n_car", "n_tree", "n_hat", "n_cup", "n_cat", "n_sky",
    ]
    label_names = [
        "people", "face", "beard", "animal", "dog", "dog", "ape",
        "prison", "car", "tree", "hat", "cup", "cat", "sky",
    ]
    taxonomy = {
        "name": "fixture",
        "associations": {
            "Human": ["people", "face"],
            "Possibly-Human": ["beard", "makeup"],
            "Non-Human": ["animal", "dog", "ape"],
            "Possibly-Non-Human": [],
            "Crime": ["prison"],
        },
        "harmful": {"types": ["Non-Human", "Crime"]},
        "disparateLabels": {"labels": ["animal"], "threshold": 0.2},
    }
    genders = ["female", "male", "female", "male", "other", "n/a"]
    tones = ["lighter", "darker", "unknown"]
    items = []
    n = 40
    for i in range(n):
        subject = i // 2
        g = genders[subject % 6] if subject < 18 else ("female" if i % 2 else "male")
        attrs = {"gender": g, "skintone": tones[(subject * 7) % 3]}
        if i == 39:
            del attrs["skintone"]  # a missing attribute: group "(missing)"
        items.append({"id": f"img{i:02d}", "source": f"img{i:02d}.png", "labels": [], "attrs": attrs,
                      "cluster": f"s{subject:02d}"})
    C = len(classes)
    logits = rng.normal(0, 1.5, size=(n, C))
    logits = np.round(logits * 4) / 4  # quarter steps: many exact ties
    logits[0, :] = 0.0  # all tied: order = class index
    logits[1, 3] = 9.0  # confident "animal"
    logits[2, [4, 5]] = 6.0  # two "dog" classes tied at the top
    logits[3, 7] = 8.0  # confident "prison"
    logits[4, :] = -1.0
    logits[4, [0, 3, 7]] = 1.0  # three-way tie among people, animal, prison
    logits[5, 1] = 20.0  # one class takes all the probability
    logits = logits.astype(np.float32).astype(np.float64)
    order, p = ranked(logits)
    thresholds = [0.0, 0.1, 0.3, 0.8]
    groupings = [["gender"], ["skintone"], ["gender", "skintone"]]
    assoc = {k: set(v) for k, v in taxonomy["associations"].items() if len(v) > 0}
    harmful = assoc["Non-Human"] | assoc["Crime"]
    disp_label, disp_t = "animal", 0.2
    per_class = ["n_people", "n_animal", "n_dog_a", "n_dog_b"]
    per_label = ["dog", "animal", "prison"]
    expected = []

    def emit(metric, params, group, value, count):
        # compact row: metric, tau, the other parameter (association / label / class / method), group, value, n
        other = [str(v) for k, v in params.items() if k != "tau"]
        label = ",".join(f"{k}={v}" for k, v in group.items()) or "overall"
        expected.append([metric, params["tau"], "/".join(other), label, num(value), count])

    for tau in thresholds:
        P = [thresholded(order[i], p[i], tau) for i in range(n)]
        names = [[label_names[c] for c in P[i]] for i in range(n)]
        scores = [[float(p[i, c]) for c in P[i]] for i in range(n)]

        def first_score(i, label):
            return scores[i][names[i].index(label)] if label in names[i] else float("nan")

        per_image = {}
        for t, labels in list(assoc.items()) + [("Harmful", harmful)]:
            per_image[t] = np.array([100.0 if set(names[i]) & labels else 0.0 for i in range(n)])
        disparate = np.array([1.0 if first_score(i, disp_label) >= disp_t else 0.0 for i in range(n)])
        top1_above = np.array([1.0 if scores[i] and scores[i][0] >= disp_t else 0.0 for i in range(n)])
        top1 = np.array([scores[i][0] if scores[i] else float("nan") for i in range(n)])
        label_conf = {l: np.array([first_score(i, l) for i in range(n)]) for l in per_label}

        def mean_over(values, members):
            v = values[members]
            v = v[~np.isnan(v)]
            return (float(v.sum() / len(v)) if len(v) else float("nan")), int(len(v))

        everyone = np.arange(n)
        for t, v in per_image.items():
            val, cnt = mean_over(v, everyone)
            emit("hit_rate", {"tau": tau, "association": t}, {}, val, cnt)
        emit("disparate_label_rate", {"tau": tau, "label": disp_label}, {}, *mean_over(disparate, everyone))
        emit("top1_above_disparate_threshold_rate", {"tau": tau}, {}, *mean_over(top1_above, everyone))
        emit("mean_top1_confidence", {"tau": tau}, {}, *mean_over(top1, everyone))
        for l, v in label_conf.items():
            emit("associated_label_confidence", {"tau": tau, "label": l}, {}, *mean_over(v, everyone))
        total_all = sum(len(P[i]) for i in range(n))
        for c in map(classes.index, per_class):
            cnt = sum(P[i].count(c) for i in range(n))
            emit("prediction_rate", {"tau": tau, "class": classes[c]}, {},
                 100.0 * cnt / total_all if total_all else float("nan"), n)

        for attrs in groupings:
            groups = groups_of(items, attrs)
            for group, members in groups:
                m = np.array(members)
                for t, v in per_image.items():
                    emit("hit_rate", {"tau": tau, "association": t}, group, *mean_over(v, m))
                emit("disparate_label_rate", {"tau": tau, "label": disp_label}, group, *mean_over(disparate, m))
                emit("top1_above_disparate_threshold_rate", {"tau": tau}, group, *mean_over(top1_above, m))
                emit("mean_top1_confidence", {"tau": tau}, group, *mean_over(top1, m))
                for l, v in label_conf.items():
                    emit("associated_label_confidence", {"tau": tau, "label": l}, group, *mean_over(v, m))
            # per-class prediction rate and signed disparity; G = every group of the attribute
            # (n/a and unknown included); a group with no prediction has rate 0/0 = NaN, which makes
            # the mean over G, and every disparity, NaN (as vissl's np.mean does)
            rates = []
            for group, members in groups:
                counts = np.zeros(C)
                for i in members:
                    for c in P[i]:
                        counts[c] += 1
                total = counts.sum()
                rates.append(100.0 * counts / total if total > 0 else np.full(C, np.nan))
            rates = np.array(rates)  # (G, C)
            defined = ~np.isnan(rates[:, 0])
            G = len(groups)
            for gi, (group, members) in enumerate(groups):
                for c in map(classes.index, per_class):
                    r = rates[gi, c]
                    emit("prediction_rate", {"tau": tau, "class": classes[c]}, group, r, len(members))
                    if G >= 2 and defined.all():
                        mean_all = rates[:, c].mean()
                        diff = r - (G * mean_all - r) / (G - 1)
                    else:
                        diff = float("nan")
                    emit("prediction_rate_disparity", {"tau": tau, "class": classes[c]}, group, diff, len(members))

        # gaps between comparable groups (missing values left out), for the gender hit rates
        for t, v in per_image.items():
            vals = []
            for group, members in groups_of(items, ["gender"]):
                if any(x in MISSING_VALUES for x in group.values()):
                    continue
                vals.append(mean_over(v, np.array(members))[0])
            emit("hit_rate.difference", {"tau": tau, "association": t, "method": "betweenGroups"},
                 {"gender": "*"}, max(vals) - min(vals), None)
            emit("hit_rate.ratio", {"tau": tau, "association": t, "method": "betweenGroups"},
                 {"gender": "*"}, (min(vals) / max(vals)) if max(vals) > 0 else float("nan"), None)

    return {
        "description": "Indicator 1 (protocols.md 2.2, 3.2) on 40 images, 14 classes, two of them sharing the label 'dog'.",
        "inputs": {
            "classes": classes,
            "labelNames": label_names,
            "taxonomy": taxonomy,
            "thresholds": thresholds,
            "groups": "gender,skintone,gender*skintone",
            "items": items,
            "logits": [[float(x) for x in row] for row in logits],
        },
        "perClass": per_class,
        "perLabel": per_label,
        "expectedColumns": ["metric", "tau", "param", "group", "value", "n"],
        "expected": expected,
    }


# ----------------------------------------------------------------------------------------------
# Indicator 2: geographical diversity
# ----------------------------------------------------------------------------------------------

INCOME_BUCKETS = {1.0: "low", 2.0: "medium", 3.0: "high"}


def income_bucket(income):
    if not income > 0:
        return "out-of-range"
    return INCOME_BUCKETS.get(float(np.round(np.log(income) / 3)), "out-of-range")


def geographic_fixture():
    rng = np.random.default_rng(4)
    classes = ["c_stove", "c_bed", "c_toilet", "c_cup", "c_sofa", "c_car", "c_tv", "c_lamp", "c_rug", "c_bike", "c_phone", "c_door"]
    concept_map = {
        "c_stove": ["stove", "oven"],
        "c_bed": ["bed"],
        "c_toilet": ["toilet"],
        "c_cup": ["cup", "drinking glass"],
        "c_sofa": ["sofa"],
        "c_car": ["car"],
        "c_tv": ["tv"],
        "c_lamp": ["light source", "lamp"],
        "c_rug": ["floor"],
        "c_bike": ["bike"],
    }  # c_phone and c_door map to nothing
    concepts = sorted(set(sum(concept_map.values(), [])))
    households = [
        ("h1", "Africa", 30), ("h2", "Africa", 150), ("h3", "Asia", 60), ("h4", "Asia", 900),
        ("h5", "Asia", 2500), ("h6", "Europe", 5000), ("h7", "Europe", 700), ("h8", "The Americas", 85),
        ("h9", "The Americas", 3.0), ("h10", "Africa", 95),
    ]
    items = []
    for h, region, income in households:
        for k in range(int(rng.integers(2, 6))):
            labels = [str(x) for x in rng.choice(concepts, size=int(rng.integers(1, 4)), replace=False)]
            items.append({"id": f"{h}-{k}", "source": f"{h}/{k}.jpg", "labels": sorted(labels),
                          "attrs": {"region": region, "income": income}, "cluster": h})
    n, C = len(items), len(classes)
    logits = np.round(rng.normal(0, 2, size=(n, C)) * 2) / 2
    logits[0, :] = -2000.0
    logits[0, 3] = 0.0  # probabilities underflow to exactly 0: hit needs p > t (strict)
    logits[1, :] = 1.0  # all tied
    logits = logits.astype(np.float32).astype(np.float64)
    order, p = ranked(logits)
    for it in items:
        it["_bucket"] = income_bucket(it["attrs"]["income"])
    thresholds = [0.0, 0.3]
    groupings = [["region"], ["income_bucket"], ["region", "income_bucket"]]
    expected = []
    for t in thresholds:
        hit = np.zeros(n)
        cover = np.zeros(n)
        correct = np.zeros(n)
        for i, it in enumerate(items):
            P = thresholded(order[i], p[i], t)
            raw = [concept_map.get(classes[c], []) for c in P]
            flat = set(sum(raw, []))
            gts = set(it["labels"])
            hit[i] = 100.0 if any(y in raw[j] and p[i, P[j]] > t for y in gts for j in range(len(P))) else 0.0
            cover[i] = 100.0 if any(p[i, c] >= t for c in order[i][:5]) else 0.0
            correct[i] = 100.0 if gts & flat else 0.0

        def household_mean(values, members):
            by_h = {}
            for i in members:
                by_h.setdefault(items[i]["cluster"], []).append(values[i])
            means = [sum(v) / len(v) for v in by_h.values()]
            return (sum(means) / len(means) if means else float("nan")), len(members)

        def image_mean(values, members):
            return float(np.mean(values[members])), len(members)

        def emit(metric, group, value, count):
            expected.append({"metric": metric, "params": {"threshold": t}, "group": group,
                             "value": num(value), "n": count})

        everyone = list(range(n))
        emit("hit_rate", {}, *household_mean(hit, everyone))
        emit("cover", {}, *household_mean(cover, everyone))
        emit("accuracy", {}, *image_mean(correct, everyone))
        for attrs in groupings:
            out = {}
            for i, it in enumerate(items):
                key = tuple(it["_bucket"] if a == "income_bucket" else it["attrs"][a] for a in attrs)
                out.setdefault(key, []).append(i)
            for key, members in sorted(out.items()):
                group = dict(zip(attrs, key))
                emit("hit_rate", group, *household_mean(hit, members))
                emit("cover", group, *household_mean(cover, members))
                emit("accuracy", group, *image_mean(correct, np.array(members)))
    for it in items:
        del it["_bucket"]
    return {
        "description": "Indicator 2 (protocols.md 4) on 10 households; multi-label images, one income out of range.",
        "inputs": {
            "classes": classes,
            "conceptMap": {"name": "fixture", "map": concept_map},
            "thresholds": thresholds,
            "groups": "region,income_bucket,region*income_bucket",
            "items": items,
            "logits": [[float(x) for x in row] for row in logits],
        },
        "incomeBuckets": [
            {"income": x, "bucket": income_bucket(x)}
            for x in [3.0, 4.4, 4.5, 27, 89.9, 90.1, math.exp(4.5), 1700, 1808, 1809, 10000, 36315, 36317, 0, -5]
        ],
        "roundHalfEven": [{"x": x, "rounded": float(np.round(x))} for x in [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999, 2.5001]],
        "expected": expected,
    }


# ----------------------------------------------------------------------------------------------
# Indicator 3: same-attribute retrieval
# ----------------------------------------------------------------------------------------------

def retrieval_fixture():
    dim, nd, nq = 5, 60, 30
    for seed in range(100):
        rng = np.random.default_rng(1000 + seed)
        db = rng.normal(size=(nd, dim))
        for j in range(5, nd, 11):
            db[j] = db[j - 3]  # exact duplicates: ties broken by database index
        q = rng.normal(size=(nq, dim))
        db = db.astype(np.float32)
        q = q.astype(np.float32)
        dbn = db / np.maximum(np.linalg.norm(db.astype(np.float64), axis=1, keepdims=True), 1e-12)
        qn = q / np.maximum(np.linalg.norm(q.astype(np.float64), axis=1, keepdims=True), 1e-12)
        dbn = dbn.astype(np.float32).astype(np.float64)
        qn = qn.astype(np.float32).astype(np.float64)
        S = qn @ dbn.T
        # reject data where two database rows that are not identical come within 1e-5 of each other
        # for some query: float32 products could order them either way
        ok = True
        for i in range(nq):
            s = np.sort(S[i])
            for a in range(nd - 1):
                if 0 < s[a + 1] - s[a] < 1e-5:
                    ok = False
        identical = [(j, k) for j in range(nd) for k in range(j + 1, nd) if np.array_equal(dbn[j], dbn[k])]
        if ok and len(identical) >= 4:
            break
    else:
        raise SystemExit("no unambiguous retrieval fixture found")
    rank = np.argsort(-S, axis=1, kind="stable")  # full ranking, ties by database index
    db_gender = ["female" if (j * 5) % 3 else "male" for j in range(nd)]
    db_items = [{"id": f"utk{j:02d}", "source": f"utk{j:02d}.jpg", "labels": [], "attrs": {"gender": db_gender[j]}}
                for j in range(nd)]
    q_genders = ["female", "male", "female", "male", "other", "n/a"]
    tones = ["lighter", "darker"]
    q_items = []
    for i in range(nq):
        subject = i // 2
        attrs = {"gender": q_genders[subject % 6], "skintone": tones[(subject * 5) % 2 if i != 7 else 0]}
        if i == 29:
            del attrs["gender"]  # missing attribute: never matches, scores 0
        q_items.append({"id": f"cc{i:02d}", "source": f"cc{i:02d}.png", "labels": [], "attrs": attrs,
                        "cluster": f"subject{subject}"})
    ks = [1, 5, 10, 50]
    expected = []
    correct = {}
    for K in ks:
        c = np.zeros(nq)
        for i in range(nq):
            g = attr(q_items[i], "gender")
            c[i] = sum(1 for j in rank[i, :K] if db_gender[j] == g)
        correct[K] = c
        # P@K overall = sum correct / (K * N), n/a, other and missing queries included
        expected.append({"metric": "precision_at_k", "params": {"k": K}, "group": {},
                         "value": num(c.sum() / (K * nq)), "n": nq})
        for attrs in [["gender"], ["skintone"], ["gender", "skintone"]]:
            for group, members in groups_of(q_items, attrs):
                expected.append({"metric": "precision_at_k", "params": {"k": K}, "group": group,
                                 "value": num(c[members].sum() / (K * len(members))), "n": len(members)})
    return {
        "description": "Indicator 3 (protocols.md 5.2): 30 queries vs 60 database items, exact duplicates in the database.",
        "inputs": {
            "dim": dim,
            "ks": ks,
            "attribute": "gender",
            "groups": "gender,skintone,gender*skintone",
            "queries": q_items,
            "database": db_items,
            "queryEmbeddings": [float(x) for x in q.reshape(-1)],
            "databaseEmbeddings": [float(x) for x in db.reshape(-1)],
        },
        "neighbours": [[int(j) for j in rank[i, :50]] for i in range(nq)],
        "expected": expected,
    }


def write(name, data):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(data, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


def main():
    write("label-association.json", label_association_fixture())
    write("geographic.json", geographic_fixture())
    write("retrieval.json", retrieval_fixture())


if __name__ == "__main__":
    main()
