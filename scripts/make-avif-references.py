#!/usr/bin/python3
"""Pillow 12.3's AVIF arrays as PNG files (fixtures/avif-reference/), for the bound test of
test/codecs/avif: the AVIF files of the corpus's `current/` set, whose arrays the corpus keeps
(../shared/corpus/reference-current/, numpy .npy); frame 0, the one imarray decodes.
    /usr/bin/python3 scripts/make-avif-references.py [CORPUS]
"""
import sys
from pathlib import Path
import numpy as np
from PIL import Image

root = Path(__file__).resolve().parent.parent
corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / 'shared' / 'corpus'
out = root / 'fixtures' / 'avif-reference'
out.mkdir(exist_ok=True)
n = 0
for npy in sorted((corpus / 'reference-current' / 'current').glob('avif_*.avif.npy')):
    a = np.load(npy)
    Image.fromarray(a).save(out / (npy.name[:-len('.avif.npy')] + '.png'), optimize=True)
    n += 1
print(n, 'arrays')
