#!/usr/bin/python3
"""Reference tensors for src/image (fairscope's preprocessing) from PIL + torchvision.

Run with Debian's Python (PIL 9.4, torchvision 0.14):

    /usr/bin/python3 tools/preprocess_reference.py

It (1) draws a few tiny images deterministically (numpy seed 0) and saves them under
test/fixtures/image/, then (2) preprocesses each (image, config) case the way vissl/torchvision do:

    Image.open(path).convert('RGB')                    # torchvision pil_loader; no EXIF transpose
    [img.crop(bbox) + MIAP square rule]                # vissl disk_roi_annotations, protocols.md 1.2
    Resize(size) or Resize([size, size])               # PIL resample (antialiased), interpolation as given
    [CenterCrop(crop)]
    ToTensor(); Normalize(mean, std)
    [channels flipped to BGR after normalisation]      # vissl, protocols.md 9.1
    [permuted to HWC]

and writes test/fixtures/image/reference.json with, per case, the uint8 pixels after the geometric
steps (base64 of the HWC array), and the final float tensor's shape, stats and sampled values.
"""
import base64
import json
import os

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import InterpolationMode

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "image"))
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
INTERP = {
    "nearest": InterpolationMode.NEAREST,
    "bilinear": InterpolationMode.BILINEAR,
    "bicubic": InterpolationMode.BICUBIC,
}


def pattern(rng, w, h):
    """Smooth ramps + a fine checkerboard + noise: exercises both interpolation and antialiasing."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(1, w - 1)
    g = 255 * y / max(1, h - 1)
    b = 127.5 + 127.5 * np.sin(x / 2.3) * np.cos(y / 1.7)
    img = np.stack([r, g, b], axis=-1)
    img += np.where((x.astype(int) + y.astype(int)) % 2 == 0, 40.0, -40.0)[..., None]
    img += rng.normal(0, 12, size=img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def make_images():
    rng = np.random.RandomState(0)
    os.makedirs(ROOT, exist_ok=True)
    files = {}

    def save(name, im, **kw):
        im.save(os.path.join(ROOT, name), **kw)
        files[name] = {"mode": im.mode, "size": list(im.size)}

    save("wide_40x30.png", Image.fromarray(pattern(rng, 40, 30), "RGB"))
    save("tall_23x41.png", Image.fromarray(pattern(rng, 23, 41), "RGB"))
    save("big_97x61.png", Image.fromarray(pattern(rng, 97, 61), "RGB"))
    rgba = np.concatenate([pattern(rng, 33, 27), rng.randint(0, 256, size=(27, 33, 1)).astype(np.uint8)], axis=-1)
    save("rgba_33x27.png", Image.fromarray(rgba, "RGBA"))
    save("gray_30x20.png", Image.fromarray(pattern(rng, 30, 20)[..., 1], "L"))
    save("palette_26x18.png", Image.fromarray(pattern(rng, 26, 18), "RGB").quantize(colors=16, method=Image.MEDIANCUT))
    save("photo_48x36.jpg", Image.fromarray(pattern(rng, 48, 36), "RGB"), quality=90)
    return files


def pp(resize, mode, crop, interp, channels="rgb", layout="nchw"):
    return {
        "resize": resize,
        "resizeMode": mode,
        "crop": crop,
        "interpolation": interp,
        "scale": 1 / 255,
        "mean": MEAN,
        "std": STD,
        "channels": channels,
        "layout": layout,
    }


def miap_square(img):
    """vissl's ROI rule after the box crop (protocols.md 1.2)."""
    w, h = img.size
    s = min(w, h)
    if max(w, h) / min(w, h) >= 1.2:
        if w < h:
            return img.crop((0, 0, s, s))
        left = int((w - s) / 2)
        return img.crop((left, 0, left + s, h))
    return img


def reference(path, p, bbox=None, roi="none"):
    with open(path, "rb") as f:
        img = Image.open(f).convert("RGB")
    if bbox is not None:
        img = img.crop([float(v) for v in bbox])
        if roi == "miap-square":
            img = miap_square(img)
    interp = INTERP[p["interpolation"]]
    size = p["resize"] if p["resizeMode"] == "shorter" else [p["resize"], p["resize"]]
    img = T.Resize(size, interpolation=interp)(img)
    if p["crop"] is not None:
        img = T.CenterCrop(p["crop"])(img)
    pixels = np.array(img, dtype=np.uint8)
    t = T.Normalize(p["mean"], p["std"])(T.ToTensor()(img))
    if p["channels"] == "bgr":
        t = t[[2, 1, 0]]
    if p["layout"] == "nhwc":
        t = t.permute(1, 2, 0)
    return pixels, t.contiguous()


def case(name, image, p, bbox=None, roi="none"):
    pixels, t = reference(os.path.join(ROOT, image), p, bbox, roi)
    flat = t.numpy().ravel().astype(np.float64)
    idx = sorted(set(np.linspace(0, flat.size - 1, 24).astype(int).tolist() + [int(flat.argmin()), int(flat.argmax())]))
    out = {
        "name": name,
        "image": image,
        "preprocess": p,
        "pixelsShape": list(pixels.shape),
        "pixels": base64.b64encode(pixels.tobytes()).decode("ascii"),
        "shape": list(t.shape),
        "stats": {
            "mean": float(flat.mean()),
            "std": float(flat.std()),
            "min": float(flat.min()),
            "max": float(flat.max()),
            "sum": float(flat.sum()),
        },
        "samples": [[i, float(t.numpy().ravel()[i])] for i in idx],
    }
    if bbox is not None:
        out["bbox"] = bbox
        out["roi"] = roi
    return out


def main():
    files = make_images()
    cases = []
    c1 = pp(16, "shorter", 14, "bilinear")
    for image in sorted(files):
        cases.append(case(f"shorter16-bilinear-crop14/{image}", image, c1))
    for image in ["wide_40x30.png", "tall_23x41.png", "big_97x61.png"]:
        cases.append(case(f"shorter16-bicubic-crop14/{image}", image, pp(16, "shorter", 14, "bicubic")))
        cases.append(case(f"squash20-bilinear/{image}", image, pp(20, "squash", None, "bilinear")))
        cases.append(case(f"shorter18-nearest-crop15/{image}", image, pp(18, "shorter", 15, "nearest")))
    for image in ["wide_40x30.png", "tall_23x41.png"]:
        cases.append(case(f"shorter36-bilinear-crop32/{image}", image, pp(36, "shorter", 32, "bilinear")))
        cases.append(case(f"shorter10-bilinear-crop12/{image}", image, pp(10, "shorter", 12, "bilinear")))
    cases.append(case("squash32-bicubic/tall_23x41.png", "tall_23x41.png", pp(32, "squash", None, "bicubic")))
    cases.append(
        case("shorter16-bilinear-crop14-bgr-nhwc/wide_40x30.png", "wide_40x30.png", pp(16, "shorter", 14, "bilinear", "bgr", "nhwc"))
    )
    miap = pp(12, "squash", None, "bilinear")
    boxes = {
        "tall": [10.5, 3.2, 40.7, 58.9],
        "wide": [2.5, 10.0, 90.5, 40.0],
        "near-square": [20.0, 5.0, 55.4, 40.6],
        "outside": [80.0, 40.0, 110.0, 70.0],
    }
    for label, box in boxes.items():
        cases.append(case(f"miap-{label}/big_97x61.png", "big_97x61.png", miap, box, "miap-square"))
    cases.append(case("bbox-no-roi/big_97x61.png", "big_97x61.png", miap, boxes["tall"], "none"))
    doc = {
        "generator": "tools/preprocess_reference.py",
        "versions": {
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "PIL": Image.__version__,
            "numpy": np.__version__,
        },
        "images": files,
        "cases": cases,
    }
    # One case per line: small, and diffs stay readable.
    head = {k: v for k, v in doc.items() if k != "cases"}
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n'
    text += ",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in cases) + "\n ]\n}\n"
    with open(os.path.join(ROOT, "reference.json"), "w") as f:
        f.write(text)
    print(f"wrote {len(cases)} cases and {len(files)} images to {ROOT}")


if __name__ == "__main__":
    main()
