#!/usr/bin/python3
"""fixtures/png/malformed/: PNG files with the faults Pillow tolerates or rejects in its own way
(chunks before IHDR, unknown critical chunks, a zlib stream that ends before the last row...),
and fixtures/pillow-local-reference.json: Pillow's result for each, in the record shape of
pillow-current-reference.json. Made with Debian's Pillow 9.4, whose PngImagePlugin chunk loop
and ZipDecode.c behave as 12.3's here (both read at the same commit range; see
docs/pillow-versions.md). Run: /usr/bin/python3 scripts/make-malformed-png.py"""
import hashlib, json, struct, zlib
from pathlib import Path
import numpy as np
from PIL import Image

root = Path(__file__).resolve().parent.parent
out = root / 'fixtures/png/malformed'
out.mkdir(parents=True, exist_ok=True)

def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)

w, h = 8, 6
rows = b''.join(b'\x00' + bytes((x * 30 + y * 7) & 255 for x in range(w * 3)) for y in range(h))
row = w * 3 + 1
ihdr = struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)
z = zlib.compress(rows)
files = {
    'text_before_ihdr.png': [(b'tEXt', b'k\x00v'), (b'gAMA', struct.pack('>I', 45455)), (b'IHDR', ihdr), (b'IDAT', z), (b'IEND', b'')],
    'unknown_critical.png': [(b'IHDR', ihdr), (b'ABCD', b'xyz'), (b'IDAT', z), (b'IEND', b'')],
    'trailing_after_stream.png': [(b'IHDR', ihdr), (b'IDAT', z + b'junk'), (b'IEND', b'')],
    'short_stream.png': [(b'IHDR', ihdr), (b'IDAT', zlib.compress(rows[:row * 3])), (b'IEND', b'')],
    'short_stream_midrow.png': [(b'IHDR', ihdr), (b'IDAT', zlib.compress(rows[:row * 3 + 5])), (b'IEND', b'')],
    'no_ihdr.png': [(b'IDAT', z), (b'IEND', b'')],
    'idat_split_by_chunk.png': [(b'IHDR', ihdr), (b'IDAT', z[:20]), (b'tEXt', b'a\x00b'), (b'IDAT', z[20:]), (b'IEND', b'')],
}
records = []
for name, chunks in files.items():
    data = b'\x89PNG\r\n\x1a\n' + b''.join(chunk(t, d) for t, d in chunks)
    (out / name).write_bytes(data)
    stage = 'open'
    try:
        im = Image.open(out / name)
        stage = 'load'
        a = np.ascontiguousarray(np.asarray(im))
        p = {'ok': True, 'format': im.format, 'mode': im.mode, 'size': list(im.size), 'n_frames': getattr(im, 'n_frames', 1),
             'array': {'shape': list(a.shape), 'dtype': a.dtype.str, 'sha256': hashlib.sha256(a.tobytes()).hexdigest()}}
    except Exception as e:
        p = {'ok': False, 'stage': stage, 'error': type(e).__name__, 'message': str(e).replace(str(out) + '/', '')}
    records.append({'fixture': f'png/malformed/{name}', 'name': f'malformed/{name}', 'group': 'PNG', 'pillow': p})
(root / 'fixtures/pillow-local-reference.json').write_text(json.dumps({
    'description': "Pillow's result for fixtures made here (scripts/make-malformed-png.py)", 'pillow': Image.__version__, 'files': records}, indent=1) + '\n')
print(len(records), 'files')
