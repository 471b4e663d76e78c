"""`xxgk warc check|ls|show`: inspect WARC and ARC files (ours and other tools')."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from crawler.cli.errors import CliError

# enough of each block for the HTTP head: `ls` never holds whole bodies
_LS_BLOCK_LIMIT = 1 << 16
_OFFSET = re.compile(r"^(\d+)(?:\+(\d+))?$")


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("warc", help=help_text, description=help_text)
    sub = parser.add_subparsers(dest="warc_command", metavar="SUBCOMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="verify every record: block and payload digests (de-chunked), lengths, structure",
        description="Verify every record of each file; exit status 1 if anything failed.",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--notes", action="store_true", help="also print notes (digest basis, not checked …)")

    ls = sub.add_parser("ls", help="list records: offset, type, date, status, content type, length, URI")
    ls.add_argument("files", nargs="+", metavar="FILE")

    show = sub.add_parser("show", help="print one record: WARC headers and the HTTP message")
    show.add_argument("file", metavar="FILE")
    show.add_argument("offset", metavar="OFFSET", help="record offset as listed by `xxgk warc ls`")
    show.add_argument("--headers", action="store_true", help="only the WARC headers and the HTTP head")
    show.add_argument(
        "--out",
        default="xxgk-data",
        metavar="DIR",
        help="where to look for a bare WARC file name (a dataset row's warc_file): DIR/collections/*/archive/ "
        "(default ./xxgk-data)",
    )
    show.add_argument(
        "--body",
        action="store_true",
        help="the decoded body (de-chunked, Content-Encoding removed, text in its charset, printed as UTF-8)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return {"check": _check, "ls": _ls, "show": _show}[args.warc_command](args)


def _err(message: str, command: str = "") -> None:
    print(f"xxgk warc{' ' + command if command else ''}: {message}", file=sys.stderr)


# -- check ---------------------------------------------------------------------------
def _check(args: argparse.Namespace) -> int:
    from archive.check import check_file

    status = 0
    for name in args.files:
        report = check_file(name)
        if report.records == 0 and report.problems:
            # nothing readable at all (missing, a directory, not a WARC, empty): bad input, not damage
            _err(f"error: {name}: {report.problems[0].message}", "check")
            status = 2
            continue
        print(report.summary())
        for line in report.details(verbose=args.notes):
            print(line)
        if not report.passed:
            status = status or 1
    return status


# -- ls ------------------------------------------------------------------------------
def _media_type(record) -> str:
    value = record.http.get("content-type") if record.http is not None else None
    text = value.decode("latin-1") if value is not None else record.content_type or ""
    return text.split(";")[0].strip() or "-"


def _ls(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        if len(args.files) > 1:
            print(f"# {name}")
        status = max(status, _ls_file(name))
    return status


def _ls_file(name: str) -> int:
    """List one file's records: 0, 1 (damage reported on stderr) or 2 (not a readable WARC)."""
    from archive.errors import ArchiveError
    from archive.reader import Record, iter_records

    listed, damaged = 0, False
    try:
        for item in iter_records(name, block_limit=_LS_BLOCK_LIMIT):
            if not isinstance(item, Record):
                _err(str(item), "ls")
                damaged = True
                continue
            listed += 1
            print(
                f"{item.location:>10} {item.type or '?':<9} {item.date or '-':<27} "
                f"{item.status or '-':>3} {_media_type(item):<28} {item.length:>9} {item.target_uri or '-'}"
            )
            for defect in item.defects:
                _err(f"{name}: offset {item.location}: {defect}", "ls")
                damaged = True
    except BrokenPipeError:
        raise
    except (ArchiveError, OSError) as exc:
        _err(str(exc) if isinstance(exc, ArchiveError) else f"{name}: {exc.strerror or exc}", "ls")
        damaged = True
    if damaged and not listed:
        return 2  # not one record: the file never was a readable WARC (bad input), not damage
    return 1 if damaged else 0


# -- show ----------------------------------------------------------------------------
def _parse_offset(text: str) -> tuple[int, int]:
    match = _OFFSET.match(text.strip())
    if not match:
        raise CliError(f"OFFSET must be a number (or MEMBER+N as `xxgk warc ls` prints it), not {text!r}")
    return int(match.group(1)), int(match.group(2) or 0)


def _resolve(name: str, out: str) -> Path:
    """A WARC path as given, else a bare name (a row's warc_file) found in a collection under ``out``."""
    path = Path(name)
    if path.exists() or path.parent != Path("."):
        return path
    root = Path(out)
    found = sorted(root.glob(f"collections/*/archive/**/{name}")) + sorted(root.glob(f"archive/**/{name}"))
    if len(found) > 1:
        raise CliError(f"{name} is in more than one collection under {root}: give its path")
    if not found:
        raise CliError(f"no such file: {name} (nor in {root}/collections/*/archive/; give --out DIR)")
    return found[0]


def _warc_head(record) -> bytes:
    if record.format == "arc":
        lines = [f"{name}: {value}" for name, value in record.headers.headers]
    else:
        lines = [record.version] + [f"{name}: {value}" for name, value in record.headers.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _decoded_body(record) -> tuple[bytes | str, str]:
    """(body as text or bytes, content type) with transfer and content codings removed."""
    from archive import payload

    data = record.entity()
    if record.http is not None:
        content_type = (record.http.get("content-type") or b"").decode("latin-1")
        data = payload.decode_content(data, payload.content_codings(record.http))
    else:
        content_type = record.content_type or ""
    if payload.is_text(content_type):
        return payload.decode_text(data, content_type), content_type
    return data, content_type


def _write(data: bytes) -> None:
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # a replaced text stream (tests): keep bytes readable
        sys.stdout.write(data.decode("utf-8", "replace"))
    else:
        sys.stdout.flush()
        stream.write(data)
        stream.flush()


def _show(args: argparse.Namespace) -> int:
    from archive.reader import read_record_at

    offset, inner = _parse_offset(args.offset)
    args.file = str(_resolve(args.file, args.out))
    record = read_record_at(args.file, offset, inner)
    for defect in record.defects:
        _err(f"{args.file}: offset {record.location}: warning: {defect}")
    head_only = args.headers
    if args.headers or not args.body:
        _write(_warc_head(record))
        if head_only:
            if record.http is not None:
                _write(record.block[: record.http.length])
        elif not args.body:
            _write(record.block)
            if not record.block_complete:
                _err(
                    f"{args.file}: offset {record.location}: block cut off after {record.block_length} bytes"
                )
    if args.body:
        if record.type == "revisit":
            refers = record.header("WARC-Refers-To-Target-URI") or record.header("WARC-Refers-To") or "?"
            _err(f"a revisit record has no body; the payload is in the record it refers to ({refers})")
        body, content_type = _decoded_body(record)
        if isinstance(body, str):
            _write(body.encode("utf-8"))
        else:
            if sys.stdout.isatty():
                raise CliError(
                    f"the body is binary ({content_type or 'no content type'}, {len(body)} bytes); "
                    "redirect the output to a file to save it"
                )
            _write(body)
    return 0  # the record was shown; its defects went to stderr as warnings
