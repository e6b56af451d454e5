#!/usr/bin/env python3
"""Check that MANIFEST.tsv describes every MSRP vector file exactly.

Usage: python3 check_manifest.py   (run from anywhere; exits non-zero on error)

Each vector is parsed independently of the generator:
  * every line (including body lines) ends with CRLF, no bare CR or LF;
  * start line ``MSRP <tid> <METHOD>`` or ``MSRP <tid> <code> [comment]``;
  * ``Name: value`` header lines;
  * either directly the end-line (bodiless), or an empty line, the data,
    CRLF and the end-line ``-------<tid><flag>`` CRLF as the last bytes
    of the file (nothing after it);
  * a message with a body has Content-Type as its last header, a bodiless
    one has no Content-Type.
The parsed fields are compared with the manifest row, and every vector must
have a byte-identical copy in fuzz/corpus-seeds/.  A Byte-Range whose
length disagrees with the body is accepted only if the row's notes say so.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'fuzz', 'corpus-seeds'))
SUBDIRS = ('rfc4975', 'rfc4976')
COLS = ['file', 'section', 'kind', 'tid', 'method_or_status', 'comment', 'to_path',
        'from_path', 'message_id', 'byte_range', 'success_report', 'failure_report',
        'status_header', 'content_type', 'body_len', 'flag', 'extra_headers', 'notes']
KNOWN = {'To-Path': 'to_path', 'From-Path': 'from_path', 'Message-ID': 'message_id',
         'Byte-Range': 'byte_range', 'Success-Report': 'success_report',
         'Failure-Report': 'failure_report', 'Status': 'status_header',
         'Content-Type': 'content_type'}
IDENT = r'[A-Za-z0-9][A-Za-z0-9.\-+%=]{3,31}'

errors = []


def err(where, text):
    errors.append(f'{where}: {text}')


def parse(path, raw):
    """Return a dict of manifest fields parsed from the raw bytes."""
    # CRLF discipline over the whole file.
    if re.search(rb'\r(?!\n)', raw) or re.search(rb'(?<!\r)\n', raw):
        err(path, 'bare CR or LF (all lines must end with CRLF)')
    if not raw.endswith(b'\r\n'):
        err(path, 'file does not end with CRLF')
    text = raw.decode('utf-8')
    first, sep, rest = text.partition('\r\n')
    if not sep:
        err(path, 'no start line')
        return None
    f = {c: '-' for c in COLS}
    m = re.fullmatch(rf'MSRP ({IDENT}) (?:([A-Z]+)|(\d{{3}})(?: (.*))?)', first)
    if not m:
        err(path, f'bad start line {first!r}')
        return None
    tid = m.group(1)
    f['tid'] = tid
    if m.group(2):
        f['kind'], f['method_or_status'] = 'request', m.group(2)
    else:
        f['kind'], f['method_or_status'] = 'response', m.group(3)
        f['comment'] = m.group(4) if m.group(4) is not None else '-'

    end_re = re.compile(r'-------' + re.escape(tid) + r'([$+#])\r\n')
    headers = []
    pos = 0
    body = None
    flag = None
    while True:
        eol = rest.find('\r\n', pos)
        if eol < 0:
            err(path, 'unterminated header section')
            return None
        line = rest[pos:eol]
        if line.startswith('-------'):
            em = end_re.fullmatch(rest, pos)
            if not em:
                err(path, f'bad end-line or trailing data after it: {rest[pos:]!r}')
                return None
            flag = em.group(1)
            break
        if line == '':
            after = rest[eol + 2:]
            ems = list(re.finditer(r'\r\n-------' + re.escape(tid) + r'([$+#])\r\n', after))
            # The end-line must be the last thing in the file.  Because the body
            # is empty-able, also accept the end-line right after the blank line.
            if after.startswith('-------'):
                em = end_re.fullmatch(after)
                if em:
                    err(path, 'empty line followed directly by end-line: data must be followed by CRLF')
                    return None
            if not ems or ems[-1].end() != len(after):
                err(path, 'body not terminated by CRLF + end-line at end of file')
                return None
            if len(ems) > 1:
                err(path, 'end-line sequence occurs inside the body')
            body = after[:ems[-1].start()]
            flag = ems[-1].group(1)
            break
        hm = re.fullmatch(r'([A-Za-z][A-Za-z0-9!#$%&\'*+\-.^_`|~]*): (.*)', line)
        if not hm:
            err(path, f'bad header line {line!r}')
            return None
        headers.append((hm.group(1), hm.group(2)))
        pos = eol + 2

    names = [h[0] for h in headers]
    if len(headers) >= 2 and names[:2] != ['To-Path', 'From-Path']:
        # Allowed only for the RFC 4975 5.1 snippets; reported via notes check.
        f['_no_leading_paths'] = True
    if body is not None:
        if not names or names[-1] != 'Content-Type':
            err(path, 'message with body must have Content-Type as last header')
    elif 'Content-Type' in names:
        err(path, 'bodiless message carries Content-Type')

    extra = []
    for k, v in headers:
        if k in KNOWN:
            if f[KNOWN[k]] != '-':
                err(path, f'duplicate {k}')
            f[KNOWN[k]] = v
        else:
            extra.append(f'{k}={v}')
    f['extra_headers'] = ' | '.join(extra) if extra else '-'
    f['body_len'] = '-' if body is None else str(len(body.encode('utf-8')))
    f['flag'] = flag
    return f


def main():
    manifest = os.path.join(HERE, 'MANIFEST.tsv')
    with open(manifest, 'rb') as fh:
        mraw = fh.read()
    if b'\r' in mraw:
        err('MANIFEST.tsv', 'contains CR')
    lines = mraw.decode('utf-8').split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if lines[0].split('\t') != COLS:
        err('MANIFEST.tsv', f'header mismatch: {lines[0]!r}')
    rows = {}
    for i, line in enumerate(lines[1:], start=2):
        cells = line.split('\t')
        if len(cells) != len(COLS):
            err(f'MANIFEST.tsv:{i}', f'{len(cells)} columns, expected {len(COLS)}')
            continue
        r = dict(zip(COLS, cells))
        for c in COLS:
            if r[c] == '':
                err(f'MANIFEST.tsv:{i}', f'empty cell {c} (use -)')
        if r['file'] in rows:
            err(f'MANIFEST.tsv:{i}', f'duplicate row for {r["file"]}')
        rows[r['file']] = r

    files = []
    for sub in SUBDIRS:
        d = os.path.join(HERE, sub)
        for name in sorted(os.listdir(d)):
            if name.endswith('.msrp'):
                files.append(f'{sub}/{name}')
    for rel in files:
        if rel not in rows:
            err(rel, 'no manifest row')
    for rel in rows:
        if rel not in files:
            err(rel, 'manifest row without file')

    for rel in files:
        if rel not in rows:
            continue
        r = rows[rel]
        with open(os.path.join(HERE, rel), 'rb') as fh:
            raw = fh.read()
        f = parse(rel, raw)
        if f is None:
            continue
        # file naming: <section>-<n>-<what>.msrp, section matches the row
        nm = re.fullmatch(r'([0-9.]+)-(\d+)-([a-z0-9]+)\.msrp', os.path.basename(rel))
        if not nm:
            err(rel, 'file name not <section>-<n>-<what>.msrp')
        else:
            rfc = rel.split('/')[0][3:]
            if r['section'] != f'RFC{rfc} {nm.group(1)}':
                err(rel, f'section column {r["section"]!r} does not match file name')
            if nm.group(3) != f['method_or_status'].lower():
                err(rel, f'<what> {nm.group(3)!r} != {f["method_or_status"]!r}')
        for c in COLS:
            if c in ('file', 'section', 'notes'):
                continue
            if f[c] != r[c]:
                err(rel, f'column {c}: manifest {r[c]!r} != file {f[c]!r}')
        if f.get('_no_leading_paths') or f['to_path'] == '-' or f['from_path'] == '-':
            if 'To-Path/From-Path' not in r['notes']:
                err(rel, 'missing/misplaced To-Path/From-Path not explained in notes')
        # Byte-Range vs body length
        if f['byte_range'] != '-' and f['body_len'] != '-':
            bm = re.fullmatch(r'(\d+)-(\d+|\*)/(\d+|\*)', f['byte_range'])
            if not bm:
                err(rel, f'unparsable Byte-Range {f["byte_range"]!r}')
            elif bm.group(2) != '*':
                want = int(bm.group(2)) - int(bm.group(1)) + 1
                if want != int(f['body_len']) and 'INCONSISTENCY' not in r['notes']:
                    err(rel, f'Byte-Range covers {want} bytes, body is {f["body_len"]}, not noted')
        # fuzz seed copy
        seed = os.path.join(SEEDS, os.path.basename(rel))
        if not os.path.isfile(seed):
            err(rel, f'missing fuzz seed {seed}')
        else:
            with open(seed, 'rb') as fh:
                if fh.read() != raw:
                    err(rel, 'fuzz seed differs from vector')

    if errors:
        for e in errors:
            print('ERROR', e)
        print(f'{len(errors)} error(s)')
        return 1
    print(f'OK: {len(files)} vectors match MANIFEST.tsv and fuzz/corpus-seeds')
    return 0


if __name__ == '__main__':
    sys.exit(main())
