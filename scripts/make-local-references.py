#!/usr/bin/python3
"""Fixtures made here, with Pillow's result for each in fixtures/pillow-local-reference.json (the
record shape of pillow-current-reference.json), for cases the public corpus lacks:
- fixtures/png/malformed/: PNG files with the faults Pillow tolerates or rejects in its own way
  (chunks before IHDR, unknown critical chunks, a zlib stream that ends before the last row...);
- fixtures/gbr/: GIMP brushes, versions 1 and 2, L and RGBA;
- fixtures/sgi/: SGI images, raw ones written by Pillow and RLE ones written here (Pillow writes
  no RLE), decoded by current Pillow's SgiImagePlugin.py (as XPM below, on Debian's core);
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

# SGI: uncompressed files written by Pillow, RLE files written here (Pillow writes no RLE)
def sgi_rle(mode, w, h, bpc, rows_of):
    bands = len(mode)
    dim = 1 if mode == 'L' and h == 1 else (2 if mode == 'L' else 3)
    head = struct.pack('>hBBHHHH', 474, 1, bpc, dim, w, h, bands).ljust(512, b'\x00')
    tablen = bands * h
    data = bytearray()
    starts, lengths = [0] * tablen, [0] * tablen
    base = 512 + 8 * tablen
    for c in range(bands):
        for y in range(h):
            samples = rows_of(c, y)  # one row of one channel, in file order (bottom row first)
            enc = bytearray()
            i = 0
            while i < len(samples):
                j = i
                while j + 1 < len(samples) and samples[j + 1] == samples[i] and j - i < 126:
                    j += 1
                if j > i:  # a run
                    enc += (j - i + 1).to_bytes(bpc, 'big') + samples[i].to_bytes(bpc, 'big')
                    i = j + 1
                else:  # a literal of up to 127 samples
                    k = i
                    while k < len(samples) and k - i < 127 and (k + 1 >= len(samples) or samples[k + 1] != samples[k]):
                        k += 1
                    k = max(k, i + 1)
                    enc += (0x80 | (k - i)).to_bytes(bpc, 'big') + b''.join(v.to_bytes(bpc, 'big') for v in samples[i:k])
                    i = k
            enc += (0).to_bytes(bpc, 'big')
            starts[y + c * h] = base + len(data)
            lengths[y + c * h] = len(enc) // bpc if bpc == 2 else len(enc)
            data += enc
    return head + struct.pack(f'>{tablen}I', *starts) + struct.pack(f'>{tablen}I', *lengths) + bytes(data)
made['sgi/rgb_rle.sgi'] = sgi_rle('RGB', 13, 9, 1, lambda c, y: [((x // 3) * 40 + c * 70 + y * 9) & 255 if (x + y) % 5 else rng.randrange(256) for x in range(13)])
made['sgi/la16_rle.sgi'] = sgi_rle('L', 11, 6, 2, lambda c, y: [((x // 2) * 3000 + y * 5000) & 0xffff if x % 4 else rng.randrange(65536) for x in range(11)])
made['sgi/rgba_rle.sgi'] = sgi_rle('RGBA', 7, 5, 1, lambda c, y: [(x * 30 + c * 50 + y) & 255 for x in range(7)])
import io as _io
def pillow_sgi(mode, bpc):
    im = Image.frombytes('RGB', (10, 7), bytes(rng.randrange(256) for _ in range(210))).convert(mode)
    b = _io.BytesIO()
    im.save(b, 'SGI', bpc=bpc)
    return b.getvalue()
made['sgi/l.sgi'] = pillow_sgi('L', 1)
made['sgi/l16.sgi'] = pillow_sgi('L', 2)
made['sgi/rgb.sgi'] = pillow_sgi('RGB', 1)
made['sgi/rgba16.sgi'] = pillow_sgi('RGBA', 2)

import sys, importlib.util, types
from PIL import ImageFile as _IF
if not hasattr(_IF, '_Tile'):  # current plugins build tiles with ImageFile._Tile (Pillow >= 11)
    _IF._Tile = lambda *a: tuple(a)
def record(fixture: str, data: bytes) -> dict:
    """Writes the fixture and returns Pillow's result for it (as the harness reads it)."""
    path = root / 'fixtures' / fixture
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stage = 'open'
    try:
        im = Image.open(path)
        stage = 'load'
        a = np.ascontiguousarray(np.asarray(im))
        p = {'ok': True, 'format': im.format, 'mode': im.mode, 'size': list(im.size), 'n_frames': getattr(im, 'n_frames', 1),
             'array': {'shape': list(a.shape), 'dtype': a.dtype.str, 'sha256': hashlib.sha256(a.tobytes()).hexdigest()}}
    except Exception as e:
        p = {'ok': False, 'stage': stage, 'error': type(e).__name__, 'message': str(e).replace(str(path.parent) + '/', '')}
    return {'fixture': fixture, 'name': f'local/{fixture}', 'group': fixture.split('/')[0].upper(), 'pillow': p}

# 8-bit uncompressed SGI: Debian's own plugin (the same planar raw tiles as current Pillow's; the
# current plugin's tiles do not load on the 9.4 core)
records = [record(k, made.pop(k)) for k in ['sgi/l.sgi', 'sgi/rgb.sgi']]

CURRENT = {'xpm/': ('XpmImagePlugin', 'XpmImageFile'), 'sgi/': ('SgiImagePlugin', 'SgiImageFile')}
if '--pillow-src' in sys.argv:
    src_dir = Path(sys.argv[sys.argv.index('--pillow-src') + 1])
    for plugin, cls in CURRENT.values():
        spec = importlib.util.spec_from_file_location(f'PIL.{plugin}', src_dir / f'{plugin}.py')
        mod = importlib.util.module_from_spec(spec)
        sys.modules[f'PIL.{plugin}'] = mod
        spec.loader.exec_module(mod)  # registers current Pillow's plugin and decoders in place of 9.4's
        klass = getattr(mod, cls)
        def _open_current(self, _open=klass._open):  # current plugins set `_mode`; 9.4's Image keeps `mode` as an attribute
            _open(self)
            self.mode = self._mode
        klass._open = _open_current
else:
    for k in [k for k in made if k.startswith(tuple(CURRENT))]:
        del made[k]
    print('no --pillow-src: the XPM and SGI fixtures and their records are kept as they are')

records += [record(fixture, data) for fixture, data in made.items()]
made.update({r['fixture']: b'' for r in records})
ref_path = root / 'fixtures/pillow-local-reference.json'
if ref_path.exists():  # records of fixtures not made in this run (XPM without --pillow-src) stay
    kept = [r for r in json.loads(ref_path.read_text())['files'] if r['fixture'] not in made]
    records = kept + records
records.sort(key=lambda r: r['fixture'])
(root / 'fixtures/pillow-local-reference.json').write_text(json.dumps({
    'description': "Pillow's result for fixtures made here (scripts/make-local-references.py)", 'pillow': Image.__version__, 'files': records}, indent=1) + '\n')
print(len(records), 'files')
