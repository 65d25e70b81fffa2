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


# ---- PNG ------------------------------------------------------------------------------
PNGS = sorted(f for f in os.listdir(os.path.join(FIX, 'png/pngsuite')) if f.endswith('.png'))

# 6. P images: convert('RGB') and convert('RGBA') (tRNS applied).
for f in PNGS:
    name = 'png/pngsuite/' + f
    try:
        im = Image.open(os.path.join(FIX, name))
        im.load()
    except Exception:
        continue
    if im.mode == 'P':
        cases[f'convert:RGB:{name}'] = arr_record(im.convert('RGB'))
        cases[f'convert:RGBA:{name}'] = arr_record(im.convert('RGBA'))

# 7. LOAD_TRUNCATED_IMAGES on PNGs cut inside the image data (missing rows are 0).
def cut_png(src, frac):
    data = open(os.path.join(FIX, src), 'rb').read()
    return data[:int(len(data) * frac)]

ImageFile.LOAD_TRUNCATED_IMAGES = True
for src, frac in [('png/pngsuite/basn6a08.png', 0.6), ('png/pngsuite/basi6a08.png', 0.6),
                  ('png/pngsuite/basn0g16.png', 0.5), ('png/pngsuite/basi3p02.png', 0.7)]:
    name = write(os.path.basename(src).replace('.png', f'_cut{int(frac * 100)}.png'), cut_png(src, frac))
    with Image.open(os.path.join(FIX, name)) as im:
        cases[f'load_truncated:{name}'] = arr_record(im)
ImageFile.LOAD_TRUNCATED_IMAGES = False

# 8. APNG: frames composited by Pillow's reader, for each disposal / blend and several modes.
#    Pillow 9.4's writer cannot write every combination, so the chunks are assembled here:
#    each frame's bbox region is encoded by Pillow, its IDAT data becomes fdAT.
import struct, zlib


def chunk(cid, data):
    return struct.pack('>I', len(data)) + cid + data + struct.pack('>I', zlib.crc32(cid + data) & 0xffffffff)


def png_chunks(im):
    buf = io.BytesIO()
    im.save(buf, 'PNG')
    data, out, p = buf.getvalue(), [], 8
    while p < len(data):
        n = struct.unpack('>I', data[p:p + 4])[0]
        out.append((data[p + 4:p + 8], data[p + 8:p + 8 + n]))
        p += 12 + n
    return out


def write_apng(frames, boxes, disposal, blend, default_image=False, transparency=None):
    first = png_chunks(frames[0])
    out = [b'\x89PNG\r\n\x1a\n', chunk(b'IHDR', first[0][1])]
    for cid, d in first:
        if cid == b'PLTE':
            out.append(chunk(cid, d))
    if transparency is not None:
        out.append(chunk(b'tRNS', transparency))
    out.append(chunk(b'acTL', struct.pack('>II', len(frames) - (1 if default_image else 0), 0)))
    seq = 0
    for k, (im, box) in enumerate(zip(frames, boxes)):
        region = im.crop(box)
        idat = b''.join(d for cid, d in png_chunks(region) if cid == b'IDAT')
        if not (default_image and k == 0):
            x0, y0, x1, y1 = box
            out.append(chunk(b'fcTL', struct.pack('>IIIIIHHBB', seq, x1 - x0, y1 - y0, x0, y0, 1 + k, 10,
                                                  disposal[k], blend[k])))
            seq += 1
        if k == 0:
            out.append(chunk(b'IDAT', idat))
        else:
            out.append(chunk(b'fdAT', struct.pack('>I', seq) + idat))
            seq += 1
    out.append(chunk(b'IEND', b''))
    return b''.join(out)


def apng_frames(mode, n=4, size=(24, 18)):
    frames = []
    for k in range(n):
        a = np.zeros((size[1], size[0], 4), np.uint8)
        a[..., 0] = (np.arange(size[0]) * 10 + k * 40) % 256
        a[..., 1] = (np.arange(size[1])[:, None] * 13 + k * 20) % 256
        a[..., 2] = 128
        a[..., 3] = 255
        y0, x0 = 2 + k * 3, 3 + k * 4
        a[y0:y0 + 6, x0:x0 + 7, 3] = (60 * k + 30) % 256   # a translucent patch
        a[(k + 1) % size[1], :, 3] = 0                     # a transparent row
        frames.append(Image.fromarray(a, 'RGBA'))
    if mode == 'P':
        pal = frames[0].convert('RGB').quantize(16)
        return [f.convert('RGB').quantize(palette=pal) for f in frames]
    return [f if mode == 'RGBA' else f.convert(mode) for f in frames]


BOXES = [(0, 0, 24, 18), (2, 1, 20, 15), (5, 4, 24, 18), (0, 6, 11, 18)]
apngs = []
for mode in ['RGBA', 'RGB', 'L', 'LA', 'P']:
    for d in [0, 1, 2]:
        for b in [0, 1]:
            apngs.append((f'apng_{mode}_d{d}_b{b}.png', mode, [d] * 4, [b] * 4, {}))
apngs.append(('apng_RGBA_mixed.png', 'RGBA', [0, 2, 1, 2], [1, 0, 1, 1], {}))
apngs.append(('apng_RGBA_default_image.png', 'RGBA', [1, 1, 1, 1], [1, 1, 1, 1], {'default_image': True}))
apngs.append(('apng_P_trns_index.png', 'P', [2, 0, 1, 0], [1, 1, 1, 1], {'transparency': b'\xff\xff\x00' + b'\xff' * 13}))
apngs.append(('apng_P_trns_alphas.png', 'P', [0, 1, 2, 0], [1, 1, 1, 1], {'transparency': bytes(range(0, 256, 16))}))
apngs.append(('apng_RGB_trns.png', 'RGB', [0, 0, 1, 0], [1, 1, 1, 1], {'transparency': struct.pack('>HHH', 0, 20, 128)}))
# Pillow >= 10 applies tRNS to the OVER mask (putpalettealpha / convert_transparent); 9.4
# used updated.convert("RGBA") alone. imarray follows current Pillow, so 9.4's load_end is
# patched with the current rule (Pillow's own C paste and convert still do the work).
import inspect, textwrap
from PIL import PngImagePlugin


def _current_mask(self, updated):
    if self.im.mode == 'RGB' and 'transparency' in self.info:
        return updated.convert_transparent('RGBA', self.info['transparency'])
    if self.im.mode == 'P' and 'transparency' in self.info:
        t = self.info['transparency']
        if isinstance(t, bytes):
            updated.putpalettealphas(t)
        elif isinstance(t, int):
            updated.putpalettealpha(t)
    return updated.convert('RGBA')


src = textwrap.dedent(inspect.getsource(PngImagePlugin.PngImageFile.load_end))
assert 'updated, self.dispose_extent, updated.convert("RGBA")' in src
src = src.replace('updated, self.dispose_extent, updated.convert("RGBA")',
                  'updated, self.dispose_extent, _current_mask(self, updated)')
src = src.replace('self.__', 'self._PngImageFile__')  # private names, as the class body mangles them
ns = dict(vars(PngImagePlugin), _current_mask=_current_mask)
exec(src, ns)
PngImagePlugin.PngImageFile.load_end = ns['load_end']

for fname, mode, disposal, blend, kw in apngs:
    frames = apng_frames(mode)
    boxes = BOXES if not kw.get('default_image') else [BOXES[0]] + BOXES[1:]
    name = write(fname, write_apng(frames, boxes, disposal, blend, **kw))
    with Image.open(os.path.join(FIX, name)) as im:
        rec = {'n_frames': im.n_frames, 'frames': []}
        for i in range(im.n_frames):
            im.seek(i)
            r = arr_record(im)
            r['info'] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in im.info.items()
                         if k in ('bbox', 'duration', 'disposal', 'blend', 'loop', 'default_image')}
            rec['frames'].append(r)
        im.seek(1)  # back from the last frame: rewinds and composites again
        rec['reseek1'] = arr_record(im)['sha256']
    cases[f'apng:{name}'] = rec

# Pillow's whole array for the corrupt-scan JPEG: the decoders' results differ there by platform
# (SIMD IDCT on out-of-range coefficients) and by back-end, so tests bound the difference.
import gzip
with Image.open(os.path.join(FIX, 'jpeg/hopper_bad_exif.jpg')) as im:
    a = np.asarray(im)
    with open(os.path.join(FIX, 'extra/hopper_bad_exif.pillow-L.u8.gz'), 'wb') as f:
        f.write(gzip.compress(a.tobytes(), mtime=0))
    cases['array:jpeg/hopper_bad_exif.jpg'] = arr_record(im)

out = {'generator': 'scripts/make-references.py', 'pillow': Image.__version__,
       'numpy': np.__version__, 'cases': cases}
with open(os.path.join(FIX, 'extra-reference.json'), 'w') as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write('\n')
print(f'{len(cases)} cases written with Pillow {Image.__version__}')
