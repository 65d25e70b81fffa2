#!/usr/bin/python3
"""Fixtures made here, with Pillow's result for each in fixtures/pillow-local-reference.json (the
record shape of pillow-current-reference.json), for cases the public corpus lacks:
- fixtures/png/malformed/: PNG files with the faults Pillow tolerates or rejects in its own way
  (chunks before IHDR, unknown critical chunks, a zlib stream that ends before the last row...);
- fixtures/gbr/: GIMP brushes, versions 1 and 2, L and RGBA;
- fixtures/xpm/: X11 pixmaps (P with 1- and 2-character keys, a transparent key, RGB beyond 256
  colours). Debian's 9.4 reads XPM differently from current Pillow (palette order, one-character
  keys only), so these are decoded by current Pillow's own XpmImagePlugin.py, loaded from a Pillow
  checkout given as `--pillow-src DIR` (its src/PIL) on top of the installed Pillow.
Made with Debian's Pillow 9.4, used only where its code is current Pillow's: PngImagePlugin's chunk
loop and ZipDecode.c, and GbrImagePlugin (the same but for type hints).
Run: /usr/bin/python3 scripts/make-local-references.py --pillow-src ../Pillow/src/PIL"""
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
made = {f'png/malformed/{name}': b'\x89PNG\r\n\x1a\n' + b''.join(chunk(t, d) for t, d in chunks) for name, chunks in files.items()}

# GIMP brushes: header (size, version, width, height, depth[, 'GIMP', spacing]), comment with its NUL, pixels
import random
rng = random.Random(20261128)
def gbr(version, w, h, depth, comment=b'brush'):
    body = bytes(rng.randrange(256) for _ in range(w * h * depth))
    extra = b'GIMP' + struct.pack('>I', 25) if version == 2 else b''
    size = 20 + len(extra) + len(comment) + 1
    return struct.pack('>IIIII', size, version, w, h, depth) + extra + comment + b'\x00' + body
made['gbr/brush_v1_l.gbr'] = gbr(1, 7, 5, 1)
made['gbr/brush_v2_l.gbr'] = gbr(2, 9, 4, 1, b'v2 grey')
made['gbr/brush_v2_rgba.gbr'] = gbr(2, 6, 6, 4, b'v2 colour')

# X11 pixmaps
def xpm(w, h, colours, rows, bpp):
    head = f'/* XPM */\nstatic char *x[] = {{\n/* columns rows colors chars-per-pixel */\n"{w} {h} {len(colours)} {bpp} ",\n'
    cols = ''.join(f'"{k} c {v}",\n' for k, v in colours)
    px = '/* pixels */\n' + ''.join(f'"{r}",\n' for r in rows)
    return (head + cols + px + '};\n').encode('latin-1')
made['xpm/colours.xpm'] = xpm(4, 3, [('.', '#ff0000'), ('#', '#00ff00'), ('+', '#0000FF'), (' ', 'None')], ['.#+.', '++##', '#..+'], 1)
keys2 = [chr(33 + i // 40) + chr(48 + i % 40) for i in range(40)]
made['xpm/two_chars.xpm'] = xpm(5, 4, [(k, '#%06x' % (i * 0x061a2b & 0xffffff)) for i, k in enumerate(keys2)], [''.join(keys2[(x * 7 + y * 3) % 40] for x in range(5)) for y in range(4)], 2)
keys3 = [chr(35 + i // 90) + chr(35 + i % 90) for i in range(300)]
keys3 = [k.replace('"', '!').replace('\\', '~') for k in keys3]
keys3 = list(dict.fromkeys(keys3))
made['xpm/many_colours.xpm'] = xpm(6, 5, [(k, '#%06x' % (i * 0x0a1b2c & 0xffffff)) for i, k in enumerate(keys3)], [''.join(keys3[(x * 31 + y * 17) % len(keys3)] for x in range(6)) for y in range(5)], 2)

import sys, importlib.util, types
from PIL import ImageFile as _IF
if not hasattr(_IF, '_Tile'):  # current plugins build tiles with ImageFile._Tile (Pillow >= 11)
    _IF._Tile = lambda *a: tuple(a)
if '--pillow-src' in sys.argv:
    src_dir = Path(sys.argv[sys.argv.index('--pillow-src') + 1])
    spec = importlib.util.spec_from_file_location('PIL.XpmImagePlugin', src_dir / 'XpmImagePlugin.py')
    mod = importlib.util.module_from_spec(spec)
    sys.modules['PIL.XpmImagePlugin'] = mod
    spec.loader.exec_module(mod)  # registers current Pillow's XPM plugin and decoder in place of 9.4's
    _open = mod.XpmImageFile._open
    def _open_current(self):  # current plugins set `_mode`; 9.4's Image keeps `mode` as a plain attribute
        _open(self)
        self.mode = self._mode
    mod.XpmImageFile._open = _open_current
else:
    for k in [k for k in made if k.startswith('xpm/')]:
        del made[k]
    print('no --pillow-src: the XPM fixtures and their records are kept as they are')

records = []
for fixture, data in made.items():
    path = root / 'fixtures' / fixture
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    name = fixture.split('/')[-1]
    stage = 'open'
    try:
        im = Image.open(path)
        stage = 'load'
        a = np.ascontiguousarray(np.asarray(im))
        p = {'ok': True, 'format': im.format, 'mode': im.mode, 'size': list(im.size), 'n_frames': getattr(im, 'n_frames', 1),
             'array': {'shape': list(a.shape), 'dtype': a.dtype.str, 'sha256': hashlib.sha256(a.tobytes()).hexdigest()}}
    except Exception as e:
        p = {'ok': False, 'stage': stage, 'error': type(e).__name__, 'message': str(e).replace(str(path.parent) + '/', '')}
    records.append({'fixture': fixture, 'name': f'local/{fixture}', 'group': fixture.split('/')[0].upper(), 'pillow': p})
ref_path = root / 'fixtures/pillow-local-reference.json'
if ref_path.exists():  # records of fixtures not made in this run (XPM without --pillow-src) stay
    kept = [r for r in json.loads(ref_path.read_text())['files'] if r['fixture'] not in made]
    records = kept + records
records.sort(key=lambda r: r['fixture'])
(root / 'fixtures/pillow-local-reference.json').write_text(json.dumps({
    'description': "Pillow's result for fixtures made here (scripts/make-local-references.py)", 'pillow': Image.__version__, 'files': records}, indent=1) + '\n')
print(len(records), 'files')
