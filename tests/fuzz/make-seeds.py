#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# make-seeds.py: writes the hand-made seed inputs of corpus/*/seed-* (run it again after
# changing a seed here; crashes found by fuzzing are kept in corpus/*/crash-* by hand).
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def seed(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogateescape')
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


# /proc/net/*: first byte bit 0 = UDP, bit 1 = IPv6
HDR4 = ('  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  '
        'timeout inode\n')
TCP4 = HDR4 + (
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 '
    '       0 123456 1 0000000000000000 100 0 0 10 0\n'
    '   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0 '
    '       0 2222 1 0000000000000000 100 0 0 10 0\n'
    '   2: 0100007F:1F90 0100007F:8B8F 01 00000000:00000000 00:00000000 00000000  1000 '
    '       0 3333 1 0000000000000000 20 4 30 10 -1\n')
TCP6 = HDR4 + (
    '   0: 00000000000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A '
    '00000000:00000000 00:00000000 00000000  1000        0 44444 1 0000000000000000 100 0 0 10 0\n'
    '   1: 000080FE00000000FF005450B6AD1DFE:1F40 00000000000000000000000000000000:0000 0A '
    '00000000:00000000 00:00000000 00000000  1000        0 5555 1 0000000000000000 100 0 0 10 0\n')
UDP4 = HDR4 + (
    '  123: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101 '
    '       0 6666 2 0000000000000000 0\n')
seed('procnet', 'tcp4', b'\x00' + TCP4.encode())
seed('procnet', 'udp4', b'\x01' + UDP4.encode())
seed('procnet', 'tcp6', b'\x02' + TCP6.encode())
seed('procnet', 'udp6', b'\x03' + TCP6.replace(' 0A ', ' 07 ').encode())
seed('procnet', 'malformed', b'\x00' + (HDR4 + '   0: 0100007F:FFFFF 0:0 0A\n').encode())

# NETLINK_SOCK_DIAG: first byte bit 0 = UDP; then nlmsghdr + inet_diag_msg + rtattrs
SOCK_DIAG_BY_FAMILY = 20
NLMSG_DONE = 3
NLMSG_ERROR = 2


def align4(b):
    return b + b'\0' * (-len(b) % 4)


def rta(kind, payload):
    return align4(struct.pack('=HH', 4 + len(payload), kind) + payload)


def diag_msg(family, state, sport, src, inode, uid=1000, ifindex=0, attrs=b''):
    # struct inet_diag_msg: family, state, timer, retrans, id (sport, dport be16, src[4],
    # dst[4] be32, if, cookie[2]), expires, rqueue, wqueue, uid, inode
    ident = struct.pack('>HH', sport, 0) + src.ljust(16, b'\0') + b'\0' * 16
    ident += struct.pack('=III', ifindex, 0, 0)
    body = struct.pack('=BBBB', family, state, 0, 0) + ident + struct.pack('=IIIII', 0, 0, 0,
                                                                          uid, inode)
    return body + attrs


def nlmsg(kind, payload, seq=1):
    return align4(struct.pack('=IHHII', 16 + len(payload), kind, 2, seq, 0) + payload)


AF_INET, AF_INET6 = 2, 10
v6only = rta(11, b'\x01')
cgroup = rta(21, struct.pack('=Q', 0x1234))
dump = (nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(AF_INET, 10, 8080, bytes([127, 0, 0, 1]), 11,
                                            attrs=cgroup))
        + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(AF_INET6, 10, 3000, b'\0' * 15 + b'\x01', 12,
                                              attrs=v6only + cgroup))
        + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(AF_INET6, 10, 8000, b'\xfe\x80' + b'\0' * 13
                                              + b'\x01', 13, ifindex=2))
        + nlmsg(SOCK_DIAG_BY_FAMILY, diag_msg(AF_INET, 1, 8080, bytes([127, 0, 0, 1]), 14)))
seed('netlink', 'tcp-dump', b'\x00' + dump)
seed('netlink', 'tcp-done', b'\x00' + dump + nlmsg(NLMSG_DONE, struct.pack('=i', 0)))
seed('netlink', 'udp-dump', b'\x01' + nlmsg(SOCK_DIAG_BY_FAMILY,
                                            diag_msg(AF_INET, 7, 53, bytes([127, 0, 0, 53]), 15)))
seed('netlink', 'error', b'\x00' + nlmsg(NLMSG_ERROR, struct.pack('=i', -2) + b'\0' * 16))
seed('netlink', 'other-seq', b'\x00' + nlmsg(SOCK_DIAG_BY_FAMILY,
                                             diag_msg(AF_INET, 10, 1, b'\x7f\0\0\1', 1), seq=7))

# /proc/<pid>/stat and status
seed('proc-stat', 'plain',
     '4242 (python3) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 987654 '
     '25000000 3000 18446744073709551615 1 1 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0\n')
seed('proc-stat', 'parens', '77 (a) (b) S) R 1 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 '
     '5 0 0\n')
seed('proc-stat', 'kthread', '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 '
     '0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 1 0 0 0 0 0\n')
seed('proc-stat', 'escape', b'9 (\x1b[31m\n\xff) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0\n')
seed('proc-status', 'plain', 'Name:\tpython3\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n'
     'Pid:\t4242\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n')
seed('proc-status', 'setuid', 'Name:\tUid:\t0\t0\t0\t0\nUid:\t1000\t0\t0\t0\n')
seed('proc-status', 'huge', 'Uid:\t99999999999999999999\t1\t1\t1\n')

# /proc/<pid>/cgroup
for name, path in [
    ('system', '/system.slice/nginx.service'),
    ('user', '/user.slice/user-1000.slice/user@1000.service/app.slice/redis.service'),
    ('app', '/user.slice/user-1000.slice/user@1000.service/app.slice/'
            'app-gnome-org.gnome.Terminal-4242.scope'),
    ('flatpak', '/user.slice/user-1000.slice/user@1000.service/app.slice/'
                'app-flatpak-org.example.App-123.scope'),
    ('escaped', '/user.slice/user-1000.slice/user@1000.service/app.slice/'
                'app-gnome-foo\\x2dbar\\x1b\\x0a-1.scope'),
    ('docker', '/system.slice/docker-' + 'a' * 64 + '.scope'),
    ('podman', '/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-' + 'b' * 64
               + '.scope/container'),
    ('containerd', '/kubepods/besteffort/pod1234/' + 'c' * 64),
]:
    seed('cgroup', name, f'0::{path}\n')
seed('cgroup', 'v1', '12:pids:/user.slice\n11:name=systemd:/system.slice/x.service\n0::/\n')

# the helper's protocol, as the GUI reads it
HELLO = 'HELLO\tprotocol=2\tversion=0.1.0\tpid=10\teuid=1000\tsource=netlink\n'
PROC = ('PROC\tpid=4242\tstart=987654\tppid=1\tuid=1000\tuser=alice\tcomm=node\t'
        'exe=/usr/bin/node\tcwd=/home/alice/app\tcmdline=node\\x00node_modules/.bin/vite\\x00'
        '--port\\x003000\tcgroup=/user.slice/x.scope\tmanager=session\n')
SOCK = ('SOCK\tid=123456\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=3000\tuid=1000\tuser=alice\t'
        'inode=123456\tconns=2\towners=4242:987654:12\thidden=0\tkernel=0\n')
seed('protocol', 'full', HELLO + 'BEGIN\tseq=1\tkind=full\n' + PROC + SOCK
     + 'SOCK\tid=9\tproto=udp\tfamily=6\taddr=fe80::1\tscope=2\tport=53\tuid=0\tuser=root\t'
       'inode=9\tconns=0\towners=\thidden=1\tkernel=0\n'
     + 'END\tseq=1\tsockets=2\telapsed_us=10\twalked=1\n'
     + 'BEGIN\tseq=2\tkind=delta\nGONE\tid=123456\nPGONE\tpid=4242\tstart=987654\n'
       'END\tseq=2\tsockets=1\telapsed_us=5\twalked=0\n')
seed('protocol', 'hostile', HELLO + 'BEGIN\tseq=1\tkind=full\n'
     + PROC.replace('comm=node', 'comm=\\x1b]0;pwned\\x07\\n\\t\u202eevil')
           .replace('user=alice', 'user=\\xff\\xfe')
     + SOCK + 'END\tseq=1\tsockets=1\telapsed_us=10\twalked=1\n'
     + 'WARN\tcode=partial\tmessage=\\x1b[2J\n')
seed('protocol', 'stop', HELLO + 'STOP\tpid=4242\tstart=987654\toutcome=stopped\tsignal=15\n')

# a process's own words: COMM \n CGROUP \n CMDLINE
seed('proc-cmdline', 'vite', b'node\n/user.slice/user-1000.slice/session-2.scope\n'
     b'node\0/home/a/app/node_modules/.bin/vite\0--port\x003000')
seed('proc-cmdline', 'python', b'python3\n/system.slice/myapp.service\n'
     b'/usr/bin/python3\0-m\0http.server\x008000')
seed('proc-cmdline', 'hostile', b'\x1b[31mx\n/user.slice/app-gnome-\\x1b.scope\n'
     b'a\nb\tc\0\xe2\x80\xae\xff\xfe\0\x1b]8;;http://evil\x07')

# the search entry
for i, text in enumerate(['127.0.0.1:8080', '[::1]:3000', '80/udp', 'localhost:5432',
                          'fe80::1%eth0', '[fe80::1%eth0]:22', 'nginx vite', '99999',
                          'http://localhost:8080/x', '0.0.0.0', ':3000', '1.2.3:80']):
    seed('search', f'{i:02d}', text)

# unit files: UNIT-NAME \n CONTENTS
seed('unit-file', 'plain', 'nginx.service\n[Unit]\nDescription=A high performance web server\n'
     '[Service]\nExecStart=/usr/sbin/nginx\n')
seed('unit-file', 'template', 'getty@tty1.service\n[Unit]\nDescription=Getty on %I (%n, %N, %p, %%)\n')
seed('unit-file', 'hostile', b'x.service\n[Unit]\nDescription=\x1b[31mred\x1b[0m \xe2\x80\xae\xff\n')

# desktop entries
seed('desktop-entry', 'plain', '[Desktop Entry]\nType=Application\nName=Fuzz\nExec=true\n'
     'Icon=org.example.Fuzz\nComment=An app\nCategories=Development;\n')
seed('desktop-entry', 'terminal', '[Desktop Entry]\nType=Application\nName=Term\nExec=sh\n'
     'Categories=System;TerminalEmulator;\n')
seed('desktop-entry', 'hostile', '[Desktop Entry]\nType=Application\nName=A\\nB\\tC\x1b[2J\u202e\n'
     'Exec=true\nComment=\\r\\n\x07\n')

# the probe: HTTP answers (first byte bit 0: inside TLS) and banners (two bytes of port)
seed('probe-http', 'ok', 'HTTP/1.1 200 OK\r\nServer: nginx/1.26\r\nContent-Type: text/html\r\n'
     '\r\n<html><head><title>Welcome to nginx!</title></head></html>')
seed('probe-http', 'redirect', 'HTTP/1.1 301 Moved\r\nLocation: http://example.org/\r\n\r\n')
seed('probe-http', 'hostile', b'HTTP/1.1 200 \x1b[31mOK\r\nServer: \xff\xfe\x00x\r\n\r\n'
     b'<title>\n\t\xe2\x80\xae\x1b]0;x\x07</title>')
seed('probe-http', 'plain-to-tls', 'HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n'
     '<html><body>The plain HTTP request was sent to HTTPS port</body></html>')
for name, port, data in [
    ('ssh', 22, b'SSH-2.0-OpenSSH_9.9p1 Debian-3\r\n'),
    ('smtp', 25, b'220 mail.example ESMTP Postfix\r\n'),
    ('ftp', 21, b'220 (vsFTPd 3.0.5)\r\n'),
    ('redis', 6379, b'-ERR unknown command\r\n'),
    ('tls-alert', 443, b'\x15\x03\x03\x00\x02\x02\x28'),
    ('hostile', 2222, b'SSH-2.0-\x1b[2J\x00\xff\xe2\x80\xae\nsecond line\r\n'),
    ('binary', 9999, bytes(range(256))),
]:
    seed('probe-banner', name, struct.pack('>H', port) + data)
mysql = bytes([0x23, 0, 0, 0, 0x0a]) + b'5.5.5-10.11.6-MariaDB\0' + bytes(range(1, 13))
seed('probe-banner', 'mariadb', struct.pack('>H', 3306) + mysql)

# the data files' loaders: first byte picks the loader (0 ports-common, 1 probe-rules,
# 2 dev-servers, 3 daemons, 4 ip_local_port_range)
DATA = os.path.join(HERE, '..', '..', 'data')
for i, f in enumerate(['ports-common.ini', 'probe-rules.ini', 'dev-servers.ini', 'daemons.ini']):
    with open(os.path.join(DATA, f), 'rb') as fh:
        text = fh.read()
    seed('data-files', f, bytes([i]) + text[:12000])
seed('data-files', 'port-range', b'\x04' + b'32768\t60999\n')

# the compact IANA table: two bytes of port, a protocol byte, then a table as
# ph-iana-compact.py writes it (magic, n, strings size, 12-byte records, strings)
def iana_table(rows):
    strings = b'\0'
    offsets = {}

    def off(text):
        nonlocal strings
        if text not in offsets:
            offsets[text] = len(strings)
            strings += text.encode() + b'\0'
        return offsets[text]
    records = b''.join(struct.pack('<HBBII', port, proto, 0, off(name), off(desc))
                       for port, proto, name, desc in sorted(rows))
    return b'PHIANA01' + struct.pack('<II', len(rows), len(strings)) + records + strings


TABLE = iana_table([(22, 0, 'ssh', 'The Secure Shell (SSH) Protocol'), (53, 1, 'domain', 'DNS'),
                    (80, 0, 'http', 'World Wide Web HTTP'), (80, 0, 'www', ''),
                    (5432, 0, 'postgresql', 'PostgreSQL Database')])
seed('iana-table', 'http', struct.pack('>HB', 80, 0) + TABLE)
seed('iana-table', 'domain-udp', struct.pack('>HB', 53, 1) + TABLE)
seed('iana-table', 'bad-offset', struct.pack('>HB', 22, 0) + TABLE[:16] + TABLE[16:20]
     + struct.pack('<II', 9999, 0) + TABLE[28:])
print('seeds written', file=sys.stderr)
