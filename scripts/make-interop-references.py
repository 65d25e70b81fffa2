#!/usr/bin/python3
"""Interop references with Debian's Pillow 9.4 + numpy (npm run references):
- fixtures/interop-reference.json: Image.fromarray's mode (or error) for a dtype x shape grid;
- fixtures/npy/*.npy: files written by np.save (C and Fortran order, several dtypes), with the
  sha256 of each array's C-order bytes, so tests check fromNpy against numpy and toNpy
  byte-for-byte against np.save."""
import hashlib, json, os
import numpy as np
from PIL import Image

FIX = os.path.join(os.path.dirname(__file__), '..', 'fixtures')
os.makedirs(os.path.join(FIX, 'npy'), exist_ok=True)
rng = np.random.default_rng(5)

fromarray = {}
for dtype in ['uint8', 'int8', 'uint16', 'int16', 'int32', 'uint32', 'float32', 'float64', 'bool']:
    for shape in [(3, 5), (3, 5, 1), (3, 5, 2), (3, 5, 3), (3, 5, 4), (3, 5, 5)]:
        a = np.zeros(shape, dtype=dtype)
        try:
            fromarray[f'{dtype}:{"x".join(map(str, shape))}'] = Image.fromarray(a).mode
        except Exception as e:
            fromarray[f'{dtype}:{"x".join(map(str, shape))}'] = f'error: {type(e).__name__}'

npy = {}
def save(name, a):
    np.save(os.path.join(FIX, 'npy', name + '.npy'), a)
    c = np.ascontiguousarray(a)
    npy[name] = {'dtype': c.dtype.str, 'shape': list(c.shape), 'sha256': hashlib.sha256(c.tobytes()).hexdigest(),
                 'fortran': bool(a.flags.f_contiguous and not a.flags.c_contiguous)}

save('u8_rgb', rng.integers(0, 256, (7, 5, 3), dtype=np.uint8))
save('u16_gray', rng.integers(0, 65536, (6, 9), dtype=np.uint16))
save('i32', rng.integers(-2**31, 2**31 - 1, (4, 3), dtype=np.int32))
save('f32_chw', rng.standard_normal((3, 4, 5)).astype(np.float32))
save('f64', rng.standard_normal((5,)))
save('bool', rng.integers(0, 2, (4, 6)).astype(bool))
save('u8_fortran', np.asfortranarray(rng.integers(0, 256, (5, 7), dtype=np.uint8)))
save('i16_scalar_shape', np.arange(24, dtype=np.int16).reshape(2, 3, 4))
save('empty', np.zeros((0, 3), dtype=np.uint8))

# Pillow's JPEG defaults (quality 75, 4:2:0): the pixels of a re-encode, decoded again
import io
encoded = {}
for name in ['jpeg/hopper.jpg', 'png/pngsuite/basn2c08.png', 'png/pngsuite/basn0g08.png']:
    buf = io.BytesIO()
    Image.open(os.path.join(FIX, name)).save(buf, 'JPEG')
    buf.seek(0)
    encoded[name] = hashlib.sha256(np.asarray(Image.open(buf)).tobytes()).hexdigest()

with open(os.path.join(FIX, 'interop-reference.json'), 'w') as f:
    json.dump({'generator': 'scripts/make-interop-references.py', 'pillow': Image.__version__, 'numpy': np.__version__,
               'fromarray': fromarray, 'npy': npy, 'jpeg_q75': encoded}, f, indent=1, sort_keys=True)
    f.write('\n')
print(f'{len(fromarray)} fromarray cases, {len(npy)} npy files (Pillow {Image.__version__}, numpy {np.__version__})')
