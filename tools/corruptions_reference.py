"""Reference outputs of the deterministic ImageNet-C corruptions for src/image/corrupt tests.

Run with Debian's Python (numpy, scipy, PIL):
    /usr/bin/python3 tools/corruptions_reference.py > test/fixtures/robustness/corruptions-reference.json

Follows the reference functions of Hendrycks & Dietterich (hendrycks/robustness,
ImageNet-C/create_c/make_imagenet_c.py) at their 224-px parameters, with the libraries they call
replaced by equivalents available here:
- skimage.filters.gaussian(x, sigma, multichannel=True) -> scipy.ndimage.gaussian_filter with
  mode='nearest', truncate=4 and sigma 0 on the channel axis (what skimage calls);
- skimage.color.rgb2hsv / hsv2rgb -> written out below with skimage's conventions;
- cv2.GaussianBlur(k, ksize, sigma) on the disk kernel and cv2.filter2D(x, -1, kernel) ->
  scipy.ndimage.correlate with OpenCV's Gaussian weights and mode='mirror' (BORDER_REFLECT_101);
- scipy.ndimage.zoom and PIL's BOX resize are the reference's own calls.
Outputs are the float results before the reference's final np.uint8, rounded to 3 decimals.
The input is a 16 x 16 image defined by a formula that the test recomputes.
"""
import json

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.ndimage import zoom as scizoom

SIZE = 16


def test_image():
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    r = (x * 13 + y * 7) % 256
    g = (x * 5 + y * 11 + 40) % 256
    b = ((x - 8) ** 2 + (y - 6) ** 2) * 3 % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def rgb2hsv(rgb):
    v = rgb.max(-1)
    delta = rgb.max(-1) - rgb.min(-1)
    with np.errstate(invalid='ignore', divide='ignore'):
        s = np.where(delta == 0, 0, delta / np.where(v == 0, 1, v))
        h = np.zeros_like(v)
        safe = np.where(delta == 0, 1, delta)
        r, g, bb = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        h = np.where(r == v, (g - bb) / safe, h)
        h = np.where(g == v, 2.0 + (bb - r) / safe, h)
        h = np.where(bb == v, 4.0 + (r - g) / safe, h)
        h = (h / 6.0) % 1.0
        h = np.where(delta == 0, 0, h)
    return np.stack([h, s, v], axis=-1)


def hsv2rgb(hsv):
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    hi = np.floor(h * 6)
    f = h * 6 - hi
    p = v * (1 - s)
    q = v * (1 - f * s)
    t = v * (1 - (1 - f) * s)
    hi = np.stack([hi, hi, hi], axis=-1).astype(np.uint8) % 6
    out = np.choose(hi, np.stack([np.stack((v, t, p), axis=-1), np.stack((q, v, p), axis=-1),
                                  np.stack((p, v, t), axis=-1), np.stack((p, q, v), axis=-1),
                                  np.stack((t, p, v), axis=-1), np.stack((v, p, q), axis=-1)]))
    return out


def sk_gaussian(x, sigma):
    return ndimage.gaussian_filter(x, sigma=(sigma, sigma, 0), mode='nearest', truncate=4.0)


def cv_gaussian_kernel(ksize, sigma):
    r = (ksize - 1) // 2
    k = np.exp(-0.5 * (np.arange(-r, r + 1) ** 2) / sigma ** 2)
    return k / k.sum()


def disk(radius, alias_blur):
    if radius <= 8:
        L = np.arange(-8, 8 + 1)
        ksize = 3
    else:
        L = np.arange(-radius, radius + 1)
        ksize = 5
    X, Y = np.meshgrid(L, L)
    aliased = np.array((X ** 2 + Y ** 2) <= radius ** 2, dtype=np.float64)
    aliased /= aliased.sum()
    g = cv_gaussian_kernel(ksize, alias_blur)
    return ndimage.correlate(aliased, np.outer(g, g), mode='mirror')


def disk_unfolded(radius, alias_blur):
    """The same kernel without the reference's fixed array: blurred mass may cross its edge."""
    ksize = 3 if radius <= 8 else 5
    L = np.arange(-radius - ksize, radius + ksize + 1)
    X, Y = np.meshgrid(L, L)
    aliased = np.array((X ** 2 + Y ** 2) <= radius ** 2, dtype=np.float64)
    aliased /= aliased.sum()
    g = cv_gaussian_kernel(ksize, alias_blur)
    return ndimage.correlate(aliased, np.outer(g, g), mode='constant')


def defocus_blur_unfolded(x, severity):
    c = [(3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)][severity - 1]
    x = np.array(x) / 255.
    kernel = disk_unfolded(c[0], c[1])
    channels = [ndimage.correlate(x[:, :, d], kernel, mode='mirror') for d in range(3)]
    return np.clip(np.stack(channels, axis=-1), 0, 1) * 255


def gaussian_blur(x, severity):
    c = [1, 2, 3, 4, 6][severity - 1]
    return np.clip(sk_gaussian(np.array(x) / 255., c), 0, 1) * 255


def defocus_blur(x, severity):
    c = [(3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)][severity - 1]
    x = np.array(x) / 255.
    kernel = disk(c[0], c[1])
    channels = [ndimage.correlate(x[:, :, d], kernel, mode='mirror') for d in range(3)]
    return np.clip(np.stack(channels, axis=-1), 0, 1) * 255


def clipped_zoom(img, zoom_factor):
    h = img.shape[0]
    ch = int(np.ceil(h / zoom_factor))
    top = (h - ch) // 2
    img = scizoom(img[top:top + ch, top:top + ch], (zoom_factor, zoom_factor, 1), order=1)
    trim_top = (img.shape[0] - h) // 2
    return img[trim_top:trim_top + h, trim_top:trim_top + h]


def zoom_blur(x, severity):
    c = [np.arange(1, 1.11, 0.01), np.arange(1, 1.16, 0.01), np.arange(1, 1.21, 0.02),
         np.arange(1, 1.26, 0.02), np.arange(1, 1.31, 0.03)][severity - 1]
    x = (np.array(x) / 255.).astype(np.float64)
    out = np.zeros_like(x)
    for z in c:
        out += clipped_zoom(x, z)
    return np.clip((x + out) / (len(c) + 1), 0, 1) * 255


def contrast(x, severity):
    c = [0.4, .3, .2, .1, .05][severity - 1]
    x = np.array(x) / 255.
    means = np.mean(x, axis=(0, 1), keepdims=True)
    return np.clip((x - means) * c + means, 0, 1) * 255


def brightness(x, severity):
    c = [.1, .2, .3, .4, .5][severity - 1]
    x = rgb2hsv(np.array(x) / 255.)
    x[:, :, 2] = np.clip(x[:, :, 2] + c, 0, 1)
    return np.clip(hsv2rgb(x), 0, 1) * 255


def saturate(x, severity):
    c = [(0.3, 0), (0.1, 0), (2, 0), (5, 0.1), (20, 0.2)][severity - 1]
    x = rgb2hsv(np.array(x) / 255.)
    x[:, :, 1] = np.clip(x[:, :, 1] * c[0] + c[1], 0, 1)
    return np.clip(hsv2rgb(x), 0, 1) * 255


def pixelate(x, severity):
    c = [0.6, 0.5, 0.4, 0.3, 0.25][severity - 1]
    img = Image.fromarray(x)
    img = img.resize((int(SIZE * c), int(SIZE * c)), Image.BOX)
    img = img.resize((SIZE, SIZE), Image.BOX)
    return np.array(img, dtype=np.float64)


CORRUPTIONS = {
    'gaussian_blur': gaussian_blur,
    'defocus_blur': defocus_blur,
    'defocus_blur_unfolded': defocus_blur_unfolded,
    'zoom_blur': zoom_blur,
    'contrast': contrast,
    'brightness': brightness,
    'saturate': saturate,
    'pixelate': pixelate,
}


def main():
    x = test_image()
    out = {'size': SIZE, 'input': 'r=(13x+7y)%256, g=(5x+11y+40)%256, b=3((x-8)^2+(y-6)^2)%256',
           'severities': [1, 3, 5], 'outputs': {}}
    for name, f in CORRUPTIONS.items():
        out['outputs'][name] = {str(s): [round(float(v), 3) for v in f(x, s).reshape(-1)] for s in (1, 3, 5)}
    print(json.dumps(out, separators=(',', ':')))


if __name__ == '__main__':
    main()
