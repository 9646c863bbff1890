#!/usr/bin/env python3
"""cli.py — mutate the repository's own inputs and run the ASan+UBSan passc
on each: specs (lint, build, fmt, SARIF), facts snapshots (facts, lint
--facts) and Proxmox VM configs (import, also as a modprobe.d file).

  tests/fuzz/cli.py PASSC [RUNS [SEED]]     (make fuzz-cli: RUNS=2000 SEED=1)

A finding is a sanitizer report, an exit code outside passc's stable set
(0-3) or a run over 20 s; its input is kept in $FUZZ_KEEP (default
build/fuzz/) and the command exits 1.  Not part of make check: a campaign finds bugs, it does not
prove their absence, and each bug it found became a fixed test case."""
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNAP = os.path.join(SRC, "examples/hosts/x870e-creator.yaml")

# pieces the grammar, the YAML reader and the config parser care about
TOKENS = [b"{", b"}", b"\"", b"#", b"\n", b" ", b"\t", b"\\", b"vm", b"host", b"gpu",
          b"usb", b"usb4", b"audio", b"tunnels", b"facts", b"bind", b"primary",
          b"02:00.0", b"10de:2783", b"0000:79:00.3", b"99999999999999999999", b"-1",
          b"\xff", b"\x00", b"\xc3\xa9", b"# passc: ignore P024 \"x\"", b":", b",",
          b"=", b"- ", b"&a", b"*a", b"[", b"]", b"!!str", b"hostpci0:", b"ids=",
          b"options vfio-pci ids=", b";", b"x-vga=1", b"\r\n", b"96 GiB", b"slot 3"]


def mutate(rng, data):
    d = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        if not d:
            d += rng.choice(TOKENS)
            continue
        i = rng.randrange(len(d))
        op = rng.random()
        if op < 0.25:
            d[i] = rng.randrange(256)
        elif op < 0.5:
            d[i:i] = rng.choice(TOKENS)
        elif op < 0.65:
            del d[i:i + rng.randint(1, 40)]
        elif op < 0.8:
            j = rng.randrange(len(d))
            d[i:i] = d[j:j + rng.randint(1, 80)]
        else:
            d[i:i] = rng.choice(TOKENS) * rng.randint(2, 50)
    return bytes(d)


def read_all(pattern):
    return [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(SRC, pattern)))]


def main(argv):
    if not 1 <= len(argv) <= 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    passc = os.path.abspath(argv[0])
    runs = int(argv[1]) if len(argv) > 1 else 2000
    rng = random.Random(int(argv[2]) if len(argv) > 2 else 1)
    seeds = {
        "spec": read_all("tests/*/*.pass") + read_all("examples/*.pass"),
        "yaml": read_all("tests/golden/facts/*.yaml") + [open(SNAP, "rb").read()],
        "conf": read_all("tests/import/*.conf"),
    }
    keep = os.environ.get("FUZZ_KEEP") or os.path.join(SRC, "build/fuzz")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1", NO_COLOR="1")
    found = 0
    with tempfile.TemporaryDirectory() as w:
        os.makedirs(os.path.join(w, "hosts"))
        shutil.copy(SNAP, os.path.join(w, "hosts/x870e-creator.yaml"))
        for it in range(runs):
            kind = ("spec", "spec", "yaml", "conf")[it % 4]
            data = mutate(rng, rng.choice(seeds[kind]))
            if kind == "spec":
                f = os.path.join(w, "t.pass")
                cmds = [["lint", f], ["build", "--no-facts", "-o", os.path.join(w, "out"), f],
                        ["fmt", f], ["lint", "--format", "sarif", f]]
            elif kind == "yaml":
                f = os.path.join(w, "h.yaml")
                cmds = [["facts", "--facts", f],
                        ["lint", "--facts", f, os.path.join(SRC, "examples/vm102.pass")]]
            else:
                f = os.path.join(w, "102.conf")
                cmds = [["import", f], ["import", f, "--vfio", f, "--facts", SNAP]]
            with open(f, "wb") as out:
                out.write(data)
            for c in cmds:
                try:
                    r = subprocess.run([passc] + c, capture_output=True, env=env, timeout=20)
                    err = r.stderr.decode("utf-8", "replace")
                    bad = (r.returncode not in (0, 1, 2, 3) or "Sanitizer" in err
                           or "runtime error" in err)
                    what = "exit %d: %s" % (r.returncode, err[-400:])
                except subprocess.TimeoutExpired:
                    bad, what = True, "over 20 s"
                if bad:
                    found += 1
                    os.makedirs(keep, exist_ok=True)
                    kept = os.path.join(keep, "%s-%d%s" % (kind, it, os.path.splitext(f)[1]))
                    with open(kept, "wb") as out:
                        out.write(data)
                    print("FINDING passc %s (input %s): %s" % (" ".join(c[:-1] or c), kept, what))
                    break
    print("fuzz: %d runs, %d findings" % (runs, found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
