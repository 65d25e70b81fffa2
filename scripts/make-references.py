#!/usr/bin/python3
"""Pillow references for behaviour the shared corpus does not record.

Run with Debian's Pillow 9.4 and numpy (apt-get install python3-pil python3-numpy):
    /usr/bin/python3 scripts/make-references.py
Writes fixtures/extra/*.jpg|png (derived test files) and fixtures/extra-reference.json.
Deterministic: two runs give identical output. Tests read only the JSON; Python is never
needed at test time.
"""
import hashlib, io, json, os, sys
import numpy as np
from PIL import Image, ImageFile, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
FIX = os.path.join(ROOT, 'fixtures')
EXTRA = os.path.join(FIX, 'extra')
os.makedirs(EXTRA, exist_ok=True)


def arr_record(im):
    a = np.asarray(im)
    if a.dtype == bool:
        a = a.astype(np.uint8)  # imarray stores mode 1 as 0/1
    a = np.ascontiguousarray(a)
    return {'mode': im.mode, 'size': list(im.size), 'shape': list(a.shape), 'dtype': a.dtype.str,
            'sha256': hashlib.sha256(a.tobytes()).hexdigest()}


def segments(data):
    """JPEG marker segments up to SOS: (offset, marker, length incl. marker)."""
    out, p = [], 2
    while p < len(data) and data[p] == 0xFF:
        m = data[p + 1]
        if m == 0xDA:
            break
        n = int.from_bytes(data[p + 2:p + 4], 'big')
        out.append((p, m, n + 2))
        p += n + 2
    return out


def strip(data, pred):
    """`data` without the header segments for which pred(marker, payload) is true."""
    out, last = bytearray(data[:2]), 2
    for off, m, n in segments(data):
        if pred(m, data[off + 4:off + n]):
            out += data[last:off]
            last = off + n
    out += data[last:]
    return bytes(out)


def write(name, data):
    with open(os.path.join(EXTRA, name), 'wb') as f:
        f.write(data)
    return 'extra/' + name


cases = {}

# 1. ImageOps.exif_transpose for every orientation.
for n in range(2, 9):
    name = f'jpeg/hopper_orientation_{n}.jpg'
    with Image.open(os.path.join(FIX, name)) as im:
        cases[f'exif_transpose:{name}'] = arr_record(ImageOps.exif_transpose(im))
with Image.open(os.path.join(FIX, 'jpeg/orientation_rectangle.jpg')) as im:
    cases['exif_transpose:jpeg/orientation_rectangle.jpg'] = arr_record(ImageOps.exif_transpose(im))

# 2. Pillow.transpose methods on a non-square image.
with Image.open(os.path.join(FIX, 'jpeg/flower.jpg')) as im:
    im.load()
    for method in range(7):
        cases[f'transpose:{method}:jpeg/flower.jpg'] = arr_record(im.transpose(method))

# 3. 4-component JPEG without an Adobe APP14 marker (Pillow still inverts: rawmode CMYK;I).
src = open(os.path.join(FIX, 'jpeg/pil_sample_cmyk.jpg'), 'rb').read()
name = write('cmyk_no_adobe.jpg', strip(src, lambda m, s: m == 0xEE))
with Image.open(os.path.join(FIX, name)) as im:
    assert 'adobe' not in im.info
    cases[f'open:{name}'] = arr_record(im)

# 4. Pixels of truncated_exif_dpi.jpg: Pillow 9.4 refuses the file at open (its EXIF dpi
#    read raises), current Pillow opens it with dpi (72, 72). Same scan, EXIF removed:
src = open(os.path.join(FIX, 'jpeg/truncated_exif_dpi.jpg'), 'rb').read()
name = write('truncated_exif_dpi_noexif.jpg', strip(src, lambda m, s: m == 0xE1))
with Image.open(os.path.join(FIX, name)) as im:
    cases['open:jpeg/truncated_exif_dpi.jpg'] = arr_record(im)

# 5. LOAD_TRUNCATED_IMAGES results.
ImageFile.LOAD_TRUNCATED_IMAGES = True
for name in ['jpeg/truncated_jpeg.jpg']:
    with Image.open(os.path.join(FIX, name)) as im:
        cases[f'load_truncated:{name}'] = arr_record(im)
src = open(os.path.join(FIX, 'jpeg/flower.jpg'), 'rb').read()
name = write('flower_cut_60pct.jpg', src[:len(src) * 6 // 10])
with Image.open(os.path.join(FIX, name)) as im:
    cases[f'load_truncated:{name}'] = arr_record(im)
ImageFile.LOAD_TRUNCATED_IMAGES = False

out = {'generator': 'scripts/make-references.py', 'pillow': Image.__version__,
       'numpy': np.__version__, 'cases': cases}
with open(os.path.join(FIX, 'extra-reference.json'), 'w') as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write('\n')
print(f'{len(cases)} cases written with Pillow {Image.__version__}')
