#!/usr/bin/python3
"""TIFF fixtures made here, with Pillow's result for each in fixtures/pillow-local-reference.json
(the record shape of make-local-references.py), for what the corpus lacks: compressed files whose
IFD comes before the pixel data (the corpus's compressed files all end with their IFD, so a cut
file loses its IFD and never reaches the strips), made by moving the IFD of a corpus file to the
front. Pillow 9.4's LZW/Deflate/PackBits decoding through libtiff is current Pillow's.
    /usr/bin/python3 scripts/make-tiff-fixtures.py
"""
import hashlib, json, struct
from pathlib import Path
import numpy as np
from PIL import Image

root = Path(__file__).resolve().parent.parent
SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
STRIP_OFFSETS, STRIP_COUNTS = 273, 279


def ifd_first(data: bytes) -> bytes:
    """A little-endian classic TIFF rewritten as header, IFD, out-of-line values, strips."""
    assert data[:4] == b'II*\x00'
    (at,) = struct.unpack_from('<I', data, 4)
    (n,) = struct.unpack_from('<H', data, at)
    entries = [struct.unpack_from('<HHI4s', data, at + 2 + 12 * i) for i in range(n)]
    values = {}
    for tag, typ, count, raw in entries:
        size = SIZES[typ] * count
        values[tag] = data[struct.unpack('<I', raw)[0]:][:size] if size > 4 else raw[:size]
    offsets = struct.unpack(f'<{len(values[STRIP_OFFSETS]) // 4}I', values[STRIP_OFFSETS])
    counts = struct.unpack(f'<{len(values[STRIP_COUNTS]) // 4}I', values[STRIP_COUNTS])
    strips = [data[o:o + c] for o, c in zip(offsets, counts)]
    ifd_size = 2 + 12 * n + 4
    extra_at = 8 + ifd_size
    extras = bytearray()
    places = {}
    for tag, typ, count, raw in entries:
        if len(values[tag]) > 4 or tag == STRIP_OFFSETS:
            places[tag] = extra_at + len(extras)
            extras += values[tag] + b'\0' * (len(values[tag]) & 1)
    strip_at = extra_at + len(extras)
    new_offsets, p = [], strip_at
    for s in strips:
        new_offsets.append(p)
        p += len(s)
    values[STRIP_OFFSETS] = struct.pack(f'<{len(new_offsets)}I', *new_offsets)
    out = bytearray(b'II*\x00' + struct.pack('<I', 8) + struct.pack('<H', n))
    for tag, typ, count, raw in entries:
        v = values[tag]
        if len(v) > 4 or (tag == STRIP_OFFSETS and SIZES[typ] * count > 4):
            out += struct.pack('<HHII', tag, typ, count, places[tag])
            extras[places[tag] - extra_at:places[tag] - extra_at + len(v)] = v
        else:
            out += struct.pack('<HHI', tag, typ, count) + v.ljust(4, b'\0')
    out += struct.pack('<I', 0) + extras
    for s in strips:
        out += s
    return bytes(out)


def record(fixture: str, data: bytes) -> dict:
    path = root / 'fixtures' / fixture
    path.write_bytes(data)
    im = Image.open(path)
    a = np.ascontiguousarray(np.asarray(im))
    p = {'ok': True, 'format': im.format, 'mode': im.mode, 'size': list(im.size), 'n_frames': im.n_frames,
         'array': {'shape': list(a.shape), 'dtype': a.dtype.str, 'sha256': hashlib.sha256(a.tobytes()).hexdigest()}}
    return {'fixture': fixture, 'name': f'local/{fixture}', 'group': 'TIFF', 'pillow': p}


made = {
    'tiff/ifd_first_lzw.tif': ifd_first((root / 'fixtures/tiff/current_tiff_rgb_tiff_lzw.tif').read_bytes()),
    'tiff/ifd_first_deflate.tif': ifd_first((root / 'fixtures/tiff/current_tiff_rgb_tiff_adobe_deflate.tif').read_bytes()),
}
records = [record(k, v) for k, v in made.items()]
local_path = root / 'fixtures/pillow-local-reference.json'
local = json.loads(local_path.read_text())
local['files'] = sorted([r for r in local['files'] if r['fixture'] not in made] + records, key=lambda r: r['fixture'])
local_path.write_text(json.dumps(local, indent=1) + '\n')
print(len(records), 'files')
