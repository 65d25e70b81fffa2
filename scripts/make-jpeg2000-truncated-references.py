#!/usr/bin/env python3
"""Pillow's JPEG 2000 results on cut files, with and without LOAD_TRUNCATED_IMAGES, into
fixtures/jpeg2000-truncated-reference.json (test/codecs/jpeg2000/native.test.ts).

Pillow's JPEG 2000 decoder pulls the whole file through OpenJPEG tile by tile: a failure is
"broken data stream", and with LOAD_TRUNCATED_IMAGES the tiles decoded before it are kept (the
rest stays zero). Made with Debian's Pillow 9.4 on Debian's OpenJPEG 2.5.0, the library imarray's
native back-end is built from; 9.4's Jpeg2KDecode.c decodes these files as current Pillow's does
(their full arrays equal Pillow 12.3's in fixtures/pillow-current-reference.json).

    /usr/bin/python3 scripts/make-jpeg2000-truncated-references.py
"""
import hashlib
import io
import json
import os

import numpy as np
from PIL import Image, ImageFile, features

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
CASES = [
    ('jpeg2000/test-card-lossy-tiled.jp2', [0.3, 0.7, 0.8, 0.85, 0.9, 0.95]),
    ('jpeg2000/current_j2k_rgb.j2k', [0.5, 0.99]),
    ('jpeg2000/rgb_trns_ycbc.jp2', [0.5]),
    ('jpeg2000/current_jp2_i16.jp2', [0.6]),
    ('jpeg2000/balloon_eciRGBv2_aware.jp2', [1.0]),
]


def result(data: bytes, load_truncated: bool) -> dict:
    ImageFile.LOAD_TRUNCATED_IMAGES = load_truncated
    try:
        im = Image.open(io.BytesIO(data))
        a = np.asarray(im)
    except Exception as e:  # noqa: BLE001 - the class and message are the record
        return {'ok': False, 'error': type(e).__name__, 'message': str(e)}
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    return {'ok': True, 'mode': im.mode, 'shape': list(a.shape), 'sha256': hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}


def main() -> None:
    cases = []
    for name, fractions in CASES:
        data = open(os.path.join(ROOT, 'fixtures', name), 'rb').read()
        for f in fractions:
            n = int(len(data) * f)
            cases.append({'fixture': name, 'bytes': n, 'strict': result(data[:n], False), 'loadTruncated': result(data[:n], True)})
    out = {'pillow': Image.__version__, 'openjpeg': features.version('jpg_2000'), 'cases': cases}
    with open(os.path.join(ROOT, 'fixtures', 'jpeg2000-truncated-reference.json'), 'w') as fh:
        json.dump(out, fh, indent=1)
        fh.write('\n')
    print(f'{len(cases)} cases')


if __name__ == '__main__':
    main()
