#!/usr/bin/python3
"""Pillow's `info` (`dpi`, `comment` as {len, sha256}) and mode of every JPEG 2000 fixture Debian's
Pillow 9.4 opens (its Jpeg2KImagePlugin header parsing is current Pillow's for these keys).
    /usr/bin/python3 scripts/make-jpeg2000-info-references.py
Writes fixtures/jpeg2000-info-reference.json.
"""
import hashlib, json
from pathlib import Path
from PIL import Image

root = Path(__file__).resolve().parent.parent
out = {}
for path in sorted((root / 'fixtures/jpeg2000').glob('*.j*')):
    try:
        im = Image.open(path)
    except Exception:
        continue
    info = {}
    for k in ('dpi', 'comment'):
        if k in im.info:
            v = im.info[k]
            info[k] = {'len': len(v), 'sha256': hashlib.sha256(v).hexdigest()} if isinstance(v, bytes) else [float(x) for x in v]
    out[f'jpeg2000/{path.name}'] = {'mode': im.mode, 'size': list(im.size), 'info': info}
(root / 'fixtures/jpeg2000-info-reference.json').write_text(json.dumps({'generator': 'scripts/make-jpeg2000-info-references.py', 'pillow': Image.__version__, 'files': out}, indent=1) + '\n')
print(f'{len(out)} files')
