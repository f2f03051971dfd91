"""PyTorch's side of `npm run bench`: the same workloads, timed in the same run, interleaved
with the lab's runs.

Reads a JSON list of workloads from argv[1] (written by test/bench/bench.ts, so both sides
share one definition) and prints one JSON line to stdout:
  {"torch": version, "blas": library, "threads": n}
or {"error": "..."} when torch cannot be imported (exit code 0: the bench says so). Then it
answers requests, one JSON line each on stdin, until stdin ends:
  {"warmup": name}  runs the workload `warmup` times untimed  -> {"ok": true}
  {"time": name, "runs": n}  runs it once untimed, then n times timed  -> {"ms": [n times]}
so that the bench can alternate blocks of lab runs and PyTorch runs, and both sides see the
same machine (the speed of a shared machine drifts by tens of percent within a minute). The
untimed run of each block takes what the other side's block left behind (caches, a core
woken from idle), as the lab's own untimed run does on its side.

Each workload is timed as a researcher would run it: `nn.LSTM` / `nn.GRU` with
`batch_first=True` and the module's own initialisation, and attention written in plain
tensor ops (PyTorch 1.13 has no fused attention), all under `torch.inference_mode()` with
`torch.set_num_threads(1)`. Inputs and modules are made once per workload, before its
first run, as the lab's are.
"""
import json
import math
import sys
import time


def loaded_blas():
    """The BLAS library this process mapped (OpenBLAS, reference BLAS, MKL, ...)."""
    try:
        with open('/proc/self/maps') as maps:
            names = {line.split()[-1].rsplit('/', 1)[-1] for line in maps if '.so' in line}
    except OSError:
        return 'unknown'
    for key in ('openblas', 'mkl', 'blis', 'atlas', 'libblas'):
        for name in sorted(names):
            if key in name.lower():
                return name
    return 'unknown'


def recurrent(torch, w):
    cls = torch.nn.LSTM if w['model'] == 'lstm' else torch.nn.GRU
    module = cls(w['features'], w['units'], batch_first=True)
    x = torch.randn(w['batch'], w['time'], w['features'])
    return lambda: module(x)


def attention(torch, w):
    """Causal softmax attention of one head (q, k, v projected from x), optionally with the
    Forgetting Transformer's decay bias D_ij = Σ_{k=j+1..i} ln f_k."""
    T, F, d = w['time'], w['features'], w['keyDim']
    x = torch.randn(T, F)
    wq, wk, wv = (torch.randn(F, d) / math.sqrt(F) for _ in range(3))
    wf = torch.randn(F, 1) / math.sqrt(F)
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    forgetting = w['model'] == 'forgetting-attention'

    def run():
        q, k, v = x @ wq, x @ wk, x @ wv
        scores = (q @ k.T) / math.sqrt(d)
        if forgetting:
            c = torch.cumsum(torch.nn.functional.logsigmoid(x @ wf).squeeze(1), 0)
            scores = scores + (c[:, None] - c[None, :])
        weights = torch.softmax(scores.masked_fill(mask, float('-inf')), dim=-1)
        return weights @ v

    return run


def main():
    workloads = json.loads(sys.argv[1])
    try:
        import torch
    except ImportError as e:
        print(json.dumps({'error': f'PyTorch not installed ({e})'}))
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)
    by_name = {w['name']: w for w in workloads}
    made = {}
    print(json.dumps({'torch': torch.__version__, 'blas': loaded_blas(), 'threads': torch.get_num_threads()}), flush=True)
    with torch.inference_mode():
        for line in sys.stdin:
            request = json.loads(line)
            name = request.get('warmup', request.get('time'))
            if name not in made:
                w = by_name[name]
                made[name] = attention(torch, w) if 'attention' in w['model'] else recurrent(torch, w)
            fn = made[name]
            if 'warmup' in request:
                for _ in range(by_name[name]['warmup']):
                    fn()
                print(json.dumps({'ok': True}), flush=True)
                continue
            fn()
            times = []
            for _ in range(request['runs']):
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({'ms': times}), flush=True)


if __name__ == '__main__':
    main()
