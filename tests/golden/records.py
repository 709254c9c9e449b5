#!/usr/bin/python3
"""Run records and generated files of the bundled configs, compared with copies made before a refactor.

usage: records.py TINYFORGE SOURCE_DIR [--capture] [--only NAME]

Each case in cases.json is one `tinyforge` command. Every file it writes (and its stdout, for commands whose
stdout is their product) is compared byte for byte through its SHA-256 in tests/golden/records/NAME.json;
stats.json and config.effective.json are compared key by key with exact values, after the renames that
docs/architecture.md lists (RENAMED_STATS, RENAMED_PARAMS below). Files that hold wall-clock times (run.log,
the sim_wall_s metric) are left out. --capture rewrites the golden files (only ever from a build of the
commit before a change, never to make a failing comparison pass).
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

# Renames made by the model-contract change (issue 11); keys are the names before it.
RENAMED_STATS = {
    "energy_static_pJ": "energy_leakage_pJ",
}
# Metrics whose value changed unit with a rename: old name -> (new name, factor new/old).
RESCALED_STATS = {
    "power_mW": ("power_uW", 1e3),
}
RENAMED_PARAMS = {
    "macro.tech": "tech.table",
    "macro.node_scaling": "tech.node_scaling",
    "macro.node_nm": "tech.node_nm",
    "macro.vdd_V": "tech.vdd_V",
    "tech": "tech.table",
}
# Entries every run of a model now records that earlier records did not have (named in the docs).
ADDED_PARAMS = {"tech.node_scaling", "tech.node_nm", "tech.vdd_V", "record.outputs", "macro.accumulators", "mapper.mvm",
                "macro.bit_serial", "workload.vector.op", "workload.vector.bits", "workload.vector.elements",
                "workload.vector.repeat", "workload.resident", "macro.dual_row", "pipeline.clock_gating",
                "pipeline.register_activity"}
# The neuro cases that generate their network ask for record.outputs=full: the files every run wrote before
# (network.json, input.csv) are now written only on request (docs/neuro.md).
ADDED_STATS = {"power_dynamic_uW", "latency_ns", "node_nm", "vdd_V", "area_by_component_um2", "action_counts",
               "scaling", "accumulators", "mvm_mapping", "bit_serial"}
# Files generated folders now carry that earlier ones did not (docs/architecture.md: the marker that lets the next
# run replace a folder tinyforge made); compared by content like any file, but not required in older records.
ADDED_FILES = {".tinyforge-generated"}
# Layer-library headers that generated HLS projects copy verbatim (hls/firmware/tinyforge/hls/X from
# hls/include/tinyforge/hls/X) and that gained the opt-in hls4ml compatibility modes (docs/hls.md) after the
# records were made: such a copy must equal the source tree's header byte for byte instead of the old hash.
# Everything the projects compute (parameters, weights, expected outputs) is still compared with the record.
EXTENDED_HEADERS = {"common.h", "conv.h", "dense.h", "softmax.h"}
SOURCE_DIR = None  # set by main
UNTIMED = {"run.log", "summary.csv"}  # summary.csv repeats stats.json (with sim_wall_s): checked against it


def read_portable(path, src, work):
    """File bytes with the source and work folders replaced by @SRC@ and @OUT@ (they differ per clone)."""
    with open(path, "rb") as f:
        data = f.read()
    return data.replace(work.encode(), b"@OUT@").replace(src.encode(), b"@SRC@")


def sha(data):
    return hashlib.sha256(data).hexdigest()


def flatten(tree, prefix=""):
    """{"a": {"b": 1}} -> {"a.b": 1}; lists stay values."""
    out = {}
    for k, v in tree.items():
        p = prefix + k
        if isinstance(v, dict) and v:
            out.update(flatten(v, p + "."))
        else:
            out[p] = v
    return out


def normalise_stats(stats, renamed):
    out = {}
    for k, v in stats.items():
        if k == "sim_wall_s":
            continue
        if renamed and k in RESCALED_STATS:
            k, factor = RESCALED_STATS[k]
            v = v * factor
        elif renamed:
            k = RENAMED_STATS.get(k, k)
        out[k] = v
    return out


def normalise_params(cfg, renamed):
    flat = flatten(cfg)
    if not renamed:
        return flat
    out = {}
    for k, v in flat.items():
        out[RENAMED_PARAMS.get(k, k)] = v
    return out


def run_case(binary, src, case, work):
    args = [a.replace("@SRC@", src).replace("@OUT@", work) for a in case["args"]]
    env = dict(os.environ, SC_COPYRIGHT_MESSAGE="DISABLE")
    p = subprocess.run([binary] + args, cwd=work, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{case['name']}: exit {p.returncode}\n{p.stderr}")
    record = {"files": {}, "stats": None, "config": None}
    if case.get("stdout"):
        record["files"]["(stdout)"] = sha(p.stdout.replace(work, "@OUT@").replace(src, "@SRC@").encode())
    for extra in case.get("extra", []):  # files written outside the run record (waveforms)
        data = read_portable(os.path.join(work, extra), src, work)
        if extra.endswith(".vcd"):  # the header's $date ... $end block holds the wall-clock date
            data = re.sub(rb"\$date.*?\$end", b"$date $end", data, count=1, flags=re.S)
        record["files"][extra] = sha(data)
    root = os.path.join(work, "out")
    for dirpath, _, files in os.walk(root):
        for f in files:
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, root)
            data = read_portable(full, src, work)
            if rel == "summary.csv":
                record["summary"] = data.decode()
                with open(os.path.join(root, "stats.json"), "rb") as sf:
                    record["summary_expected"] = summary_of(sf.read().decode())
            if f in UNTIMED:
                continue
            if rel == "stats.json":
                record["stats"] = json.loads(data)
                record["stats"].pop("sim_wall_s", None)
            elif rel == "config.effective.json":
                record["config"] = json.loads(data)
            else:
                record["files"][rel] = sha(data)
    return record


def summary_of(stats_text):
    """summary.csv as the run record writes it: the scalar entries of stats.json, in its order."""
    stats = json.loads(stats_text)

    def field(v):
        s = v if isinstance(v, str) else json.dumps(v)
        return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s
    scalars = [(k, v) for k, v in stats.items() if not isinstance(v, (dict, list))]
    return ",".join(field(k) for k, _ in scalars) + "\n" + ",".join(field(v) for _, v in scalars) + "\n"


def compare(name, golden, now):
    problems = []
    if now.get("summary") is not None and now.get("summary_expected") is not None and \
            now["summary"] != now["summary_expected"]:
        problems.append(f"{name}: summary.csv does not hold the scalar entries of stats.json")
    gf, nf = golden["files"], now["files"]
    for f in sorted(set(gf) | set(nf)):
        if f not in nf:
            problems.append(f"{name}: {f}: missing (the golden record has it)")
        elif f not in gf:
            if os.path.basename(f) not in ADDED_FILES:
                problems.append(f"{name}: {f}: new file (not in the golden record)")
        elif gf[f] != nf[f] and f.startswith("hls/firmware/tinyforge/hls/") and \
                os.path.basename(f) in EXTENDED_HEADERS:
            with open(os.path.join(SOURCE_DIR, "hls", "include", "tinyforge", "hls", os.path.basename(f)), "rb") as fh:
                if sha(fh.read()) != nf[f]:
                    problems.append(f"{name}: {f}: differs from the source tree's hls/include/tinyforge/hls copy")
        elif gf[f] != nf[f]:
            problems.append(f"{name}: {f}: differs from the golden record (SHA-256 {nf[f][:12]} vs {gf[f][:12]})")
    for kind, norm, added in (("stats.json", normalise_stats, ADDED_STATS),
                              ("config.effective.json", normalise_params, ADDED_PARAMS)):
        key = "stats" if kind == "stats.json" else "config"
        if golden[key] is None and now[key] is None:
            continue
        if golden[key] is None or now[key] is None:
            problems.append(f"{name}: {kind}: present in only one of golden and new")
            continue
        g, n = norm(golden[key], True), norm(now[key], False)
        for k in sorted(set(g) | set(n)):
            if k not in n:
                problems.append(f"{name}: {kind}: {k}: missing (golden {g[k]!r})")
            elif k not in g:
                if k not in added:
                    problems.append(f"{name}: {kind}: {k}: new entry {n[k]!r} not named in the docs")
            elif isinstance(g[k], float) and isinstance(n[k], (int, float)) and k in (
                    v[0] for v in RESCALED_STATS.values()):
                if abs(g[k] - n[k]) > 1e-12 * max(1.0, abs(g[k])):
                    problems.append(f"{name}: {kind}: {k}: {n[k]!r} vs golden {g[k]!r}")
            elif g[k] != n[k] or type(g[k]) is not type(n[k]):
                problems.append(f"{name}: {kind}: {k}: {n[k]!r} vs golden {g[k]!r}")
    return problems


def main():
    global SOURCE_DIR
    binary, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    SOURCE_DIR = src
    capture = "--capture" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    here = os.path.dirname(os.path.abspath(__file__))
    cases = json.load(open(os.path.join(here, "cases.json")))
    gdir = os.path.join(here, "records")
    problems, ran = [], 0
    for case in cases:
        if only and case["name"] != only:
            continue
        with tempfile.TemporaryDirectory() as work:
            now = run_case(binary, src, case, work)
        path = os.path.join(gdir, case["name"] + ".json")
        ran += 1
        if capture:
            os.makedirs(gdir, exist_ok=True)
            now.pop("summary", None)
            now.pop("summary_expected", None)
            with open(path, "w") as f:
                json.dump(now, f, indent=1, sort_keys=True)
                f.write("\n")
            print(f"captured {case['name']}: {len(now['files'])} files")
            continue
        golden = json.load(open(path))
        p = compare(case["name"], golden, now)
        print(f"{case['name']}: {len(now['files'])} files, "
              f"{'identical' if not p else str(len(p)) + ' differences'}")
        problems += p
    for p in problems:
        print("  " + p)
    if not ran:
        raise SystemExit("no case ran")
    if problems:
        raise SystemExit(f"{len(problems)} differences from the golden records")


if __name__ == "__main__":
    main()
