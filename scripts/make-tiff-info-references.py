#!/usr/bin/python3
"""Pillow's `info` for every TIFF fixture Debian's Pillow 9.4 opens, frame by frame (up to 4):
`compression`, `dpi`, `resolution`, `icc_profile` (as {len, sha256}) and `xmp` where present, the
keys current Pillow's TiffImagePlugin sets the same way. The corpus records carry no `info`.
    /usr/bin/python3 scripts/make-tiff-info-references.py
Writes fixtures/tiff-info-reference.json.
"""
import hashlib, json, warnings
from pathlib import Path
from PIL import Image

warnings.simplefilter('ignore')
root = Path(__file__).resolve().parent.parent
KEYS = ('compression', 'dpi', 'resolution', 'icc_profile', 'xmp')
def render(v):
    if isinstance(v, bytes):
        return {'len': len(v), 'sha256': hashlib.sha256(v).hexdigest()}
    if isinstance(v, tuple):
        return [float(x) for x in v]
    return v
out = {}
for path in sorted((root / 'fixtures/tiff').glob('*.tif*')):
    try:
        im = Image.open(path)
        frames = []
        for i in range(min(im.n_frames, 4)):
            im.seek(i)
            frames.append({k: render(im.info[k]) for k in KEYS if k in im.info})
    except Exception:
        continue
    out[f'tiff/{path.name}'] = frames
(root / 'fixtures/tiff-info-reference.json').write_text(json.dumps({'generator': 'scripts/make-tiff-info-references.py', 'pillow': Image.__version__, 'files': out}, indent=1) + '\n')
print(f'{len(out)} files')
