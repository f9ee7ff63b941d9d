#!/usr/bin/env python3
"""Second reference for the CUDA benchmark: the same Whisper GEMM shapes and attention size through
PyTorch (cuBLAS FP16 matmul, torch._int_mm INT8 -> INT32, scaled_dot_product_attention), timed with CUDA
events. Used by scripts/gpu-check.sh when python3 with a CUDA-enabled torch exists. JSON on stdout.

    python3 scripts/torch-baseline.py > torch.json
"""
import json
import sys

try:
    import torch
except Exception as e:  # no torch: say so, do not fail the check
    print(json.dumps({"skipped": f"no torch: {e}"}))
    sys.exit(0)

if not torch.cuda.is_available():
    print(json.dumps({"skipped": "torch sees no CUDA device"}))
    sys.exit(0)


def time_ms(fn, warmup=5, iters=30):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    best = float("inf")
    for _ in range(3):
        start.record()
        for _ in range(iters):
            fn()
        end.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(end) / iters)
    return best


shapes = [("base", "attn_proj", 1500, 512, 512), ("base", "mlp_fc1", 1500, 2048, 512),
          ("base", "mlp_fc2", 1500, 512, 2048), ("small", "attn_proj", 1500, 768, 768),
          ("small", "mlp_fc1", 1500, 3072, 768), ("small", "mlp_fc2", 1500, 768, 3072)]
out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda, "gemm": []}
torch.manual_seed(0)
for model, name, m, n, k in shapes:
    a16 = torch.randn(m, k, device="cuda", dtype=torch.float16)
    w16 = torch.randn(k, n, device="cuda", dtype=torch.float16)
    row = {"model": model, "name": name, "m": m, "n": n, "k": k}
    row["fp16_ms"] = time_ms(lambda: a16 @ w16)
    # torch._int_mm wants M > 16 and K, N multiples of 8: true for every shape here
    a8 = torch.randint(-127, 128, (m, k), device="cuda", dtype=torch.int8)
    w8 = torch.randint(-127, 128, (k, n), device="cuda", dtype=torch.int8)
    try:
        row["int8_ms"] = time_ms(lambda: torch._int_mm(a8, w8))
        ref = a8.double().cpu() @ w8.double().cpu()
        row["int8_exact"] = bool(torch.equal(torch._int_mm(a8, w8).cpu().double(), ref))
    except Exception as e:
        row["int8_error"] = str(e)[:200]
    flops = 2.0 * m * n * k
    row["fp16_tflops"] = flops / row["fp16_ms"] / 1e9
    if "int8_ms" in row:
        row["int8_tops"] = flops / row["int8_ms"] / 1e9
    out["gemm"].append(row)

att = []
for heads in (8, 12):
    q, k_, v = (torch.randn(1, heads, 1500, 64, device="cuda", dtype=torch.float16) for _ in range(3))

    def naive():
        s = (q @ k_.transpose(-1, -2)) * 0.125
        return torch.softmax(s.float(), dim=-1).half() @ v

    row = {"heads": heads, "t": 1500, "head_dim": 64,
           "naive_ms": time_ms(naive),
           "sdpa_ms": time_ms(lambda: torch.nn.functional.scaled_dot_product_attention(q, k_, v))}
    att.append(row)
out["attention"] = att
print(json.dumps(out))
