#!/usr/bin/env python3
"""png_check.py: is a screenshot blank?  Decodes the PNG with the standard
library only (zlib + the five PNG row filters) and counts pixels that are
not white, and pixels with a clear colour (the report's chart lines, bars
and heatmap cells; text and table borders are grey).

usage: png_check.py FILE.png [MIN_NONWHITE_FRACTION] [MIN_COLOURED_PIXELS]
exit 0 when both minimums are met, 1 when not, 2 when the file is no PNG.
"""
import struct
import sys
import zlib


def decode(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, hdr = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if hdr is None or not idat:
        raise ValueError("no IHDR or IDAT chunk")
    width, height, depth, ctype, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError("unsupported PNG (depth %d, colour type %d, interlace %d)"
                         % (depth, ctype, interlace))
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, prev, off = [], bytearray(stride), 0
    for _ in range(height):
        filt, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if filt == 1:
                line[i] = (line[i] + a) & 0xFF
            elif filt == 2:
                line[i] = (line[i] + b) & 0xFF
            elif filt == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        prev = line
    return width, height, channels, rows


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    path = sys.argv[1]
    min_frac = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
    min_coloured = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    try:
        width, height, ch, rows = decode(path)
    except (OSError, ValueError, zlib.error) as e:
        print("png_check: %s: %s" % (path, e))
        return 2
    nonwhite = coloured = 0
    for line in rows:
        for x in range(width):
            px = line[x * ch:x * ch + min(ch, 3)]
            if ch < 3:
                px = bytes([px[0]] * 3)
            if min(px) < 235:
                nonwhite += 1
            if max(px) - min(px) > 60:
                coloured += 1
    total = width * height
    print("png_check: %s: %dx%d, %d non-white pixels (%.1f%%), %d coloured"
          % (path, width, height, nonwhite, 100.0 * nonwhite / total, coloured))
    if nonwhite < min_frac * total or coloured < min_coloured:
        print("png_check: FAIL: the page looks blank (need %.1f%% non-white and %d coloured)"
              % (100 * min_frac, min_coloured))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
