#!/usr/bin/python3
"""fixtures/unpack-reference.json: Pillow's unpacker for every (mode, rawmode) pair of
src/pixels/unpack.ts, on one seeded row of 37 pixels: Image.frombytes(mode, (37, 1), row,
'raw', rawmode), the numpy array as a flat list (mode 1 as 0/1). Run with Debian's Pillow:
npm run references."""
import json, random, re, sys
from pathlib import Path
import numpy as np
from PIL import Image

root = Path(__file__).resolve().parent.parent
src = (root / 'src/pixels/unpack.ts').read_text()
pairs = re.findall(r"^\s*'([^' ]+) ([^']+)': \{ bits: (\d+)", src, re.M)
W = 37
out = {}
for mode, rawmode, bits in pairs:
    rng = random.Random(f'{mode} {rawmode}')
    nbytes = (int(bits) * W + 7) // 8
    row = bytes(rng.randrange(256) for _ in range(nbytes))
    if rawmode in ('F', 'F;32F', 'F;32BF'):  # finite floats only (NaN payloads are not comparable)
        arr = np.array([rng.uniform(-1e6, 1e6) for _ in range(W)], dtype='<f4' if rawmode != 'F;32BF' else '>f4')
        row = arr.tobytes()
    try:
        im = Image.frombytes(mode, (W, 1), row, 'raw', rawmode)
    except Exception as e:  # Pillow has no such unpacker: recorded, the test expects ours to exist anyway
        out[f'{mode} {rawmode}'] = {'input': row.hex(), 'error': f'{type(e).__name__}: {e}'}
        continue
    a = np.asarray(im)
    if mode == '1':
        a = a.astype(np.uint8)
    out[f'{mode} {rawmode}'] = {'input': row.hex(), 'output': a.reshape(-1).tolist()}
(root / 'fixtures/unpack-reference.json').write_text(json.dumps({'pillow': Image.__version__, 'width': W, 'cases': out}, indent=0) + '\n')
print(len(out), 'pairs;', sum('error' in v for v in out.values()), 'without a Pillow unpacker')
