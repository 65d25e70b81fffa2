#!/usr/bin/python3
"""PSD layers as Pillow gives them through seek(2..n) and then seek(1) (the corpus records stop at
Pillow's seek(0) EOFError), for the PSD fixtures and for synthetic files this script writes to
fixtures/psd/layers/ (grey, RGB and RGBA layers in boxes smaller than the canvas, raw and
PackBits channels, a cut composite). Pillow 9.4 misreads records after one with more than four
channels (current Pillow skips them; the corpus's five_channels.psd covers that), so none here.

Run with Debian's Pillow 9.4 (apt-get install python3-pil), whose PsdImagePlugin reads layers as
current Pillow's does (layer-block offsets read as file offsets, rows of PackBits never spanning
rows); current Pillow also reuses the previous frame's memory outside a layer's box, which
imarray does not copy (docs/pillow-versions.md), so layers are sought from a fresh open:
    /usr/bin/python3 scripts/make-psd-layer-references.py
Writes fixtures/psd-layers-reference.json, and the synthetic files' composite records (the shape
of make-local-references.py's) into fixtures/pillow-local-reference.json for the conformance harness.
"""
import hashlib, json, struct
from pathlib import Path
from PIL import Image, ImageFile
import numpy as np

root = Path(__file__).resolve().parent.parent
layers_dir = root / 'fixtures/psd/layers'
layers_dir.mkdir(exist_ok=True)


def packbits_row(row):
    out = bytearray()
    i = 0
    while i < len(row):
        j = i
        while j < len(row) and j - i < 128 and row[j] == row[i]:
            j += 1
        if j - i >= 3:
            out += bytes([257 - (j - i), row[i]])
            i = j
        else:
            k = min(len(row), i + 128)
            out += bytes([k - i - 1]) + bytes(row[i:k])
            i = k
    return bytes(out)


def psd(width, height, composite, layers, cut=None):
    """composite: list of 3 or 4 planes (bytes) stored raw; layers: (box, [(channel id, plane, packbits)])."""
    head = b'8BPS' + struct.pack('>H6xHIIHH', 1, len(composite), height, width, 8, 3)
    records = bytearray()
    data = bytearray()
    for (x0, y0, x1, y1), channels in layers:
        rows = y1 - y0
        records += struct.pack('>iiiiH', y0, x0, y1, x1, len(channels))
        for cid, plane, packed in channels:
            if packed:
                w = len(plane) // rows
                packed_rows = [packbits_row(plane[r * w:(r + 1) * w]) for r in range(rows)]
                if sum(map(len, packed_rows)) & 1:
                    packed_rows[-1] += b'\x80'  # a no-op byte: Pillow pads channel data to even offsets
                body = struct.pack('>H', 1) + b''.join(struct.pack('>H', len(p)) for p in packed_rows) + b''.join(packed_rows)
            else:
                body = struct.pack('>H', 0) + plane
            records += struct.pack('>HI', cid, len(body))
            data += body
        name = f'layer{len(records)}'.encode()
        extra = struct.pack('>II', 0, 0) + bytes([len(name)]) + name
        extra += b'\0' * (len(extra) & 1)
        records += b'8BIMnorm' + bytes([255, 0, 0, 0]) + struct.pack('>I', len(extra)) + extra
    info = struct.pack('>h', len(layers)) + records + data
    if len(info) & 1:
        info += b'\0'
    block = struct.pack('>I', len(info)) + info
    body = head + struct.pack('>II', 0, 0) + struct.pack('>I', len(block)) + block + struct.pack('>H', 0) + b''.join(composite)
    return body[:cut] if cut else body


rng = np.random.default_rng(7)
def plane(n, smooth=False):
    if smooth:
        return bytes((np.arange(n) // 3 % 256).astype(np.uint8))
    return bytes(rng.integers(0, 256, n, dtype=np.uint8))


W, H = 12, 9
comp = [plane(W * H) for _ in range(3)]
files = {
    'boxes.psd': psd(W, H, comp, [
        ((2, 1, 9, 7), [(0, plane(7 * 6), False)]),
        ((0, 0, W, H), [(0, plane(W * H, True), True), (1, plane(W * H), False), (2, plane(W * H, True), True)]),
        ((3, 2, 9, 9), [(65535, plane(6 * 7), True), (0, plane(6 * 7), False), (1, plane(6 * 7, True), True), (2, plane(6 * 7), False)]),
        ((4, 3, 10, 8), [(2, plane(30), False), (1, plane(30, True), True), (0, plane(30), False)]),
    ]),
}
files['boxes_cut.psd'] = files['boxes.psd'][:-40]
for name, data in files.items():
    (layers_dir / name).write_bytes(data)

out = {}
paths = sorted((root / 'fixtures/psd').glob('*.psd')) + sorted(layers_dir.glob('*.psd'))
for path in paths:
    key = str(path.relative_to(root / 'fixtures'))
    for truncated in (False, True):
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
        try:
            im = Image.open(path)
            n = im.n_frames
        except Exception as e:
            if not truncated:
                out[key] = {'open_error': type(e).__name__}
            break
        try:
            a = np.asarray(im)
            composite = {'mode': im.mode, 'shape': list(a.shape), 'sha256': hashlib.sha256(a.tobytes()).hexdigest()}
        except Exception as e:
            composite = {'error': type(e).__name__, 'message': str(e)[:120]}
        out.setdefault(key, {'n_frames': n})['composite_truncated' if truncated else 'composite'] = composite
        frames = []
        for i in list(range(2, n + 1)) + ([1] if n > 1 else []):
            try:
                im = Image.open(path)
                try:
                    im.load()  # the composite first; a failure here leaves what was decoded
                except OSError:
                    pass
                if i == 1:
                    im.seek(2)
                im.seek(i)
                a = np.asarray(im)
                frames.append({'frame': i, 'mode': im.mode, 'shape': list(a.shape), 'sha256': hashlib.sha256(a.tobytes()).hexdigest()})
            except Exception as e:
                frames.append({'frame': i, 'error': type(e).__name__, 'message': str(e)[:120]})
        out[key]['frames_truncated' if truncated else 'frames'] = frames
(root / 'fixtures/psd-layers-reference.json').write_text(json.dumps({'generator': 'scripts/make-psd-layer-references.py', 'pillow': Image.__version__, 'files': out}, indent=1) + '\n')

local_path = root / 'fixtures/pillow-local-reference.json'
local = json.loads(local_path.read_text())
made = {f'psd/layers/{name}' for name in files}
records = [r for r in local['files'] if r['fixture'] not in made]
for fixture in sorted(made):
    c = out[fixture]['composite']
    if 'error' in c:
        p = {'ok': False, 'stage': 'load', 'error': c['error'], 'message': c['message']}
    else:
        p = {'ok': True, 'format': 'PSD', 'mode': c['mode'], 'size': [c['shape'][1], c['shape'][0]], 'n_frames': out[fixture]['n_frames'],
             'array': {'shape': c['shape'], 'dtype': '|u1', 'sha256': c['sha256']}}
    records.append({'fixture': fixture, 'name': f'local/{fixture}', 'group': 'PSD', 'pillow': p})
records.sort(key=lambda r: r['fixture'])
local['files'] = records
local_path.write_text(json.dumps(local, indent=1) + '\n')
print(f'{len(out)} files')
