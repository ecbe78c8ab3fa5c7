"""Trust at the edges (docs/reliability.md): what .include may read and what it shows of a
file, the reading limits, --sandbox, the table cache's checksum, and output files (checked
before solving, written whole, through links and into devices without replacing them)."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import thermnet
from thermnet import NetlistError
from thermnet.cli import main
from thermnet.netlist import parser
from thermnet.physics import tables

NET = "TB b 1\nP1 S 1p\nG1 S b 1n\n.print T(S)\n"
SECRET = "s3cr3tValue42"


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _load_error(main_file) -> NetlistError:
    with pytest.raises(NetlistError) as info:
        thermnet.load(str(main_file))
    return info.value


def _including(tmp_path, target, name="main.net") -> Path:
    main_file = tmp_path / name
    main_file.write_text(f'TB b 1\n.include "{target}"\n')
    return main_file


# ---- 1. .include: regular files only ------------------------------------------------------
@pytest.mark.parametrize("kind", ["directory", "fifo", "/dev/null", "/dev/zero",
                                  "/proc/self/environ", "/proc/self/status"])
def test_include_reads_regular_files_only(tmp_path, kind):
    if kind == "directory":
        target = tmp_path / "d.net"
        target.mkdir()
    elif kind == "fifo":
        target = tmp_path / "f.net"
        os.mkfifo(target)                       # must not block waiting for a writer
    else:
        target = kind
        if not os.path.exists(target):
            pytest.skip(f"no {target} here")
    err = _load_error(_including(tmp_path, target))
    assert (err.span.line, err.span.column) == (2, 10), str(err)
    assert "not a regular file" in err.message or "system file" in err.message \
        or "Is a directory" in err.message, str(err)
    assert "PATH=" not in str(err) and "Name:" not in str(err)


# ---- 1. a file that is not a netlist is named, never quoted ---------------------------------
@pytest.mark.parametrize("content,line,col", [
    (f"root:*:{SECRET}:0:99999:7:::\n", 1, 6),                       # like /etc/shadow
    (f"HOME=/root\0TOKEN={SECRET}\0".encode(), 1, 11),               # like /proc/*/environ
    (f"root:x:0:0:root:/root:/bin/bash\nme:x:1:1:{SECRET},,,:/:/bin/sh\n", 2, 23),  # passwd
    (b"\x89PNG\r\n\x1a\n" + SECRET.encode(), 1, 1),                   # binary
    (b"TB b 1\n\xff\xfe" + SECRET.encode(), 2, 1),                    # not UTF-8
    (f".{SECRET} x\n", 1, 1),                                        # an unknown card
])
def test_error_in_a_file_that_is_not_a_netlist_does_not_echo_it(tmp_path, content, line, col):
    secret = tmp_path / "secret"
    if isinstance(content, bytes):
        secret.write_bytes(content)
    else:
        secret.write_text(content)
    err = _load_error(_including(tmp_path, secret))
    text = str(err)
    assert SECRET not in text and SECRET.lower() not in text.lower()
    assert "is not a netlist" in err.message
    assert err.span.file == str(secret)
    assert (err.span.line, err.span.column) == (line, col), text
    assert text.startswith(f"{secret}:{line}:{col}: error: included file")
    assert len(text.splitlines()) == 2       # the message and what to include; no quote


@pytest.mark.parametrize("content,line,col,what", [
    (b"TB b 1\nP1 S\x00 1p\n", 2, 5, "U+0000"),
    (b"TB b 1\n\n  G1 \x1b[31m\n", 3, 6, "U+001B"),
    ("TB b 1\nP1 S 1p\u2028G1 S b 1n\n".encode(), 2, 8, "U+2028"),
    (b"TB b 1\nP1 S 1p \xb5W\n", 2, 9, "not a UTF-8 text file"),
])
def test_control_characters_and_bad_bytes_in_the_netlist(tmp_path, content, line, col, what):
    f = tmp_path / "x.net"
    f.write_bytes(content)
    err = _load_error(f)
    assert what in err.message
    assert (err.span.file, err.span.line, err.span.column) == (str(f), line, col), str(err)
    assert "\x00" not in str(err) and "\x1b" not in str(err)


def test_real_shadow_file_is_not_echoed(tmp_path):
    if not os.access("/etc/shadow", os.R_OK):
        pytest.skip("/etc/shadow is not readable here")
    first = Path("/etc/shadow").read_text(errors="replace").splitlines()[0]
    err = _load_error(_including(tmp_path, "/etc/shadow"))
    assert first.split(":")[1] not in str(err).split("error:", 1)[1] or \
        first.split(":")[1] in ("", "*", "!", "x", "!*")
    assert first not in str(err)
    assert "is not a netlist" in err.message


def test_error_in_a_netlist_library_is_still_quoted(tmp_path):
    lib = tmp_path / "lib.net"
    lib.write_text("* library\nG9 S b 2W\n")
    err = _load_error(_including(tmp_path, lib))
    assert "    G9 S b 2W" in str(err)


# ---- 1. limits ------------------------------------------------------------------------------
def test_include_size_limit(tmp_path):
    big = tmp_path / "big.net"
    line = "* " + "x" * 97 + "\n"
    with open(big, "w") as fh:
        fh.write(line * (parser.MAX_NETLIST_BYTES // len(line) + 1))
    err = _load_error(_including(tmp_path, big))
    assert "larger than 10 MB" in err.message
    assert (err.span.line, err.span.column) == (2, 10)
    with pytest.raises(NetlistError, match="larger than 10 MB"):
        thermnet.load(str(big))                   # the netlist itself, too


def test_include_depth_limit(tmp_path):
    n = parser.MAX_INCLUDE_DEPTH + 3
    for i in range(n):
        (tmp_path / f"f{i}.net").write_text(f'.include "f{i + 1}.net"\n')
    (tmp_path / f"f{n}.net").write_text("TB b 1\n")
    err = _load_error(tmp_path / "f0.net")
    assert "includes nested too deeply" in err.message
    assert err.span.file == str(tmp_path / f"f{parser.MAX_INCLUDE_DEPTH}.net")
    # within the limit: fine
    (tmp_path / f"f{parser.MAX_INCLUDE_DEPTH - 1}.net").write_text("TB b 1\n")
    thermnet.load(str(tmp_path / "f0.net"))


def test_line_length_limit(tmp_path):
    long_line = ".param " + " ".join(f"p{i}=1" for i in range(20000))
    assert len(long_line) > parser.MAX_LINE_CHARS
    f = tmp_path / "long.net"
    f.write_text("TB b 1\n" + long_line + "\n")
    err = _load_error(f)
    assert "line too long" in err.message and str(parser.MAX_LINE_CHARS) in err.message
    assert (err.span.line, err.span.column) == (2, 1)
    assert len(str(err)) < 400                  # the line is not quoted
    # continuation lines count towards the logical line
    cont = "\n".join("+ " + " ".join(f"q{j}_{i}=1" for i in range(100)) for j in range(200))
    f.write_text("TB b 1\n.param q=1\n" + cont + "\n")
    assert "line too long" in _load_error(f).message
    # just below the limit parses
    ok = ".param " + " ".join(f"p{i}=1" for i in range(9000))
    assert len(ok) < parser.MAX_LINE_CHARS
    assert len(parser.parse_text("TB b 1\n" + ok + "\n")) == 2


@pytest.mark.parametrize("expr,ok", [
    ("{" + "(" * 500 + "1" + ")" * 500 + "}", True),         # parentheses do not nest calls
    ("{" + "-" * (parser.MAX_NESTING + 5) + "1}", False),
    ("{" + "+".join(["1"] * (parser.MAX_NESTING + 5)) + "}", False),
    ("{" + "2**" * (parser.MAX_NESTING + 5) + "1}", False),
    ("{" + "sqrt(" * (parser.MAX_NESTING + 5) + "1" + ")" * (parser.MAX_NESTING + 5) + "}",
     False),
])
def test_nesting_limit(expr, ok):
    text = f"TB b 1\n.param x={expr}\n"
    if ok:
        parser.parse_text(text)
    else:
        with pytest.raises(NetlistError, match="nested too deeply") as info:
            parser.parse_text(text)
        assert (info.value.span.line, info.value.span.column) == (2, 1)


# ---- 1. --sandbox -----------------------------------------------------------------------------
def test_sandbox_confines_includes(tmp_path, capsys):
    proj = tmp_path / "proj"
    (proj / "sub").mkdir(parents=True)
    (proj / "sub" / "ok.net").write_text("G1 S b 1n\n")
    (tmp_path / "outside.net").write_text("G1 S b 1n\n")
    os.symlink(tmp_path / "outside.net", proj / "sneaky.net")
    lib = os.path.join(parser.LIBRARY_DIR, "dey2023_devices.lib")
    body = "TB b 1\nP1 S 1p\n.print T(S)\n"
    cases = {'.include "sub/ok.net"': 0, f'.include "{lib}"\nG1 S b 1n': 0,
             '.include "../outside.net"': 1, '.include "sneaky.net"': 1,
             f'.include "{tmp_path}/outside.net"': 1, '.include "/etc/hostname"': 1}
    for inc, expected in cases.items():
        net = proj / "main.net"
        net.write_text(inc + "\n" + body)
        code, out, err = run_cli(capsys, "run", "--sandbox", str(net))
        assert code == expected, (inc, err)
        if expected:
            assert "outside the netlist's folder" in err and "--sandbox" in err
            assert err.startswith(f"{net}:1:10: error:")
        # without --sandbox each of them is read
        if "hostname" not in inc:
            assert run_cli(capsys, "run", str(net))[0] == 0
    code, out, err = run_cli(capsys, "check", "--sandbox", str(net))
    assert code == 1 and "--sandbox" in err


# ---- 2. the table cache -----------------------------------------------------------------------
def _damage(kind: str, path: Path):
    data = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbled":
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes(b ^ 0x5A for b in data[mid:mid + 64])
                         + data[mid + 64:])
    elif kind == "no-checksum":
        np.savez(path, x=np.arange(5.0))
    elif kind == "wrong-checksum":
        np.savez(path, x=np.arange(5.0) * 2, **{tables.CHECKSUM: np.array("0" * 64)})
    elif kind == "not-npz":
        path.write_text("hello")
    elif kind == "pickle":
        np.savez(path, x=np.array([object()], dtype=object))


@pytest.mark.parametrize("kind", ["truncated", "empty", "garbled", "no-checksum",
                                  "wrong-checksum", "not-npz", "pickle"])
def test_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch, kind):
    monkeypatch.setenv("THERMNET_CACHE_DIR", str(tmp_path))
    builds = []

    def build():
        builds.append(1)
        return {"x": np.arange(5.0), "y": np.eye(3)}
    spec = {"test": kind}
    key = tables.table_key("trust_test", spec)
    path = tmp_path / f"{key}.npz"
    tables._memory.pop(key, None)
    first = tables.cached_table("trust_test", spec, build)
    assert path.exists() and len(builds) == 1
    tables._memory.pop(key)
    assert np.array_equal(tables.cached_table("trust_test", spec, build)["x"], first["x"])
    assert len(builds) == 1                       # a whole file is used
    _damage(kind, path)
    tables._memory.pop(key)
    again = tables.cached_table("trust_test", spec, build)
    assert len(builds) == 2                       # never used: rebuilt
    assert np.array_equal(again["x"], np.arange(5.0)) and np.array_equal(again["y"], np.eye(3))
    assert tables.read_table(path) is not None    # and rewritten whole
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    tables._memory.pop(key)


def test_cache_write_is_atomic(tmp_path, monkeypatch):
    monkeypatch.setenv("THERMNET_CACHE_DIR", str(tmp_path))
    path = tmp_path / "t.npz"
    tables.write_table(path, {"x": np.arange(3.0)})

    def broken_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(tables.np, "savez", broken_savez)
    with pytest.raises(OSError):
        tables.write_table(path, {"x": np.arange(4.0)})
    assert np.array_equal(tables.read_table(path)["x"], np.arange(3.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.npz"]


# ---- 3. output files --------------------------------------------------------------------------
@pytest.fixture
def netfile(tmp_path):
    f = tmp_path / "in.net"
    f.write_text(NET)
    return f


@pytest.fixture
def no_solving(monkeypatch):
    def fail(*a, **k):
        raise AssertionError("solved although the output cannot be written")
    monkeypatch.setattr(thermnet.api.Netlist, "run", fail)


@pytest.mark.parametrize("target,why", [
    ("missing/out.txt", "does not exist"),
    (".", "is a directory"),
    ("in.net", "is the input netlist"),
    ("link-to-input", "is the input netlist"),
])
def test_output_target_checked_before_solving(tmp_path, netfile, capsys, no_solving,
                                              target, why):
    os.symlink(netfile, tmp_path / "link-to-input")
    code, out, err = run_cli(capsys, "run", str(netfile), "-o", str(tmp_path / target))
    assert code == 1, err
    assert why in err and err.startswith("error: cannot write")
    assert "internal error" not in err and out == ""
    assert netfile.read_text() == NET


def test_unwritable_folder_is_a_clean_error(tmp_path, netfile, capsys, monkeypatch,
                                            no_solving):
    from thermnet.results import io

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(io.tempfile, "mkstemp", denied)
    code, out, err = run_cli(capsys, "run", str(netfile), "-o", str(tmp_path / "o.txt"))
    assert code == 1 and "Permission denied" in err and "internal error" not in err


def test_write_errors_are_clean_messages(tmp_path, netfile, capsys, monkeypatch):
    """EACCES, ENOSPC while writing (after solving): exit 1, a message, no file, no temp."""
    from thermnet.results import io
    dest = tmp_path / "o.txt"
    dest.write_text("old\n")
    for errno_, text in ((13, "Permission denied"), (28, "No space left on device")):
        def fail(*a, **k):
            raise OSError(errno_, text)
        monkeypatch.setattr(io.os, "replace", fail)
        code, out, err = run_cli(capsys, "run", str(netfile), "-o", str(dest))
        assert code == 1 and text in err and "internal error" not in err, err
        assert dest.read_text() == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.net", "o.txt"]


def test_dev_full_is_no_space(netfile, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    code, out, err = run_cli(capsys, "run", str(netfile), "-o", "/dev/full")
    assert code == 1 and "No space left on device" in err and "internal error" not in err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_device_is_written_not_replaced(tmp_path, netfile, capsys):
    """-o /dev/null (as root the old rename would have replaced the device by a file): shown
    on a private null device so a failure cannot damage the system's /dev/null."""
    dev = tmp_path / "null"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("cannot create a device node here")
    code, out, err = run_cli(capsys, "run", str(netfile), "-o", str(dev))
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(dev).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.net", "null"]
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert run_cli(capsys, "run", str(netfile), "-o", "/dev/null")[0] == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_is_written_not_replaced(tmp_path, netfile, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    code, out, err = run_cli(capsys, "run", str(netfile), "-o", str(fifo))
    reader.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert "T(S)" in got[0]


def test_symlink_is_written_through(tmp_path, netfile, capsys):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.txt"
    target.write_text("old\n")
    link = tmp_path / "out.txt"
    os.symlink(target, link)
    assert run_cli(capsys, "run", str(netfile), "-o", str(link))[0] == 0
    assert link.is_symlink() and "T(S)" in target.read_text()
    dangling = tmp_path / "new.txt"
    os.symlink(tmp_path / "real" / "new.txt", dangling)
    assert run_cli(capsys, "run", str(netfile), "-o", str(dangling))[0] == 0
    assert dangling.is_symlink() and "T(S)" in (tmp_path / "real" / "new.txt").read_text()


def test_existing_file_keeps_its_permissions_and_owner(tmp_path, netfile, capsys):
    dest = tmp_path / "o.txt"
    dest.write_text("old\n")
    os.chmod(dest, 0o640)
    if os.geteuid() == 0:
        os.chown(dest, 12345, 23456)
    assert run_cli(capsys, "run", str(netfile), "-o", str(dest))[0] == 0
    st = os.stat(dest)
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (12345, 23456)
    assert "T(S)" in dest.read_text()


@pytest.mark.parametrize("name,fmt,check", [
    ("o.json", None, lambda t: json.loads(t)["results"][0]["analysis"] == "op"),
    ("O.JSON", None, lambda t: json.loads(t)["results"][0]["analysis"] == "op"),
    ("o.csv", None, lambda t: t.splitlines()[0].startswith("analysis,")),
    ("o.txt", None, lambda t: t.splitlines()[1] == "op"),
    ("o.json", "table", lambda t: t.splitlines()[1] == "op"),
    ("o.csv", "json", lambda t: json.loads(t)["title"] == ""),
])
def test_format_from_extension(tmp_path, netfile, capsys, name, fmt, check):
    dest = tmp_path / name
    args = ["run", str(netfile), "-o", str(dest)] + (["--format", fmt] if fmt else [])
    assert run_cli(capsys, *args)[0] == 0
    assert check(dest.read_text())


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "thermnet.cli", *args], capture_output=True,
                          text=True, timeout=120, **kw)


def test_closed_pipe_is_quiet(tmp_path):
    """``thermnet run x.net | head -1``: the reader has gone when the results are written;
    no traceback, exit 141 (128 + SIGPIPE, as a shell reports it)."""
    f = tmp_path / "sweep.net"
    f.write_text(NET + ".sweep P1 0.1p 1p 200\n")
    with subprocess.Popen([sys.executable, "-m", "thermnet.cli", "run", str(f)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        p.stdout.close()                       # before thermnet writes anything
        err = p.stderr.read().decode()
        assert p.wait(120) == 141, err
    assert err == ""


def test_stdout_full_is_a_clean_error(tmp_path, netfile):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "thermnet.cli", "run", str(netfile)],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip() == "error: cannot write '<stdout>': No space left on device"
