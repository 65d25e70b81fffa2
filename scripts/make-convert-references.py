#!/usr/bin/python3
"""Pillow references for convert() and the raw encoder (tobytes).

Run with Debian's Pillow 9.4 and numpy (apt-get install python3-pil python3-numpy):
    /usr/bin/python3 scripts/make-convert-references.py
Writes fixtures/convert/*.bin (synthetic sources, packed numpy layout, little-endian) and
fixtures/convert-reference.json. Deterministic. Tests read only these files.

Where current Pillow differs from 9.4, the current rule is computed here with numpy and
marked 'emulated' (RGB + tRNS -> LA; Pillow >= 10 makes the colour transparent). 16-bit
grey PNGs are I in 9.4 and I;16 now: their conversions are recorded from 9.4's I image,
which every kernel involved treats identically for values 0..65535 (i2l / I16L_L clamp,
i2rgb / I16_RGB clamp, I -> I;16 CLIP16).
"""
import hashlib, json, os
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
FIX = os.path.join(ROOT, 'fixtures')
OUT = os.path.join(FIX, 'convert')
os.makedirs(OUT, exist_ok=True)

TARGETS = ['1', '1:none', 'L', 'LA', 'RGB', 'RGBA', 'RGBX', 'CMYK', 'I', 'F', 'I;16']
RAWMODES = ['own', 'RGB', 'RGBA', 'RGBX', 'BGR', 'BGRA', 'BGRX', 'L', 'I;16', 'I;16B', '1', '1;I', '1;R',
            'LA', 'CMYK', 'CMYK;I', 'R', 'A', 'P;1', 'P;2', 'P;4', 'I', 'F', 'L;16', 'XRGB', 'ABGR']
BASES = ['RGB', 'RGBA', 'L', '1', 'I;16', 'I', 'F', 'CMYK', 'LA']


def sha(b):
    return hashlib.sha256(b).hexdigest()


def arr_record(im):
    a = np.asarray(im)
    if a.dtype == bool:
        a = a.astype(np.uint8)
    a = np.ascontiguousarray(a)
    rec = {'mode': im.mode, 'shape': list(a.shape), 'dtype': a.dtype.str, 'sha256': sha(a.tobytes())}
    t = im.info.get('transparency')
    if isinstance(t, bytes):
        rec['transparency'] = 'bytes:' + t.hex()
    elif t is not None:
        rec['transparency'] = list(t) if isinstance(t, tuple) else t
    return rec


def convert(im, target):
    if target == '1:none':
        return im.convert('1', dither=Image.Dither.NONE)
    if target == 'I;16' and Image.getmodebase(im.mode) == 'RGB' and im.mode not in ('P', 'PA'):
        # Current Pillow converts RGB -> I;16 (rgb2i16l: L24 as uint16); 9.4 raises.
        out = Image.frombytes('I;16', im.size, np.asarray(im.convert('L')).astype('<u2').tobytes())
        out.info.update(im.info)
        return out
    return im.convert(target)


def emulate(im, target):
    """Current Pillow's rule where 9.4 differs, or None."""
    t = im.info.get('transparency')
    if im.mode == 'I;16' and target in ('LA', 'RGBA') and isinstance(t, int):
        # Pillow >= 10.3 (I;16 in convert_transparent): I16_RGB clamp, alpha 0 where v == t & 255.
        v = np.minimum(np.asarray(im).astype(np.int64), 255).astype(np.uint8)
        alpha = np.where(v == (t & 255), 0, 255).astype(np.uint8)
        planes = [v, alpha] if target == 'LA' else [v, v, v, alpha]
        rec = arr_record(Image.fromarray(np.dstack(planes), target))
        rec['emulated'] = True
        return rec
    if im.mode == 'RGB' and target == 'LA' and isinstance(t, tuple):
        l = np.asarray(im.convert('L'))
        rgb = np.asarray(im)
        key = np.array([v & 255 for v in t], dtype=np.uint8)
        alpha = np.where((rgb == key).all(axis=2), 0, 255).astype(np.uint8)
        out = Image.fromarray(np.dstack([l, alpha]), 'LA')
        rec = arr_record(out)
        rec['emulated'] = True
        return rec
    return None


def conversions(make):
    """`make()` gives a fresh image: Pillow's P -> LA/RGBA writes tRNS alpha into the source's
    palette (putpalettealpha), which would leak into later conversions of the same image."""
    res = {}
    for target in TARGETS:
        im = make()
        rec = emulate(im, target)
        if rec is None:
            try:
                rec = arr_record(convert(im, target))
            except ValueError as e:
                rec = {'error': str(e)}
        res[target] = rec
    return res


def tobytes_records(im):
    res = {}
    for raw in RAWMODES:
        if raw.startswith('P;') and im.mode != 'P':
            continue  # 9.4 packs LA as P;n; current Pillow has no such packer
        rawmode = im.mode if raw == 'own' else raw
        try:
            res[raw] = {'sha256': sha(im.tobytes('raw', rawmode))}
            continue
        except (ValueError, OSError):
            pass
        for base in BASES:  # imarray's rule: convert to the first base mode that packs it
            try:
                # A fresh image of the converted pixels: Pillow's RGB storage keeps a pad byte
                # that LA -> RGB fills with alpha, and RGB's RGBA/RGBX packers copy it.
                converted = convert(im, base)
                explicit = base if base in ('L', 'LA', 'RGB', 'RGBA', 'CMYK') else None
                data = Image.fromarray(np.asarray(converted), explicit).tobytes('raw', rawmode)
            except (ValueError, OSError):
                continue
            res[raw] = {'sha256': sha(data), 'via': base}
            break
        else:
            res[raw] = {'error': 'no packer'}
    return res


cases = {}

# 1. Every PngSuite file that loads: each target mode.
PNG = os.path.join(FIX, 'png/pngsuite')
for f in sorted(os.listdir(PNG)):
    if not f.endswith('.png') or f.startswith('x'):
        continue
    path = os.path.join(PNG, f)
    try:
        with Image.open(path) as im:
            im.load()
    except Exception:
        continue

    def make(path=path):
        im = Image.open(path)
        im.load()
        return im
    cases['png/pngsuite/' + f] = {'convert': conversions(make)}

# 2. Synthetic sources of every mode, saved as packed little-endian storage.
rng = np.random.default_rng(20261121)
W, H = 61, 37


def save(name, arr):
    path = os.path.join(OUT, name + '.bin')
    with open(path, 'wb') as fh:
        fh.write(np.ascontiguousarray(arr).tobytes())
    return 'convert/' + name + '.bin'


def gradient_noise(bands):
    x = np.linspace(0, 255, W)[None, :, None]
    y = np.linspace(0, 255, H)[:, None, None]
    base = (x * 0.6 + y * 0.4) + rng.normal(0, 40, (H, W, bands))
    return np.clip(base, 0, 255).astype(np.uint8)


def extremes_u8(a):
    a = a.copy()
    a.reshape(-1)[:256] = np.arange(256) % 256 if a.ndim == 2 else a.reshape(-1)[:256]
    return a


synthetic = {}
synthetic['L'] = gradient_noise(1)[:, :, 0]
synthetic['L'].reshape(-1)[:256] = np.arange(256)
synthetic['LA'] = gradient_noise(2)
synthetic['RGB'] = gradient_noise(3)
synthetic['RGBA'] = gradient_noise(4)
synthetic['RGBX'] = gradient_noise(4)
synthetic['CMYK'] = rng.integers(0, 256, (H, W, 4), dtype=np.uint8)
synthetic['1'] = (rng.random((H, W)) > 0.5).astype(np.uint8)
i16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
i16.reshape(-1)[:300] = np.concatenate([np.arange(0, 260), [65535, 256, 257, 511, 512] * 8])
synthetic['I;16'] = i16
i32 = rng.integers(-70000, 70000, (H, W), dtype=np.int32)
i32.reshape(-1)[:8] = [-2147483648, 2147483647, -1, 0, 255, 256, 65535, 65536]
synthetic['I'] = i32
f32 = (rng.normal(128, 120, (H, W))).astype(np.float32)
f32.reshape(-1)[:12] = [-1e10, 1e10, -0.5, 0.5, 254.5, 254.99, 255.0, 255.5, 1.5, -0.0, 3e9, -3e9]
synthetic['F'] = f32
pal_idx = rng.integers(0, 100, (H, W), dtype=np.uint8)
palette = rng.integers(0, 256, 300, dtype=np.uint8)
synthetic['P'] = pal_idx


def pil_image(mode, arr, info=None):
    if mode == '1':
        im = Image.fromarray(arr.astype(bool))
    elif mode == 'P':
        im = Image.fromarray(arr, 'L')
        im = im.convert('P')  # grey palette, replaced below
        im.putpalette(palette.tobytes())
    elif mode == 'I;16':
        im = Image.frombytes('I;16', (W, H), arr.astype('<u2').tobytes())
    elif mode == 'I':
        im = Image.frombytes('I', (W, H), arr.astype('<i4').tobytes())
    elif mode == 'F':
        im = Image.frombytes('F', (W, H), arr.astype('<f4').tobytes())
    else:
        im = Image.frombytes(mode, (W, H), arr.tobytes())
    im.info.update(info or {})
    return im


save('palette', palette)
for mode, arr in synthetic.items():
    name = 'src_' + mode.replace(';', '')
    path = save(name, arr)
    variants = [('', None)]
    if mode in ('L', 'I', 'I;16', '1'):
        variants.append((':trns', {'transparency': int(arr.reshape(-1)[5])}))
    if mode == 'RGB':
        variants.append((':trns', {'transparency': tuple(int(v) for v in arr[0, 5])}))
    if mode == 'P':
        variants.append((':trns', {'transparency': 7}))
        variants.append((':trnsbytes', {'transparency': bytes(range(0, 250, 10))}))
    for suffix, info in variants:
        im = pil_image(mode, arr, info)
        assert im.mode == mode, (im.mode, mode)
        assert np.array_equal(np.asarray(im).astype(arr.dtype) if mode == '1' else np.asarray(im), arr)
        rec = {'source': path, 'mode': mode, 'size': [W, H],
               'convert': conversions(lambda: pil_image(mode, arr, info))}
        if info:
            t = info['transparency']
            rec['transparency'] = 'bytes:' + t.hex() if isinstance(t, bytes) else (list(t) if isinstance(t, tuple) else t)
        else:
            rec['tobytes'] = tobytes_records(im)
        cases['synthetic:' + mode + suffix] = rec

# 3. All 2^24 RGB colours (4096 x 4096).
allrgb = np.arange(1 << 24, dtype=np.uint32)
rgb = np.stack([(allrgb >> 16) & 255, (allrgb >> 8) & 255, allrgb & 255], axis=1).astype(np.uint8)
im = Image.frombytes('RGB', (4096, 4096), rgb.tobytes())
cases['allrgb'] = {t: arr_record(convert(im, t)) for t in ['L', '1:none', 'F', 'I', 'LA', 'CMYK']}
l = np.asarray(im.convert('L')).reshape(-1).astype(np.int64)
r, g, b = (rgb[:, i].astype(np.int64) for i in range(3))
rounded = np.floor((r * 299 + g * 587 + b * 114) / 1000 + 0.5).astype(np.int64)
cases['allrgb']['differs_from_rounded_299_587_114'] = int((l != rounded).sum())

with open(os.path.join(FIX, 'convert-reference.json'), 'w') as fh:
    json.dump(cases, fh, indent=1, sort_keys=True)
print(len(cases), 'cases')
