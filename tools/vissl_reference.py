#!/usr/bin/python3
"""Expected values of the three Fairness Indicators computed by vissl's OWN released metric functions.

Usage:
    /usr/bin/python3 tools/vissl_reference.py VISSL_CHECKOUT [--commit SHA]

VISSL_CHECKOUT is a local checkout (or `git archive`) of github.com/facebookresearch/vissl; the
fixtures were made from commit 09270ed25a6c2cf71263d955b64cbe076d34ac45, the one protocols.md cites
([C]). The modules are imported from the checkout; no vissl code is copied into this repository:

    projects/fairness_indicators/harmful_label_associations/inference_label_assoc_casual_conversations.py
    projects/fairness_indicators/harmful_label_associations/inference_label_assoc_openimages_miap_test.py
    projects/fairness_indicators/geographical_diversity/inference_geographical_diversity.py
    projects/fairness_indicators/similarity_search/inference_casual_conversations.py

Needs Debian's python3-numpy, python3-pandas and python3-torch (the retrieval's L2 norm is
torch.nn.functional.normalize). Everything else those files import at top level is replaced by a
stub in sys.modules, because the metric functions do not use it:

- matplotlib, matplotlib.pyplot, matplotlib.ticker, seaborn: plotting (`_plot_ir`, MIAP's
  `plot_few_images_with_bbox`). seaborn.lineplot records the frame it is given (vissl's
  per-household frame), nothing is drawn.
- IPython, IPython.display (display_html): notebook output.
- fvcore.common.file_io (PathManager), PIL (Image), torchvision.transforms: image loading and
  display (`get_image`, `plot_few_images_with_bbox`), never called here.
- vissl.utils.io (load_file, save_file): file I/O; the stub serves the inputs built here from memory.
- pandas.DataFrame.style: the tables `_plot_ir` displays as HTML (a Styler needs jinja2) are captured
  as the DataFrames vissl built, instead of being rendered.

What runs is vissl's: the loaders (`load_*_metadata`: top-10 ≥ τ filter, scores as
`str(round(p, 5))`), `get_per_attribute_predictions_freq` (CC and MIAP),
`generate_dollar_street_analysis`, `parse_all`/`_load_json`/`_is_hit_naive`, `calculate_metrics`
and `get_per_attribute_accuracy` (Dollar Street), `parse_cc_data`, `parse_utk_data` and
`get_gender_precision_fairness_indicator` (retrieval). The script only builds their inputs and reads
their outputs. Two inputs are built the way vissl's inference would have dumped them
(vissl/meters/accuracy_list_meter.py): predictions = the top-10 classes by logit (ties by class
index, protocols.md 9.10) and confidences = softmax over all classes, in float64 from the float32
logits written to the fixture, i.e. the very probabilities fairscope computes (vissl's dumps are
float32; float64 makes the 5-decimal rounding see the same numbers on both sides).

Interventions, all stated in the fixtures:
- MIAP: the released metric function calls `remove("path")` on entries its own loader builds
  without a "path" key and would treat "bbox" as an attribute (protocols.md 9.13); the loader's
  entries get "path" = their key and lose "bbox" before the call.
- Dollar Street, "paper" reading (de-duplicated images): vissl's pipeline with (a) its commented-out
  de-duplication step restored -- the line is read from the checkout and evaluated on `parse_all`'s
  frame, not copied -- and (b) the module's `round` replaced by the identity, so that the hit test is
  `p > t` on the unrounded confidence as in fairscope's paper reading. The "vissl" reading is the
  released code unchanged. For t > 0 the run sets both of vissl's knobs, PRED_CONFIDENCE_THRESHOLD and
  THRESHOLDS, to t (the released script has 0.0 for both).

Writes test/fixtures/indicators/vissl-{label-association-cc,label-association-miap,geographic,
retrieval}.json, and the Dollar Street overlapped-images list as np.save writes it
(vissl-overlapped-images.npy, dtype <U; vissl-overlapped-images-bytes.npy, dtype |S): the inputs (fairscope manifest items, float32 logits or embeddings, and the vissl-side
metadata) and vissl's outputs. NaN is written as null.
"""
import argparse
import contextlib
import importlib.util
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import types
from unittest import mock

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "indicators")
FI = "projects/fairness_indicators"
FI_LA = "harmful_label_associations"


# ----------------------------------------------------------------------------------------------
# Stubs and module loading
# ----------------------------------------------------------------------------------------------

class Capture:
    """What the stubs saw: frames given to seaborn.lineplot, tables vissl displayed."""

    def __init__(self):
        self.lineplot_data = []
        self.tables = []
        self.files = {}


CAPTURE = Capture()


def _module(name, **attrs):
    m = types.ModuleType(name)
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m
    return m


def install_stubs():
    plt = mock.MagicMock(name="matplotlib.pyplot")
    axes = [mock.MagicMock(name="ax0"), mock.MagicMock(name="ax1")]
    for ax in axes:
        ax.get_ylim.return_value = (0.0, 1.0)
    plt.subplots.return_value = (mock.MagicMock(name="fig"), axes)
    matplotlib = _module("matplotlib", pyplot=plt)
    matplotlib.ticker = _module("matplotlib.ticker", FixedLocator=mock.MagicMock(name="FixedLocator"))
    sys.modules["matplotlib.pyplot"] = plt

    def lineplot(data=None, **_kwargs):
        CAPTURE.lineplot_data.append(data.copy())

    _module("seaborn", lineplot=lineplot)
    ipython = _module("IPython")
    ipython.display = _module("IPython.display", display_html=lambda *_a, **_k: None)
    fvcore = _module("fvcore")
    fvcore.common = _module("fvcore.common")
    fvcore.common.file_io = _module("fvcore.common.file_io", PathManager=mock.MagicMock(name="PathManager"))
    pil = _module("PIL")
    pil.Image = _module("PIL.Image")
    tv = _module("torchvision")
    tv.transforms = _module("torchvision.transforms")

    def load_file(path):
        if path not in CAPTURE.files:
            raise KeyError(f"vissl_reference: no input registered for {path}")
        return CAPTURE.files[path]

    def save_file(obj, path):
        CAPTURE.files[path] = obj

    vissl = _module("vissl")
    vissl.utils = _module("vissl.utils")
    vissl.utils.io = _module("vissl.utils.io", load_file=load_file, save_file=save_file)

    class CapturedStyle:
        def __init__(self, df):
            self.df = df

        def set_table_attributes(self, *_a, **_k):
            return self

        def _repr_html_(self):
            CAPTURE.tables.append(self.df.copy())
            return ""

    pd.DataFrame.style = property(lambda self: CapturedStyle(self))


def load(root, rel, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(root, FI, rel))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def quiet(fn, *args, **kwargs):
    """Runs fn with stdout captured; returns (result, printed text)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        out = fn(*args, **kwargs)
    return out, buf.getvalue()


def register(name, value):
    path = f"fixture://{name}"
    CAPTURE.files[path] = value
    return path


# ----------------------------------------------------------------------------------------------
# JSON helpers and the dump step (accuracy_list_meter)
# ----------------------------------------------------------------------------------------------

def clean(x):
    """JSON-safe copy: numpy scalars to Python, NaN to None, tuples to lists."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return None if math.isnan(x) else x
    if isinstance(x, np.integer):
        return int(x)
    return x


def f32(a):
    """A float32 array as nested lists of the shortest decimals that read back as the same float32."""
    return [f32(r) for r in a] if a.ndim > 1 else [float(str(np.float32(v))) for v in a]


def dump_predictions(logits32):
    """vissl's dump: top-10 class indices by logit (ties by index), softmax over all classes (float64)."""
    z = logits32.astype(np.float64)
    order = np.argsort(-z, axis=1, kind="stable")[:, :10]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return order.astype(np.int64), e / e.sum(axis=1, keepdims=True)


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(clean(data), f, separators=(",", ":"), sort_keys=True)  # vissl iterates sets
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def set_prob(row, cls, p, others):
    """Sets logit `cls` of a float64 row so that its softmax is ~p, the other logits fixed."""
    rest = np.exp(row[others] - row[others].max()).sum()
    row[cls] = row[others].max() + math.log(p * rest / (1 - p))


# ----------------------------------------------------------------------------------------------
# Indicator 1: label association (CC and MIAP)
# ----------------------------------------------------------------------------------------------

LA_THRESHOLDS = [0.0, 0.1, 0.3, 0.8]


def la_classes():
    """24 classes: ImageNet-22k-like ids, their label-name lists (value[0] is used) and index map."""
    names = [
        "people", "face", "beard", "makeup", "khimar", "animal", "dog", "dog", "ape", "monkey", "rat",
        "prison", "cat", "swine", "car", "tree", "hat", "cup", "sky", "chair", "lamp", "book",
        "shoe", "ball",
    ]
    classes = [f"n{9000000 + 17 * i:08d}" for i in range(len(names))]
    name_map = {c: [n, f"{n} (alt)"] for c, n in zip(classes, names)}
    return classes, names, name_map, {c: i for i, c in enumerate(classes)}


def la_logits(rng, n, names, edge_rows):
    """Random logits with taxonomy labels boosted now and then, plus hand-made edge rows."""
    c = len(names)
    z = rng.normal(0.0, 1.6, size=(n, c))
    for i in range(n):
        if rng.random() < 0.7:
            z[i, rng.integers(0, 14)] += rng.uniform(2.0, 6.0)
        if rng.random() < 0.3:
            z[i, rng.integers(0, c)] += rng.uniform(1.0, 4.0)
    for i, fn in edge_rows.items():
        fn(z[i])
    return z.astype(np.float32)


def la_edges(names):
    """Rows that probe the τ filter and the top-5 cut (indices into the image list)."""
    idx = {n: names.index(n) for n in ["people", "face", "animal", "prison", "beard", "ape"]}
    others = lambda keep: [k for k in range(len(names)) if k not in keep]  # noqa: E731

    def just_above_tau(row):  # prison at 0.1000008: kept at τ = 0.1 (no rounding in the filter)
        row[:] = 0.0
        row[idx["people"]] = 3.0
        set_prob(row, idx["prison"], 0.1000008, others([idx["prison"]]))

    def just_below_tau(row):  # animal at 0.0999992: dropped at τ = 0.1
        row[:] = 0.0
        row[idx["face"]] = 3.0
        set_prob(row, idx["animal"], 0.0999992, others([idx["animal"]]))

    def underflow(row):  # ape's softmax underflows to exactly 0 inside the top-5: kept at τ = 0
        row[:] = -2000.0
        row[[idx["people"], idx["face"], idx["beard"], 20]] = [0.0, -0.5, -1.0, -1.5]
        row[idx["ape"]] = -1000.0

    def tied(row):  # a 4-way tie across the top-5 boundary: ties by class index
        row[:] = -3.0
        row[[14, 15, 16]] = 2.0
        row[[idx["prison"], 17, 18, 19]] = 1.0

    def sixth(row):  # beard 6th by logit: outside the top-5
        row[:] = -3.0
        row[[14, 15, 16, 17, 18]] = [3.0, 2.9, 2.8, 2.7, 2.6]
        row[idx["beard"]] = 2.5

    return {0: just_above_tau, 1: just_below_tau, 2: underflow, 3: tied, 4: sixth}


def la_run(mod, loader, input_data, label_to_id, assoc, disparate, disparate_t, name_map, fix_entries=None):
    """Runs vissl's loader and metric function at each τ; returns outputs per τ and the entries at τ=0."""
    label_names = {k: v[0] for k, v in name_map.items()}
    per_tau, entries0 = [], None
    for tau in LA_THRESHOLDS:
        (meta, l2i), _ = quiet(loader, dict(input_data), confidence_threshold=tau)
        if fix_entries is not None:
            fix_entries(meta)
        if entries0 is None:
            entries0 = meta
        out, _ = quiet(
            mod.get_per_attribute_predictions_freq,
            meta, l2i, assoc, disparate, disparate_t, label_names, topk=5,
        )
        (freq, counts, diff, _img, hit, _conf_lists, mean_top1, assoc_conf, disp) = out
        per_tau.append({
            "tau": tau,
            "hitRate": hit,
            "groupSize": counts,
            "predictionCounts": freq,
            "predictionRateDifference": diff,
            "meanTop1Confidence": mean_top1,
            "associatedLabelConfidence": assoc_conf,
            "disparate": disp,
        })
    return per_tau, entries0


def la_fixture(mod, name, source, attributes, inputs, per_tau, **extra):
    """The fixture of one label-association dataset: vissl's map and constants, inputs, outputs."""
    classes, _names, name_map, label_to_id = la_classes()
    return {
        "about": (
            f"Inputs and vissl's outputs of get_per_attribute_predictions_freq ({name}); "
            "made by tools/vissl_reference.py from the vissl checkout named in `vissl`."
        ),
        "vissl": source,
        "labelAssociationMap": mod.IN22K_SUBSET_LABEL_ASSOCIATION_MAP,
        "disparateLabels": mod.DISPARATE_LABELS_LIST,
        "disparateThreshold": mod.DISPARATE_THRESHOLD,
        "topK": 5,
        "attributes": attributes,
        **extra,
        "inputs": {
            "classes": classes,
            "labelToIdMap": label_to_id,
            "classToLabelNameMap": name_map,
            **{k: f32(v) if k == "logits" else v for k, v in inputs.items()},
        },
        "byTau": per_tau,
    }


def cc_fixture(root, source):
    mod = load(root, f"{FI_LA}/inference_label_assoc_casual_conversations.py", "vissl_la_cc")
    rng = np.random.default_rng(20220614)
    classes, names, name_map, label_to_id = la_classes()
    genders = ["Female", "Male", "Female", "Male", "Other", "N/A"]
    n = 84
    metadata, paths, subjects = [], [], []
    for i in range(n):
        subject = 1000 + i // 2  # two videos per subject: the bootstrap cluster
        video = i % 2
        path = f"/data/CC_mini/{subject:04d}/{subject:04d}_portuguese_{video:02d}_crop.jpg"
        g = genders[int(rng.integers(0, 4))] if rng.random() < 0.9 else genders[4 + int(rng.integers(0, 2))]
        age = str(int(rng.integers(18, 80))) if rng.random() < 0.93 else "N/A"
        skin = str(int(rng.integers(1, 7))) if rng.random() < 0.93 else "N/A"
        metadata.append({"img_path": path, "gender": g, "age": age, "skin-type": skin})
        paths.append(path)
        subjects.append(str(subject))
    logits = la_logits(rng, n, names, la_edges(names))
    predictions, conf = dump_predictions(logits)
    input_data = {
        "image_paths": register("cc/images.npy", np.array(paths)),
        "metadata": register("cc/metadata.json", metadata),
        "label_to_id_map": register("cc/label_to_id.json", label_to_id),
        "label_predictions": register("cc/predictions.npy", predictions),
        "label_predictions_scores": register("cc/conf.npy", conf),
        "pred_img_indices": register("cc/inds.npy", np.arange(n)),
    }
    per_tau, entries = la_run(
        mod, mod.load_cc_face_crops_labels_images_preds_metadata, input_data, label_to_id,
        mod.IN22K_SUBSET_LABEL_ASSOCIATION_MAP, mod.DISPARATE_LABELS_LIST, mod.DISPARATE_THRESHOLD, name_map,
    )
    items = [
        {
            "id": key,
            "source": e["orig_path"],
            "labels": [],
            "attrs": {a: e[a] for a in ["gender", "age", "skintone"]},
            "cluster": subjects[k],
        }
        for k, (key, e) in enumerate(entries.items())
    ]
    assert len(items) == n
    write("vissl-label-association-cc.json", la_fixture(
        mod, "Casual Conversations", source, ["gender", "age", "skintone", "gender_skintone"],
        {"metadata": metadata, "items": items, "logits": logits, "predictions": predictions}, per_tau,
    ))


def miap_fixture(root, source):
    mod = load(root, f"{FI_LA}/inference_label_assoc_openimages_miap_test.py", "vissl_la_miap")
    rng = np.random.default_rng(20220615)
    classes, names, name_map, label_to_id = la_classes()
    genders = ["Predominantly Feminine", "Predominantly Masculine", "Unknown"]
    ages = ["Young", "Middle", "Older", "Unknown"]
    n = 72
    metadata = []
    for i in range(n):
        image = f"/data/miap/test/{i // 3:04x}.jpg"  # three person boxes per image: the cluster
        box = [f"{10.0 + 7 * i:.6f}", f"{20.5 + i:.6f}", f"{150.25 + 3 * i:.6f}", f"{260.0 + i:.6f}"]
        metadata.append({
            "path": image,
            "bbox": box,
            "GenderPresentation": genders[int(rng.choice(3, p=[0.45, 0.45, 0.1]))],
            "AgePresentation": ages[int(rng.choice(4, p=[0.3, 0.4, 0.2, 0.1]))],
            "LabelName": "/m/01g317",
        })
    logits = la_logits(rng, n, names, la_edges(names))
    predictions, conf = dump_predictions(logits)
    input_data = {
        "metadata": register("miap/metadata.json", metadata),
        "label_to_id_map": register("miap/label_to_id.json", label_to_id),
        "label_predictions": register("miap/predictions.npy", predictions),
        "label_predictions_scores": register("miap/conf.npy", conf),
        "pred_img_indices": register("miap/inds.npy", np.arange(n)),
    }

    def fix_entries(meta):
        for key, e in meta.items():
            e["path"] = key
            e.pop("bbox", None)

    per_tau, entries = la_run(
        mod, mod.load_in22k_subset_opeinimages_miap_labels_images_preds_metadata, input_data, label_to_id,
        mod.IN22K_SUBSET_LABEL_ASSOCIATION_MAP, mod.DISPARATE_LABELS_LIST, mod.DISPARATE_THRESHOLD, name_map,
        fix_entries=fix_entries,
    )
    items = [
        {"id": key, "source": e["orig_path"], "labels": [], "attrs": {"gender": e["gender"], "age": e["age"]},
         "cluster": e["orig_path"]}
        for key, e in entries.items()
    ]
    assert len(items) == n
    write("vissl-label-association-miap.json", la_fixture(
        mod, "OpenImages MIAP", source, ["gender", "age"],
        {"metadata": metadata, "items": items, "logits": logits, "predictions": predictions}, per_tau,
        intervention=(
            "each entry of vissl's MIAP loader gets path = its key and loses bbox before "
            "get_per_attribute_predictions_freq, which calls remove('path') (protocols.md 9.13)"
        ),
    ))


# ----------------------------------------------------------------------------------------------
# Indicator 2: geographical diversity (Dollar Street)
# ----------------------------------------------------------------------------------------------

GEO_THRESHOLDS = [0.0, 0.1]
DS_CONCEPTS = [
    ["bed"], ["couch"], ["bed", "couch"], ["stove"], ["toilet"], ["toothbrush"], ["dish"], ["car"],
    ["street view"], [], ["tv"], ["cup"],
]
DS_LABELS = ["bed", "couch", "stove", "toilet", "toothbrush", "dish", "car", "tv", "cup", "kitchen sink"]
DS_REGIONS = ["Africa", "Asia", "The Americas", "Europe"]
DS_INCOMES = [31.5, 55.0, 88.0, 92.0, 140.0, 400.0, 950.0, 1750.0, 1850.0, 3000.0, 7200.0, 12000.0,
              66.0, 610.0]
# The model file name _load_json parses (parse_file_name: training, architecture, data).
DS_MODEL_FILE = "seer_regnet128Gf_ig1b_fixture.json"


def ds_world(rng):
    """Households, images (a checksum each, one or two labels) and vissl's (label, _id) entries."""
    households, images = [], []
    for h, income in enumerate(DS_INCOMES):
        hid = f"5d4be{h:03d}a7c1"
        region = DS_REGIONS[h % 4]
        country = f"{region[:3].lower()}-{h % 3}"
        households.append({"_id": hid, "region": region, "country": country, "income": income})
        labels = list(rng.permutation(DS_LABELS))[: int(rng.integers(4, 7))]
        k = 0
        while k < len(labels):
            take = 2 if (k + 1 < len(labels) and rng.random() < 0.3) else 1
            checksum = f"{h:02d}{k:02d}" + "".join(rng.choice(list("0123456789abcdef"), 8))
            images.append({"checksum": checksum, "household": h, "labels": labels[k:k + take]})
            k += take
    return households, images


def ds_logits(rng, images):
    """Logits per image: the ground truth often boosted, and the edge cases of the hit test."""
    concept_classes = {lab: [c for c, cs in enumerate(DS_CONCEPTS) if lab in cs] for lab in DS_LABELS}
    z = rng.normal(0.0, 1.5, size=(len(images), len(DS_CONCEPTS)))
    for i, im in enumerate(images):
        if rng.random() < 0.65:
            lab = im["labels"][int(rng.integers(0, len(im["labels"])))]
            if concept_classes[lab]:
                z[i, concept_classes[lab][int(rng.integers(0, len(concept_classes[lab])))]] += rng.uniform(1.5, 5)
    edges = []

    def edge(kind, label_class, fn):
        i = next(
            k for k, im in enumerate(images)
            if len(im["labels"]) == 1 and concept_classes[im["labels"][0]] and k not in [e[0] for e in edges]
            and im["labels"][0] in DS_CONCEPTS[label_class]
        )
        fn(z[i], label_class)
        edges.append((i, kind))

    others = lambda keep: [k for k in range(len(DS_CONCEPTS)) if k not in keep]  # noqa: E731

    def tiny(p):
        def fn(row, c):  # ground truth 5th with softmax ~p: round(p, 5) is 0 (p <= 5e-6) or 1e-5
            row[:] = -40.0
            row[[6, 7, 8, 10] if c not in (6, 7, 8, 10) else [3, 4, 5, 11]] = [0.0, -0.1, -0.2, -0.3]
            set_prob(row, c, p, others([c]))
        return fn

    def underflow(row, c):  # ground truth 5th with softmax exactly 0 (a miss even at t = 0: 0 > 0 is false)
        row[:] = -3000.0
        row[[6, 7, 8, 10] if c not in (6, 7, 8, 10) else [3, 4, 5, 11]] = [0.0, -0.1, -0.2, -0.3]
        row[c] = -1000.0

    def near_tenth(p):
        def fn(row, c):  # ground truth top-1 at ~p: rounds to 0.1 (not > 0.1) or above
            row[:] = 0.0
            set_prob(row, c, p, others([c]))
        return fn

    edge("tiny 3e-6 (vissl: miss at t=0)", 0, tiny(3e-6))
    edge("tiny 4.9e-6 (vissl: miss at t=0)", 3, tiny(4.9e-6))
    edge("tiny 7e-6 (vissl: hit at t=0)", 4, tiny(7e-6))
    edge("tiny 1.2e-5 (rounds to 1e-5: hit)", 6, tiny(1.2e-5))
    edge("underflow to 0", 10, underflow)
    edge("top-1 at 0.1000003 (vissl: miss at t=0.1)", 11, near_tenth(0.1000003))
    edge("top-1 at 0.1000074 (hit at t=0.1)", 7, near_tenth(0.1000074))
    edge("top-1 at 0.0999996 (filtered out at t=0.1: no cover)", 1, near_tenth(0.0999996))
    return z.astype(np.float32), edges


def ds_entries(households, images, url_prefix):
    """vissl's metadata records and image paths, one per (label, image)."""
    metadata, paths, rows = [], [], []
    for i, im in enumerate(images):
        hh = households[im["household"]]
        for lab in im["labels"]:
            metadata.append({
                "_id": hh["_id"], "label": lab, "country": hh["country"], "region": hh["region"],
                "income": hh["income"], "url": f"{url_prefix}/{lab.replace(' ', '-')}-{im['checksum']}.jpg",
            })
            paths.append(f"/data/dollar_street/{lab}/{hh['_id']}.jpg")
            rows.append(i)
    return metadata, paths, rows


def restored_dedup_line(src):
    """The commented-out de-duplication expression of calculate_metrics, read from the checkout."""
    m = re.search(r"#\s*new_results\s*=\s*(results\.groupby\(.*\))\s*$", src, re.MULTILINE)
    if m is None:
        raise SystemExit("vissl_reference: the commented-out de-duplication line was not found")
    return m.group(1)


def ds_run(mod, dedup_expr, paths, rows, metadata, logits, t, reading):
    """One run of vissl's Dollar Street pipeline; returns the tables it computes."""
    predictions, conf = dump_predictions(logits[rows])
    n = len(paths)
    input_data = {
        "model_name": "fixture model",
        "image_paths": register("ds/images.npy", np.array(paths)),
        "predictions": register("ds/predictions.npy", predictions),
        "pred_img_indices": register("ds/inds.npy", np.arange(n)),
        "targets": register("ds/targets.npy", np.zeros(n, dtype=np.int64)),
        "metadata": register("ds/metadata.json", metadata),
        "id_to_label_map": register("ds/id_to_label.json", {str(c): cs for c, cs in enumerate(DS_CONCEPTS)}),
        "pred_confidence_scores": register("ds/conf.npy", conf),
    }
    original_parse_all = mod.parse_all
    if reading == "paper":
        mod.round = lambda x, _digits: x
        mod.parse_all = lambda datapath: eval(  # noqa: S307 -- vissl's own commented-out line
            dedup_expr, {"COLUMNS_COMPRESSED": mod.COLUMNS_COMPRESSED}, {"results": original_parse_all(datapath)}
        )
    mod.THRESHOLDS = [t]
    try:
        (acc_map, meta_map), printed = quiet(
            mod.generate_dollar_street_analysis, input_data, topk=mod.PRED_TOPK, confidence_threshold=t
        )
        overall = float(re.search(r"Overall accuracy: ([0-9.eE+-]+)", printed).group(1))
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, DS_MODEL_FILE), "w") as f:
                json.dump(meta_map, f)
            CAPTURE.lineplot_data.clear()
            CAPTURE.tables.clear()
            quiet(mod.calculate_metrics, d)
    finally:
        mod.parse_all = original_parse_all
        if "round" in vars(mod):
            del mod.round
    hh = CAPTURE.lineplot_data[0]
    income_table, region_table = CAPTURE.tables
    out = {
        "reading": reading,
        "threshold": t,
        "households": [
            {"household": r.household, "region": str(r.region), "income_bucket": str(r["income bucket"]),
             "hit": r.hit, "cover": r.cover}
            for _, r in hh.sort_values("household").iterrows()
        ],
        "hitByIncomeBucket": {str(r["income bucket"]): r.hit for _, r in income_table.iterrows()},
        "hitByRegion": {str(r.region): r.hit for _, r in region_table.iterrows()},
        "notFound": printed.count("Not found: "),
    }
    if reading == "vissl":
        out["accuracy"] = {
            "overall": overall,
            "region": acc_map["region"],
            "country": acc_map["country"],
            "concept": acc_map["concept"],
        }
    return out


def round5_table(rng):
    """vissl's `round(confidence, 5)` on np.float64 values: halves, the 5e-6 boundary, random ones."""
    xs = [5e-6, 4.999999999999999e-06, 5.000000000000001e-06, 1.5e-5, 2.5e-5, 3.5e-5, 0.125005, 0.100005,
          0.1000049999, 0.99999, 0.999995, 1.0, 0.0, 7.3e-6, 0.123455, 0.123465]
    xs += [float(x) for x in rng.random(40)] + [float(x) for x in rng.random(20) * 1e-4]
    return [[x, float(round(np.float64(x), 5))] for x in xs]


def geographic_fixture(root, source):
    rel = "geographical_diversity/inference_geographical_diversity.py"
    mod = load(root, rel, "vissl_geo")
    with open(os.path.join(root, FI, rel)) as f:
        dedup_expr = restored_dedup_line(f.read())
    rng = np.random.default_rng(20220616)
    households, images = ds_world(rng)
    logits, edges = ds_logits(rng, images)
    url = "https://static.dollarstreet.example/media/images"
    metadata, paths, rows = ds_entries(households, images, url)
    # The overlapped-images list: most entries, one label of some multi-label images, and a path
    # with no metadata record (vissl prints "Not found").
    multi = [k for k, r in enumerate(rows) if len(images[r]["labels"]) > 1]
    keep = [k for k in range(len(paths)) if rng.random() < 0.75 or k in [e[0] for e in edges]]
    keep = sorted(set(keep) - {multi[0], multi[3]} | {multi[1], multi[2]})
    unknown_path = "/data/dollar_street/bed/ffffffffffff.jpg"
    listed = [paths[k] for k in keep] + [unknown_path]
    listed_rows = [rows[k] for k in keep] + [0]
    runs = []
    for reading in ["vissl", "paper"]:
        for t in GEO_THRESHOLDS:
            runs.append({"imagesList": False, **ds_run(mod, dedup_expr, paths, rows, metadata, logits, t, reading)})
            runs.append({
                "imagesList": True,
                **ds_run(mod, dedup_expr, listed, listed_rows, metadata, logits, t, reading),
            })
    items = [
        {
            "id": im["checksum"],
            "source": f"images/{im['checksum']}.jpg",
            "labels": im["labels"],
            "attrs": {
                "region": households[im["household"]]["region"],
                "country": households[im["household"]]["country"],
                "income": households[im["household"]]["income"],
            },
            "cluster": households[im["household"]]["_id"],
        }
        for im in images
    ]
    entry_edges = {images[i]["checksum"]: kind for i, kind in edges}
    # The list as vissl ships it (np.save of a str array, dtype <U), and as bytes (|S), for the reader.
    np.save(os.path.join(OUT, "vissl-overlapped-images.npy"), np.array(listed))
    np.save(os.path.join(OUT, "vissl-overlapped-images-bytes.npy"), np.array(listed, dtype="S"))
    write("vissl-geographic.json", {
        "about": (
            "Inputs and vissl's outputs of the Dollar Street pipeline (generate_dollar_street_analysis, "
            "calculate_metrics); made by tools/vissl_reference.py. hit/cover are fractions; "
            "hitBy* are the tables _plot_ir displays (means of the per-household rows); accuracy is "
            "get_per_attribute_accuracy (percent, rounded to 3 decimals, total = entries)."
        ),
        "vissl": source,
        "readings": {
            "vissl": "the released code: each (label, _id) entry scored on its own, round(p, 5) > t",
            "paper": (
                "vissl's code with its commented-out de-duplication step restored (evaluated from the "
                f"checkout: {dedup_expr}) and round() replaced by the identity (p > t unrounded)"
            ),
        },
        "round5": round5_table(rng),
        "thresholdNote": "t > 0: PRED_CONFIDENCE_THRESHOLD = THRESHOLDS = [t] (the released script has 0.0)",
        "inputs": {
            "classes": [f"ds{c:03d}" for c in range(len(DS_CONCEPTS))],
            "idToLabelMap": {str(c): cs for c, cs in enumerate(DS_CONCEPTS)},
            "items": items,
            "logits": f32(logits),
            "edgeCases": entry_edges,
            "metadata": metadata,
            "imagePaths": paths,
            "overlappedImagePaths": listed,
        },
        "runs": runs,
    })


# ----------------------------------------------------------------------------------------------
# Indicator 3: same-attribute retrieval
# ----------------------------------------------------------------------------------------------

def retrieval_fixture(root, source):
    mod = load(root, "similarity_search/inference_casual_conversations.py", "vissl_ss")
    k_values = list(mod.K_VALUES)
    dim, n_db, n_q = 8, 64, 40
    for seed in range(20220617, 20220717):
        rng = np.random.default_rng(seed)
        db = rng.normal(size=(n_db, dim)).astype(np.float32)
        q = rng.normal(size=(n_q, dim)).astype(np.float32)
        s = (q / np.linalg.norm(q, axis=1, keepdims=True)) @ (db / np.linalg.norm(db, axis=1, keepdims=True)).T
        s = -np.sort(-s, axis=1)
        gaps = [s[:, k - 1] - s[:, k] for k in k_values if k < n_db]
        if min(float(g.min()) for g in gaps) > 1e-4:  # no near-tie at any K: float32 vs float64 agree
            break
    else:
        raise SystemExit("vissl_reference: no tie-free retrieval draw")
    utk_meta, utk_paths = {}, []
    for j in range(n_db):
        key = f"{int(rng.integers(1, 90))}_{j % 2}_{j % 5}_2017011{j:04d}.jpg.chip.jpg"
        utk_meta[key] = {"gender": ["Male", "Female"][j % 2 if rng.random() < 0.8 else 1 - j % 2],
                         "age": str(int(rng.integers(1, 90))), "race": ["white", "black", "asian", "indian", "others"][j % 5]}
        utk_paths.append(f"manifold://ssl_framework/tree/datasets/utk_faces/images/{key}")
    cc_meta, cc_paths, subjects = [], [], []
    genders = ["Female", "Male", "Other", "N/A"]
    for i in range(n_q):
        subject = 2000 + i // 2
        path = f"/data/CC_mini_aligned/{subject:04d}/{subject:04d}_{i % 2:02d}_crop.jpg"
        cc_meta.append({
            "img_path": path,
            "gender": genders[int(rng.choice(4, p=[0.45, 0.45, 0.05, 0.05]))],
            "age": str(int(rng.integers(18, 80))) if rng.random() < 0.9 else "N/A",
            "skin-type": str(int(rng.integers(1, 7))) if rng.random() < 0.9 else "N/A",
        })
        cc_paths.append(path)
        subjects.append(str(subject))
    (cc_map, cc_feats), _ = quiet(mod.parse_cc_data, cc_meta, np.array(cc_paths), np.arange(n_q), q)
    (utk_map, utk_feats), _ = quiet(mod.parse_utk_data, utk_meta, np.array(utk_paths), np.arange(n_db), db)
    (precision, counts), _ = quiet(
        mod.get_gender_precision_fairness_indicator,
        utk_map, cc_map, utk_feats, cc_feats, apply_l2_norm=True, k_values=k_values,
    )
    queries = [
        {"id": key, "source": cc_paths[i], "labels": [],
         "attrs": {a: e[a] for a in ["gender", "age", "skintone"]}, "cluster": subjects[i]}
        for i, (key, e) in enumerate(cc_map.items())
    ]
    database = [
        {"id": key.split("/")[-1], "source": key, "labels": [], "attrs": {"gender": e["gender"]}}
        for key, e in utk_map.items()
    ]
    write("vissl-retrieval.json", {
        "about": (
            "Inputs and vissl's outputs of get_gender_precision_fairness_indicator (apply_l2_norm=True), "
            "after parse_cc_data and parse_utk_data; made by tools/vissl_reference.py. Drawn so that "
            "no query has a near-tie (gap < 1e-4) at any K boundary."
        ),
        "vissl": source,
        "inputs": {
            "k": k_values,
            "ccMetadata": cc_meta,
            "utkMetadata": utk_meta,
            "queries": queries,
            "queryEmbeddings": f32(q),
            "database": database,
            "databaseEmbeddings": f32(db),
        },
        "precision": precision,
        "counts": counts,
    })



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vissl", help="path of a local vissl checkout")
    ap.add_argument("--commit", help="the checkout's commit, when it is not a git work tree")
    args = ap.parse_args()
    root = os.path.abspath(args.vissl)
    if not os.path.isdir(os.path.join(root, FI)):
        raise SystemExit(f"vissl_reference: {root} has no {FI}")
    commit = args.commit
    if commit is None:
        try:
            commit = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True,
                                    check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown"
    source = {"repo": "facebookresearch/vissl", "commit": commit, "numpy": np.__version__, "pandas": pd.__version__}
    install_stubs()
    os.makedirs(OUT, exist_ok=True)
    cc_fixture(root, source)
    miap_fixture(root, source)
    geographic_fixture(root, source)
    retrieval_fixture(root, source)


if __name__ == "__main__":
    main()
