#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# ph-iana-compact.py — turns data/iana-ports.tsv into the compact table that ph-port-info.c searches
#
# Usage: ph-iana-compact.py INPUT.tsv OUTPUT.bin
#
# Only TCP and UDP rows are kept (Porthole lists nothing else), and rows that merely say a
# port is "Unassigned" are dropped: they carry no knowledge. The output is little-endian:
#
#   header   8 bytes  magic "PHIANA01"
#            u32      number of records
#            u32      size of the string table in bytes
#   records  12 bytes each, sorted by (port, protocol), rows of one port and protocol in the
#            order of the input file:
#              u16 port, u8 protocol (0 tcp, 1 udp), u8 unused (0),
#              u32 offset of the service name, u32 offset of the description
#   strings  NUL-terminated UTF-8, each distinct string once; offset 0 is the empty string
#
# ph-port-info.c maps the table straight out of the GResource and binary-searches it, so
# startup costs nothing and no memory is spent on a parsed copy.

import struct
import sys

PROTOCOLS = {'tcp': 0, 'udp': 1}


def main(argv):
    if len(argv) != 3:
        sys.stderr.write('usage: ph-iana-compact.py INPUT.tsv OUTPUT.bin\n')
        return 2

    rows = []
    with open(argv[1], encoding='utf-8') as tsv:
        for lineno, line in enumerate(tsv, start=1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            fields = line.split('\t')
            if len(fields) != 4:
                sys.stderr.write(f'{argv[1]}:{lineno}: expected 4 tab-separated fields\n')
                return 1
            port, protocol, service, description = fields
            if protocol not in PROTOCOLS:
                continue
            if not service and description.strip().lower() in ('', 'unassigned'):
                continue
            port = int(port)
            if not 0 <= port <= 65535:
                sys.stderr.write(f'{argv[1]}:{lineno}: port {port} out of range\n')
                return 1
            rows.append((port, PROTOCOLS[protocol], len(rows), service, description.strip()))

    rows.sort(key=lambda r: (r[0], r[1], r[2]))

    strings = bytearray(b'\0')
    offsets = {'': 0}

    def intern(text):
        if text not in offsets:
            offsets[text] = len(strings)
            strings.extend(text.encode('utf-8') + b'\0')
        return offsets[text]

    records = bytearray()
    for port, protocol, _order, service, description in rows:
        records += struct.pack('<HBBII', port, protocol, 0, intern(service), intern(description))

    with open(argv[2], 'wb') as out:
        out.write(b'PHIANA01')
        out.write(struct.pack('<II', len(rows), len(strings)))
        out.write(records)
        out.write(strings)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
