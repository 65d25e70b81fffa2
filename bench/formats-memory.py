"""Peak resident memory of Pillow decoding one file (np.asarray(Image.open(f))), MiB above the
process before it: VmHWM reset through /proc/self/clear_refs, after a warm-up on a small file of
the same format (argv[2]). The Pillow counterpart of bench/formats-memory.mjs."""
import gc
import sys

import numpy as np
from PIL import Image


def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0


np.asarray(Image.open(sys.argv[2]))
gc.collect()
before = status('VmRSS:')
with open('/proc/self/clear_refs', 'w') as f:
    f.write('5')
a = np.asarray(Image.open(sys.argv[1]))
print('{"output": %d, "peakMB": %.3f}' % (a.nbytes, (status('VmHWM:') - before) / 2 ** 20))
