#!/usr/bin/python3
"""Pillow references for resize, reduce, thumbnail and the ImageOps sizing functions.

Run with Debian's Pillow 9.4 and numpy (apt-get install python3-pil python3-numpy):
    /usr/bin/python3 scripts/make-resize-references.py
Writes fixtures/resize/cases.json and fixtures/resize/data.bin (sources and expected
outputs, packed numpy layout, little-endian; mode 1 as 0/1 bytes). Deterministic.

The pixel work is Pillow 9.4's C code (Resample.c, Reduce.c, Geometry.c), which current
Pillow runs unchanged for these modes. The Python-level sizing of thumbnail() and of
ImageOps.contain/cover/fit/pad/scale is current Pillow's (copied below: `cover` does not
exist in 9.4), applied on 9.4's resize. I;16 resampling (Pillow >= 11 resamples I;16 in
16 bits; 9.4 raises) is left to tests/pixels/resize.test.ts, which checks it against the
I-mode result clipped to 16 bits.
"""
import json, math, os
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'fixtures', 'resize')
os.makedirs(OUT, exist_ok=True)

R = Image.Resampling
FILTERS = {'nearest': R.NEAREST, 'box': R.BOX, 'bilinear': R.BILINEAR, 'hamming': R.HAMMING,
           'bicubic': R.BICUBIC, 'lanczos': R.LANCZOS}

blob = bytearray()
sources = {}
cases = []


def put(a):
    a = np.ascontiguousarray(a)
    if a.dtype == bool:
        a = a.astype(np.uint8)
    off = len(blob)
    blob.extend(a.astype(a.dtype.newbyteorder('<')).tobytes())
    while len(blob) % 8:
        blob.append(0)
    return {'offset': off, 'bytes': a.nbytes, 'dtype': a.dtype.str.replace('>', '<').replace('=', '<'), 'shape': list(a.shape)}


def source(name, mode, w, h, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    smooth = (xx * 255 // max(1, w - 1) + yy * 128 // max(1, h - 1)) % 256
    noise = rng.integers(0, 256, (h, w))
    base = np.where((xx // 4 + yy // 3) % 3 == 0, noise, smooth).astype(np.uint8)
    if mode in ('L', 'P'):
        im = Image.fromarray(base, 'L')
        if mode == 'P':
            im = Image.fromarray(base, 'L').convert('P')
            im.putpalette(rng.integers(0, 256, 768).astype(np.uint8).tobytes())
    elif mode == '1':
        im = Image.fromarray(base > 127).convert('1')
    elif mode in ('LA', 'RGB', 'RGBA', 'CMYK', 'RGBX'):
        n = len(mode)
        chans = [np.roll(base, 7 * c, axis=1) ^ (c * 37) for c in range(n)]
        if mode in ('LA', 'RGBA'):  # alpha with 0, 255 and partial values
            chans[-1] = np.where(xx % 5 == 0, 0, np.where(xx % 5 == 1, 255, chans[-1])).astype(np.uint8)
        arr = np.stack(chans, axis=-1).astype(np.uint8)
        im = Image.frombytes(mode, (w, h), arr.tobytes())
    elif mode == 'I':
        arr = (base.astype(np.int64) * 257 - 30000 + rng.integers(-5, 5, (h, w)) * 100000).astype(np.int32)
        im = Image.frombytes('I', (w, h), arr.astype('<i4').tobytes())
    elif mode == 'F':
        arr = (base.astype(np.float32) / 7.0 - 10.0 + rng.standard_normal((h, w)).astype(np.float32) * 1000).astype(np.float32)
        im = Image.frombytes('F', (w, h), arr.astype('<f4').tobytes())
    else:
        raise ValueError(mode)
    rec = {'mode': mode, 'size': [w, h], **put(np.asarray(im))}
    if mode == 'P':
        rec['palette'] = list(im.getpalette()[:768])
    sources[name] = rec
    return im


def record(kind, src, args, out):
    cases.append({'op': kind, 'src': src, **args, 'mode': out.mode, 'size': list(out.size), **put(np.asarray(out))})


MODES = ['1', 'P', 'L', 'LA', 'RGB', 'RGBA', 'RGBX', 'CMYK', 'I', 'F']
images = {}
for i, mode in enumerate(MODES):
    images[mode] = source(f'{mode}-37x29', mode, 37, 29, 100 + i)
big = {m: source(f'{m}-160x120', m, 160, 120, 200 + i) for i, m in enumerate(['L', 'RGB', 'RGBA', 'I', 'F'])}
tall = source('L-3x400', 'L', 3, 400, 300)

SIZES = [(12, 9), (53, 41), (37, 10), (5, 29), (1, 1), (100, 3)]
BOXES = [((2.5, 3.25, 30.75, 20.5), (16, 11)), ((3, 4, 20, 14), (17, 10)), ((0.1, 0, 37, 29), (40, 20)),
         ((1 / 3, 2 / 3, 36.9, 28.123456789), (7, 13))]

for mode, im in images.items():
    name = f'{mode}-37x29'
    for fname, f in FILTERS.items():
        for size in SIZES:
            record('resize', name, {'args': [list(size)], 'resample': fname}, im.resize(size, f))
        for box, size in BOXES:
            record('resize', name, {'args': [list(size)], 'resample': fname, 'box': list(box)}, im.resize(size, f, box=box))
    record('resize', name, {'args': [[37, 29]], 'resample': 'bilinear'}, im.resize((37, 29), R.BILINEAR))

for mode, im in big.items():
    name = f'{mode}-160x120'
    for fname in ('bilinear', 'bicubic', 'lanczos', 'box', 'hamming'):
        for gap in (1.0, 1.5, 2.0, 3.0):
            for size, box in (((23, 17), None), ((31, 9), (10.5, 7.25, 150, 111.75)), ((7, 64), None)):
                args = {'args': [list(size)], 'resample': fname, 'reducingGap': gap}
                if box is not None:
                    args['box'] = list(box)
                record('resize', name, args, im.resize(size, FILTERS[fname], box=box, reducing_gap=gap))
    for factor in (2, 3, (2, 3), (4, 1), (1, 5), (5, 5), 7, (16, 9)):
        for box in (None, (3, 5, 150, 113), (1, 1, 2, 2)):
            args = {'args': [list(factor) if isinstance(factor, tuple) else factor]}
            if box is not None:
                args['box'] = list(box)
            record('reduce', name, args, im.reduce(factor, box))
for mode in ('LA', 'CMYK', 'RGBX'):
    record('reduce', f'{mode}-37x29', {'args': [3]}, images[mode].reduce(3))
    record('reduce', f'{mode}-37x29', {'args': [[2, 4]], 'box': [1, 2, 30, 27]}, images[mode].reduce((2, 4), (1, 2, 30, 27)))
    record('reduce', f'{mode}-37x29', {'args': [1], 'box': [1, 2, 30, 27]}, images[mode].reduce(1, (1, 2, 30, 27)))
# Pillow >= 12.2 resizes images over 100 times taller than wide vertically first, as two
# resizes (Image.resize); 9.4 did it in one. Emulated here with 9.4's resize, marked so.
for fname in ('bilinear', 'nearest', 'lanczos'):
    f = FILTERS[fname]
    first = tall.resize((tall.width, 50), f, box=(0, 0, tall.width, tall.height))
    record('resize', 'L-3x400', {'args': [[2, 50]], 'resample': fname, 'emulated': 'tall: vertical pass first (Pillow >= 12.2)'},
           first.resize((2, 50), f, box=(0, 0, tall.width, 50)))


# ---- current Pillow's Python-level sizing (Image.thumbnail, ImageOps), on 9.4's resize ----

def thumbnail(im, size, resample=R.BICUBIC, reducing_gap=2.0):
    provided_size = tuple(map(math.floor, size))

    def preserve_aspect_ratio():
        def round_aspect(number, key):
            return max(min(math.floor(number), math.ceil(number), key=key), 1)
        x, y = provided_size
        if x >= im.width and y >= im.height:
            return None
        aspect = im.width / im.height
        if x / y >= aspect:
            x = round_aspect(y * aspect, key=lambda n: abs(aspect - n / y))
        else:
            y = round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
        return x, y

    final = preserve_aspect_ratio()
    if final is None or im.size == final:
        return im.copy()
    return im.resize(final, resample, reducing_gap=reducing_gap)


def contain(image, size, method=R.BICUBIC):
    im_ratio = image.width / image.height
    dest_ratio = size[0] / size[1]
    if im_ratio != dest_ratio:
        if im_ratio > dest_ratio:
            new_height = round(image.height / image.width * size[0])
            if new_height != size[1]:
                size = (size[0], new_height)
        else:
            new_width = round(image.width / image.height * size[1])
            if new_width != size[0]:
                size = (new_width, size[1])
    return image.resize(size, resample=method)


def cover(image, size, method=R.BICUBIC):
    im_ratio = image.width / image.height
    dest_ratio = size[0] / size[1]
    if im_ratio != dest_ratio:
        if im_ratio < dest_ratio:
            new_height = round(image.height / image.width * size[0])
            if new_height != size[1]:
                size = (size[0], new_height)
        else:
            new_width = round(image.width / image.height * size[1])
            if new_width != size[0]:
                size = (new_width, size[1])
    return image.resize(size, resample=method)


def pad(image, size, method=R.BICUBIC, color=None, centering=(0.5, 0.5)):
    resized = contain(image, size, method)
    if resized.size == size:
        return resized
    out = Image.new(resized.mode, size, color)
    if resized.palette:
        out.putpalette(resized.getpalette())
    if resized.width != size[0]:
        x = round((size[0] - resized.width) * max(0, min(centering[0], 1)))
        out.paste(resized, (x, 0))
    else:
        y = round((size[1] - resized.height) * max(0, min(centering[1], 1)))
        out.paste(resized, (0, y))
    return out


def fit(image, size, method=R.BICUBIC, bleed=0.0, centering=(0.5, 0.5)):
    cx, cy = centering
    if not 0.0 <= cx <= 1.0:
        cx = 0.5
    if not 0.0 <= cy <= 1.0:
        cy = 0.5
    if not 0.0 <= bleed < 0.5:
        bleed = 0.0
    bp = (bleed * image.size[0], bleed * image.size[1])
    live = (image.size[0] - bp[0] * 2, image.size[1] - bp[1] * 2)
    live_ratio = live[0] / live[1]
    out_ratio = size[0] / size[1]
    if live_ratio == out_ratio:
        cw, ch = live
    elif live_ratio >= out_ratio:
        cw, ch = out_ratio * live[1], live[1]
    else:
        cw, ch = live[0], live[0] / out_ratio
    left = bp[0] + (live[0] - cw) * cx
    top = bp[1] + (live[1] - ch) * cy
    return image.resize(size, method, box=(left, top, left + cw, top + ch))


def scale(image, factor, resample=R.BICUBIC):
    if factor == 1:
        return image.copy()
    size = (round(factor * image.width), round(factor * image.height))
    return image.resize(size, resample)


for name, im in (('RGB-160x120', big['RGB']), ('RGBA-160x120', big['RGBA']), ('L-37x29', images['L']),
                 ('P-37x29', images['P']), ('F-160x120', big['F'])):
    for size in ((64, 64), (50, 10), (10, 50), (159, 119), (33, 25), (1, 1)):
        record('thumbnail', name, {'args': [list(size)]}, thumbnail(im, size))
    record('thumbnail', name, {'args': [[40, 40]], 'resample': 'lanczos', 'reducingGap': 3.0}, thumbnail(im, (40, 40), R.LANCZOS, 3.0))
    record('thumbnail', name, {'args': [[40, 40]], 'resample': 'bilinear', 'reducingGap': None}, thumbnail(im, (40, 40), R.BILINEAR, None))
    for size in ((64, 64), (50, 10), (10, 50), (45, 33)):
        record('contain', name, {'args': [list(size)]}, contain(im, size))
        record('cover', name, {'args': [list(size)]}, cover(im, size))
        record('fit', name, {'args': [list(size)]}, fit(im, size))
        record('fit', name, {'args': [list(size)], 'bleed': 0.1, 'centering': [0.2, 0.9], 'resample': 'bilinear'},
               fit(im, size, R.BILINEAR, 0.1, (0.2, 0.9)))
        record('pad', name, {'args': [list(size)]}, pad(im, size))
        record('pad', name, {'args': [list(size)], 'centering': [0, 1], 'resample': 'bilinear'},
               pad(im, size, R.BILINEAR, None, (0, 1)))
    for factor in (0.5, 0.37, 1.1):
        record('scale', name, {'args': [factor]}, scale(im, factor))

with open(os.path.join(OUT, 'data.bin'), 'wb') as f:
    f.write(blob)
with open(os.path.join(OUT, 'cases.json'), 'w') as f:
    json.dump({'generator': 'scripts/make-resize-references.py', 'pillow': Image.__version__,
               'sources': sources, 'cases': cases}, f, indent=0)
print(f'{len(cases)} cases, {len(sources)} sources, {len(blob)} bytes')
