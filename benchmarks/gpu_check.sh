#!/usr/bin/env bash
# One short run on a GPU machine checks everything GPU-side: the GPU tests (the op table, nn
# and optim tests on CUDA, tests/gpu), the trace tests, a headless record on CUDA (real CUDA
# event timing, which the tests only run against a stand-in) exported without a window, then
# benchmarks/bench_gpu.py; prints one summary at the end. Runs from the repo root with no
# install and no network, in about 5 minutes.
#
#   bash benchmarks/gpu_check.sh            # logs and JSON go to $OUT (or /tmp/gpu_check)
#
# Needs python3 with cupy, torch (CUDA), numpy and pytest (+ hypothesis, pytest-timeout;
# pytest-xdist is used when present). Where pytest is missing, put wheels in an ignored .whl/
# folder (`pip download` them on a machine with network and copy them over): they are
# installed from there with --no-index, never from the internet; without them the tests are
# skipped, not failed.
set -u
cd "$(dirname "$0")/.."
export PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
PY=${PYTHON:-python3}
START=$(date +%s)

if ! $PY -c "import pytest" 2>/dev/null && ls .whl/*.whl >/dev/null 2>&1; then
    $PY -m pip install -q --no-index --no-deps --no-compile --target /tmp/gpu_check_site \
        .whl/*.whl && export PYTHONPATH=$PYTHONPATH:/tmp/gpu_check_site
fi

$PY - <<'PY' 2>&1 | tee "$OUT/env.txt"
import platform, numpy
print("python", platform.python_version(), "numpy", numpy.__version__)
try:
    import cupy
    print("cupy", cupy.__version__, "devices", cupy.cuda.runtime.getDeviceCount())
except Exception as e:
    print("cupy: unusable:", e)
try:
    import torch
    print("torch", torch.__version__, "cuda", torch.cuda.is_available())
except Exception as e:
    print("torch: unusable:", e)
PY

TEST_RC=skipped
if $PY -c "import pytest" 2>/dev/null; then
    XDIST=""
    $PY -c "import xdist" 2>/dev/null && XDIST="-n 8"
    # AUTOGRAD_CORE_CUDA_INDEX_CHECKS: the tests expect the CPU's IndexErrors on the GPU too.
    AUTOGRAD_CORE_CUDA_INDEX_CHECKS=1 timeout -s INT -k 15 200 $PY -m pytest -q -m gpu \
        $XDIST --tb=short -rfE -p no:cacheprovider -o junit_family=xunit1 --junitxml="$OUT/gpu_tests.xml" \
        tests/core/test_ops_table.py tests/nn tests/optim tests/gpu >"$OUT/gpu_tests.log" 2>&1
    TEST_RC=$?
    tail -n 25 "$OUT/gpu_tests.log"
    timeout -s INT -k 15 120 $PY -m pytest -q --tb=short -rfE -p no:cacheprovider \
        tests/trace >"$OUT/trace_tests.log" 2>&1
    TRACE_RC=$?
    tail -n 3 "$OUT/trace_tests.log"
else
    TRACE_RC=skipped
    echo "pytest is not installed here: GPU tests skipped (carry wheels in .whl/ to run them)"
fi

# A headless record on CUDA, then exports without a window (the data formats need no Qt).
EXPORT_RC=0
timeout 120 $PY -m app record resources/examples/spiral_mlp.py --device cuda -n 3 \
    -o "$OUT/run.gscope" >"$OUT/export.log" 2>&1 || EXPORT_RC=$?
for fmt in json dot; do
    [ "$EXPORT_RC" -eq 0 ] || break
    timeout 60 $PY -m app export "$OUT/run.gscope" -o "$OUT/graph.$fmt" >>"$OUT/export.log" 2>&1 \
        || EXPORT_RC=$?
done
[ "$EXPORT_RC" -eq 0 ] && $PY - "$OUT/run.gscope" >>"$OUT/export.log" 2>&1 <<'PY' || EXPORT_RC=$?
import sys
from autograd_core import trace
caps = trace.load(sys.argv[1]).captures
ops = [n for c in caps for n in c.nodes if n.kind == "op"]
timed = [n for n in ops if n.gpu_ns is not None]
print(f"{len(caps)} captures, {len(ops)} ops, {len(timed)} with CUDA event times")
assert caps and timed, "no op has a CUDA event time"
PY
tail -n 3 "$OUT/export.log"

LEFT=$(( 290 - ($(date +%s) - START) ))
[ "$LEFT" -lt 60 ] && LEFT=60
timeout "$LEFT" $PY benchmarks/bench_gpu.py --repeat 3 --json "$OUT/bench_gpu.json" \
    --profile "$OUT/profile.txt" \
    >"$OUT/bench_gpu.txt" 2>"$OUT/bench_gpu.err"
BENCH_RC=$?
[ "$BENCH_RC" -ne 0 ] && tail -n 20 "$OUT/bench_gpu.err"

echo
echo "================ gpu_check summary ($(( $(date +%s) - START )) s) ================"
$PY - "$OUT" "$TEST_RC" "$BENCH_RC" "$TRACE_RC" "$EXPORT_RC" <<'PY'
import os, sys, xml.etree.ElementTree as ET
out, test_rc, bench_rc, trace_rc, export_rc = sys.argv[1:6]
print(f"trace tests: exit {trace_rc} (trace_tests.log); headless record + export on CUDA: "
      f"exit {export_rc} (export.log)")
xml = os.path.join(out, "gpu_tests.xml")
if os.path.exists(xml):
    s = ET.parse(xml).getroot()
    s = s if s.tag == "testsuite" else s.find("testsuite")
    n, f, e, k = (int(s.get(a, 0)) for a in ("tests", "failures", "errors", "skipped"))
    print(f"GPU tests: {n - f - e - k} passed, {f} failed, {e} errors, {k} skipped "
          f"(pytest exit {test_rc})")
    bad = [c for c in s.iter("testcase")
           if c.find("failure") is not None or c.find("error") is not None]
    for case in bad[:40]:
        print("  FAILED", case.get("classname"), case.get("name"))
    if len(bad) > 40:
        print(f"  ... and {len(bad) - 40} more (gpu_tests.log)")
else:
    print(f"GPU tests: not run ({test_rc})")
table = os.path.join(out, "bench_gpu.txt")
text = open(table).read().strip() if os.path.exists(table) else ""
print(text if text else f"GPU benchmark: no table (exit {bench_rc}; see bench_gpu.err)")
PY
