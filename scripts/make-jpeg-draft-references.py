#!/usr/bin/python3
"""Pillow's JPEG draft() on the JPEG fixtures: what draft(mode, size) returns, the size and mode
it leaves, and the loaded array's hash, for requests that reach every DCT scale (1/1, 1/2, 1/4,
1/8), L and YCbCr drafted from RGB files, grey, CMYK, progressive, arithmetic-coded and 4:4:4
files, odd sizes (rounded up as libjpeg rounds), a second call (ignored), and MPO frame 0.
Debian's Pillow 9.4 uses libjpeg-turbo 2.1.5 (as imarray's prebuilt decoder) and its draft code
is current Pillow's (JpegImagePlugin.draft, decoderconfig (scale, 0): ISLOW, fancy upsampling).
    /usr/bin/python3 scripts/make-jpeg-draft-references.py
Writes fixtures/jpeg-draft-reference.json.
"""
import hashlib, json
from pathlib import Path
from PIL import Image
import numpy as np

root = Path(__file__).resolve().parent.parent
FILES = ['hopper.jpg', 'hopper_gray.jpg', 'pil_sample_cmyk.jpg', 'pil_sample_rgb.jpg', 'testimgint.jpg',
         'testimgari.jpg', 'testorig.jpg', 'flower.jpg', 'orientation_rectangle.jpg', 'frame_size.mpo',
         'hopper_orientation_6.jpg']


def requests(w, h):
    yield None, None
    for div in (1, 2, 3, 4, 5, 8, 9, 16):
        yield None, (max(1, w // div), max(1, h // div))
    yield 'L', None
    yield 'L', (max(1, w // 4), max(1, h // 4))
    yield 'YCbCr', None
    yield 'YCbCr', (max(1, w // 2), max(1, h // 2))
    yield 'RGB', (max(1, w // 8), max(1, h // 8))
    yield None, (w // 2 + 1, max(1, h // 3))
    yield None, (w * 2, h * 2)


records = []
for name in FILES:
    path = root / 'fixtures/jpeg' / name
    with Image.open(path) as probe:
        w, h = probe.size
    for mode, size in requests(w, h):
        with Image.open(path) as im:
            r = im.draft(mode, size)
            second = im.draft('L', (1, 1))  # a second call: Pillow ignores it
            a = np.asarray(im)
            records.append({
                'file': f'jpeg/{name}', 'mode': mode, 'size': list(size) if size else None,
                'result': None if r is None else [r[0], list(r[1])], 'second': None if second is None else [second[0], list(second[1])],
                'image': {'mode': im.mode, 'size': list(im.size)},
                'array': {'shape': list(a.shape), 'sha256': hashlib.sha256(a.tobytes()).hexdigest()},
            })
# draft after load: nothing (Pillow's tile is gone)
with Image.open(root / 'fixtures/jpeg/hopper.jpg') as im:
    im.load()
    after = im.draft('L', (16, 16))
out = {'pillow': Image.__version__, 'records': records, 'afterLoad': after}
(root / 'fixtures/jpeg-draft-reference.json').write_text(json.dumps(out, indent=1) + '\n')
print(len(records), 'records')
