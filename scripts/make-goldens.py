#!/usr/bin/env python3
"""Check the committed goldens of test/fixtures against the checkpoint files, and write the FP8
fixtures' act-quant goldens.

    python scripts/make-goldens.py --out test/fixtures            # check, then write (see below)
    python scripts/make-goldens.py --out test/fixtures --check    # check only, write nothing

Needs the pinned packages of scripts/fixtures-requirements.txt (torch, transformers, safetensors),
like `make-fixtures.py --out`. Deterministic (CPU, float32, fixed thread count). Run it after
make-fixtures.py: that script deletes and rewrites the fixture directories, README.md and SHA256SUMS,
and this one adds to them.

What it checks (every run; any failure stops it with a nonzero exit):
  1. Every fixture with golden.json (and v2-lite-tiny-sharded, against v2-lite-tiny's golden) loads
     into transformers in float32 from the files in its directory with no missing, unexpected or
     mismatched keys, and its logits equal golden.json within 1e-6 relative (max |d| / max |golden|),
     its routing likewise. FP8 checkpoints are dequantised here (W = fp8 * weight_scale_inv per
     128x128 block, partial last blocks included) into a plain float32 checkpoint for a model built
     from config.json without quantization_config. So the goldens are reproducible from the
     committed checkpoints, not only from make-fixtures.py's in-memory models.
  2. Conditioning of each act-quant golden (below): no quantised activation lies exactly on an e4m3
     rounding tie, and transformers' RMSNorm with its variance summed in float64 (an equally valid
     float32 RMSNorm, about one ulp different) moves the act-quant logits by less than COND_TOL
     (1e-4) of max |logit|. An implementation whose float32 rounding differs from torch's must be
     able to match the golden.
  3. For each V3 fixture (v3-tiny and the two FP8 ones; dequantised weights), the experts chosen
     with transformers' -inf fill of masked expert groups differ from those of a 0.0 fill (older
     transformers; DeepSeek before commit 1398800) at one (layer, position) pair at least, so the
     fixture exercises the masking (its e_score_correction_bias has mean -0.6, see make-fixtures.py
     BIAS_MEAN).
  Failures of checks 2 and 3 do not stop the run: the files below are still written (to be
  inspected), then each failure is reported and the run exits 1.

What it writes (not with --check):
  <fp8 fixture>/golden-act-quant.json  same format as golden.json, for `--fp8-gemm act-quant`:
      transformers with every FP8 Linear replaced by a torch emulation of DeepSeek's act_quant +
      fp8_gemm (see fp8_linear below). EXCEPTION: self_attn.kv_b_proj is not act-quantised; it uses
      the dequantised weight in float32, because DeepSeek's absorbed-MLA inference dequantises wkv_b
      and never quantises the latent, and Kiln's absorbed attention follows it. Norms, router,
      attention, embeddings and lm_head stay float32 as in transformers.
  a line in those fixtures' FIXTURE.md and a section in README.md describing it, and SHA256SUMS
  (rewritten with make-fixtures.py's write_sums, so `make-fixtures.py --check` covers the new files).
golden.json itself is make-fixtures.py's and is never written here.
"""

import argparse
import importlib.util
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_make_fixtures():
    # Reuse make-fixtures.py's helpers (quantise/dequantise, run_golden, write_golden, write_sums)
    # so the two scripts cannot drift apart. Its module level imports only the standard library.
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(HERE, "make-fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


mf = _load_make_fixtures()

GOLDEN_FIXTURES = ["v3-tiny", "v3-tiny-fp8", "v31-tiny-fp8-ue8m0", "v2-lite-tiny", "v2-tiny"]
SHARD_COPIES = {"v2-lite-tiny-sharded": "v2-lite-tiny"}   # same tensors, its source's golden.json
FP8_FIXTURES = ["v3-tiny-fp8", "v31-tiny-fp8-ue8m0"]
MASKING_FIXTURES = ["v3-tiny", "v3-tiny-fp8", "v31-tiny-fp8-ue8m0"]
COND_TOL = 1e-4         # act-quant logits may move at most this much (of max |logit|) under the
                        # float64-variance RMSNorm
REL_TOL = 1e-6          # goldens are rounded to 7 significant digits
ACT_GOLDEN = "golden-act-quant.json"
BLOCK = mf.BLOCK
E4M3_MAX = mf.E4M3_MAX
NOT_ACT_QUANTISED = "self_attn.kv_b_proj"
FIXTURE_NOTE_PREFIX = "- golden-act-quant.json:"
README_HEADING = "## golden-act-quant.json and `scripts/make-goldens.py`"

README_SECTION = README_HEADING + """

`v3-tiny-fp8/` and `v31-tiny-fp8-ue8m0/` also hold `golden-act-quant.json` (same format as
golden.json): the goldens of `--fp8-gemm act-quant`. transformers runs in float32 with every FP8
Linear replaced by a torch emulation of DeepSeek's `act_quant` + `fp8_gemm`: activations quantised
to e4m3 per token per 128 channels with `s = max(amax, 1e-4)/448` (rounded up to a power of two
for `scale_fmt: ue8m0`), e4m3 x e4m3 products summed per 128-channel K-block in float32, each
block's sum times both scales, accumulated in float32. Exception: `self_attn.kv_b_proj` uses its
dequantised weight in float32 and is not act-quantised (DeepSeek's absorbed MLA dequantises wkv_b
and never quantises the latent; Kiln's absorbed attention follows it). golden.json of those
fixtures remains the `--fp8-gemm dequant` golden.

Conditioning (asserted). These random models amplify small differences: the act-quant goldens
differ from golden.json by
{vs_dequant} of max |logit|.
So what matters is that an implementation whose float32 rounding differs from torch's can match
them, and the script asserts it: no quantised activation lies exactly on an e4m3 rounding tie, and
transformers' RMSNorm with its variance summed in float64 (about one ulp off) moves the act-quant
logits by less than 1e-4 of max |logit|; it moves them by
{moved}.
Before v3-tiny-fp8 stored its embedding in float32 (it was bf16), 108 of its quantised
activations were exact ties and that RMSNorm change moved its act-quant logits by 0.39 of
max |logit| (see above).

- `python scripts/make-goldens.py --out test/fixtures` (same virtual environment; run it after
  make-fixtures.py, which rewrites the fixture directories and this README) loads every fixture
  with a golden from its files into transformers, asserts that every tensor was loaded and that
  the logits equal golden.json within 1e-6 relative, writes `golden-act-quant.json`, the
  FIXTURE.md notes, this section and SHA256SUMS, and then asserts the conditioning above and that
  each V3 fixture's routing depends on the -inf masking of expert groups (exit 1 if any assertion
  fails). A 0.0 fill changes the chosen experts at
  {masking} (layer, position) pairs.
  `--check` does the same checks (and compares `golden-act-quant.json`) without writing.
"""


# ----------------------------------------------------------------------------- loading

def read_checkpoint(d):
    """Every tensor of the directory's safetensors (one file or an index's shards)."""
    from safetensors.torch import load_file
    index = os.path.join(d, "model.safetensors.index.json")
    if os.path.isfile(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    out = {}
    for name in files:
        part = load_file(os.path.join(d, name))
        dup = set(part) & set(out)
        if dup:
            raise SystemExit("%s: tensors in two shards: %s" % (d, sorted(dup)[:3]))
        out.update(part)
    return out


def dequantised_state(stored):
    """The plain float32 checkpoint of an FP8 one: W = fp8 * weight_scale_inv per 128x128 block
    (partial last blocks included), every other tensor upcast. Exactly make-fixtures.py's
    dequantisation, so the FP8 golden.json is reproducible from the stored codes and scales."""
    import torch
    out = {}
    for k, v in stored.items():
        if k.endswith("_scale_inv"):
            if k[:-len("_scale_inv")] not in stored:
                raise SystemExit("%s has no weight" % k)
            continue
        s = stored.get(k + "_scale_inv")
        if s is None:
            out[k] = v.float()
            continue
        if v.dtype != torch.float8_e4m3fn or s.dtype != torch.float32:
            raise SystemExit("%s: expected F8_E4M3 codes with F32 scales, got %s / %s" % (k, v.dtype, s.dtype))
        want = (-(-v.shape[0] // BLOCK), -(-v.shape[1] // BLOCK))
        if tuple(s.shape) != want:
            raise SystemExit("%s_scale_inv: shape %s, want %s" % (k, tuple(s.shape), want))
        out[k] = mf.dequantise(v, s).contiguous()
    return out


def assert_all_loaded(name, model, info, ckpt):
    """transformers' own loading report must be empty, and the model's persistent state must hold as
    many values as the checkpoint (catches keys a model silently ignores on load)."""
    bad = {k: v for k, v in info.items() if v}
    if bad:
        raise SystemExit("%s: transformers did not load every tensor: %s" % (name, bad))
    n_model = sum(t.numel() for t in model.state_dict().values())
    n_ckpt = sum(t.numel() for k, t in ckpt.items() if not k.endswith("_scale_inv"))
    if n_model != n_ckpt:
        raise SystemExit("%s: model holds %d values, checkpoint %d" % (name, n_model, n_ckpt))


def load_fixture(d):
    """(float32 eager transformers model, stored tensors, config dict). FP8 checkpoints go through
    dequantised_state into a temporary plain checkpoint whose config has no quantization_config."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM
    name = os.path.basename(d)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    stored = read_checkpoint(d)
    kw = dict(dtype=torch.float32, attn_implementation="eager", output_loading_info=True)
    if "quantization_config" not in cfg:
        model, info = AutoModelForCausalLM.from_pretrained(d, **kw)
        assert_all_loaded(name, model, info, stored)
        return model.eval(), stored, cfg
    deq = dequantised_state(stored)
    plain = {k: v for k, v in cfg.items() if k != "quantization_config"}
    plain["dtype"] = "float32"
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(plain, f)
        save_file(deq, os.path.join(tmp, "model.safetensors"), metadata={"format": "pt"})
        model, info = AutoModelForCausalLM.from_pretrained(tmp, **kw)
    assert_all_loaded(name, model, info, deq)
    return model.eval(), stored, cfg


def read_golden(path):
    with open(path) as f:
        return json.load(f)


def golden_ids(doc):
    import torch
    return torch.tensor([doc["input_ids"]], dtype=torch.long)


def rel_diff(logits, doc):
    """max |logits - golden| / max |golden|."""
    import torch
    want = torch.tensor(doc["logits"], dtype=torch.float64).view(doc["shape"])
    if list(logits.shape) != doc["shape"]:
        raise SystemExit("shape %s, golden %s" % (list(logits.shape), doc["shape"]))
    return float((logits.double() - want).abs().max() / want.abs().max())


def routing_diff(routing, doc):
    """(positions whose chosen experts differ, max |weight difference| where they agree)."""
    want = doc["routing"]["layers"]
    if sorted(routing) != sorted(want):
        return ["MoE layers %s vs %s" % (sorted(routing), sorted(want))], 0.0
    bad, wmax = [], 0.0
    for layer in sorted(want, key=int):
        for pos, (e_got, e_want) in enumerate(zip(routing[layer]["experts"], want[layer]["experts"])):
            if e_got != e_want:
                bad.append("layer %s pos %d: %s vs %s" % (layer, pos, e_got, e_want))
                continue
            w_got, w_want = routing[layer]["weights"][pos], want[layer]["weights"][pos]
            wmax = max([wmax] + [abs(a - b) / max(abs(b), 1e-30) for a, b in zip(w_got, w_want)])
    return bad, wmax


def golden_bytes(ids, logits, routing, how):
    """What make-fixtures.py's write_golden would write, to compare byte for byte."""
    with tempfile.TemporaryDirectory() as tmp:
        p = os.path.join(tmp, "g.json")
        mf.write_golden(p, ids, logits, routing, how)
        with open(p, "rb") as f:
            return f.read()


def dequant_how(model, fp8):
    import transformers
    if fp8:   # make-fixtures.py's make_fp8_fixture wording
        return ("transformers %s, DeepseekV3ForCausalLM with the dequantised weights "
                "(fp8 * weight_scale_inv, bf16 tensors upcast), eager, float32" % transformers.__version__)
    return ("transformers %s, %s, attn_implementation=eager, float32, logits of every position"
            % (transformers.__version__, type(model).__name__))


def check_golden(out, name, golden_of=None):
    """Assertion 1: loads completely and reproduces the committed golden.json."""
    d = os.path.join(out, name)
    gpath = os.path.join(out, golden_of or name, "golden.json")
    doc = read_golden(gpath)
    model, stored, cfg = load_fixture(d)
    ids = golden_ids(doc)
    logits, routing = mf.run_golden(model, ids)
    rel = rel_diff(logits, doc)
    bad, wrel = routing_diff(routing, doc)
    if rel > REL_TOL or bad or wrel > REL_TOL:
        raise SystemExit("%s: transformers from the checkpoint files does not reproduce %s: max|d|/max|golden| "
                         "= %.3g (tol %g), routing %s, routing weights rel %.3g"
                         % (name, gpath, rel, REL_TOL, bad[:3] or "equal", wrel))
    same = golden_bytes(ids, logits, routing, dequant_how(model, "quantization_config" in cfg)) == open(gpath, "rb").read()
    print("%-22s all %d tensors loaded; logits vs %s: max|d|/max|golden| = %.3g (tol %g); routing equal; "
          "re-serialised golden.json %s" % (name, len(stored), os.path.relpath(gpath, out), rel, REL_TOL,
                                            "byte-identical" if same else "NOT byte-identical (within tolerance)"))
    return model, stored, cfg, doc


# ----------------------------------------------------------------------------- group masking

def routed_experts(model, ids, fill):
    """The experts every V3 router chooses for ids when masked groups are filled with `fill`
    (transformers fills with -inf). The router forward is transformers 5.23's
    DeepseekV3TopkRouter.forward with the fill value made a parameter; check_masking first proves
    that with fill=-inf it equals the original."""
    import torch
    from transformers.models.deepseek_v3 import modeling_deepseek_v3 as m3

    def forward(self, hidden_states):
        hidden_states = hidden_states.view(-1, self.hidden_dim)
        router_logits = torch.nn.functional.linear(hidden_states.type(torch.float32), self.weight.type(torch.float32))
        scores = router_logits.sigmoid()
        scores_for_choice = scores + self.e_score_correction_bias
        group_scores = (scores_for_choice.view(-1, self.num_group, self.num_experts // self.num_group)
                        .topk(2, dim=-1)[0].sum(dim=-1))
        group_idx = torch.topk(group_scores, k=self.topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = (group_mask.unsqueeze(-1)
                      .expand(-1, self.num_group, self.num_experts // self.num_group)
                      .reshape(-1, self.num_experts))
        scores_for_choice = scores_for_choice.masked_fill(~score_mask.bool(), fill)
        topk_indices = torch.topk(scores_for_choice, k=self.top_k, dim=-1, sorted=False)[1]
        topk_weights = scores.gather(1, topk_indices)
        if self.norm_topk_prob:
            topk_weights /= topk_weights.sum(dim=-1, keepdim=True) + 1e-20
        return router_logits, topk_weights * self.routed_scaling_factor, topk_indices

    original = m3.DeepseekV3TopkRouter.forward
    m3.DeepseekV3TopkRouter.forward = forward if fill is not None else original
    try:
        logits, routing = mf.run_golden(model, ids)
    finally:
        m3.DeepseekV3TopkRouter.forward = original
    return logits, routing


def check_masking(out, name):
    """Assertion 3: 0.0 instead of -inf for masked groups changes the fixture's chosen experts.
    Returns (failure or None, "changed/total")."""
    import torch
    d = os.path.join(out, name)
    doc = read_golden(os.path.join(d, "golden.json"))
    model, _, _ = load_fixture(d)
    ids = golden_ids(doc)
    ref_logits, ref = routed_experts(model, ids, None)
    inf_logits, inf = routed_experts(model, ids, float("-inf"))
    if not torch.equal(ref_logits, inf_logits) or ref != inf:
        raise SystemExit("%s: the copied router forward (fill -inf) differs from transformers' own; "
                         "update routed_experts for this transformers version" % name)
    zero_logits, zero = routed_experts(model, ids, 0.0)
    changed = ["layer %s pos %d: -inf %s, 0.0 %s" % (layer, pos, a, b)
               for layer in sorted(inf, key=int)
               for pos, (a, b) in enumerate(zip(inf[layer]["experts"], zero[layer]["experts"])) if a != b]
    rel = float((zero_logits - inf_logits).abs().max() / inf_logits.abs().max())
    n = sum(len(v["experts"]) for v in inf.values())
    if not changed:
        # A 0.0 fill only loses to -inf when fewer than top_k experts of the kept groups have a
        # positive score + e_score_correction_bias. Shifting every bias by the same negative constant
        # leaves the -inf routing (and so the logits) unchanged but makes such positions appear.
        return ("%s: the chosen experts are the SAME with a 0.0 and a -inf fill of masked groups at all %d "
                "(layer, position) pairs: the fixture does NOT exercise the -inf group masking (its sigmoid "
                "scores + e_score_correction_bias stay positive in the kept groups)" % (name, n)), "0/%d" % n
    print("%-22s group masking matters: a 0.0 fill changes the chosen experts at %d of %d (layer, position) "
          "pairs, e.g. %s; logits max|d|/max = %.3g" % (name, len(changed), n, changed[0], rel))
    return None, "%d/%d" % (len(changed), n)


# ----------------------------------------------------------------------------- act-quant emulation

QUANT_STATS = {"ties": 0, "values": 0}   # filled by act_quant, read by make_act_quant


def act_quant(x, ue8m0):
    """DeepSeek's act_quant(x, 128, scale_fmt) on float32 x [n, K]: per token, per 128-channel block
    (the last one may be partial; zero padding changes neither amax nor the GEMM),
    s = max(amax, 1e-4) / 448, rounded up to a power of two for ue8m0, q = e4m3(x / s).
    Returns q [n, nb, 128] (float8_e4m3fn) and s [n, nb] (float32)."""
    import torch
    n, k = x.shape
    nb = -(-k // BLOCK)
    xp = torch.zeros(n, nb * BLOCK, dtype=torch.float32)
    xp[:, :k] = x
    xb = xp.view(n, nb, BLOCK)
    s = xb.abs().amax(dim=-1).clamp_min(1e-4) / E4M3_MAX
    if ue8m0:
        # 2^ceil(log2 s) from s's binary exponent (exact, as the kernels' bit arithmetic):
        # s = mant * 2^exp with mant in [0.5, 1); s is already a power of two iff mant == 0.5
        mant, exp = torch.frexp(s)
        s = torch.ldexp(torch.ones_like(s), torch.where(mant == 0.5, exp - 1, exp))
    # x/s is within +-448 by construction (s >= amax/448); the clamp only matches the tilelang
    # kernel's and keeps a rounding tie at 448(1+eps) from becoming NaN
    v = (xb / s[..., None]).clamp(-E4M3_MAX, E4M3_MAX)
    q = v.to(torch.float8_e4m3fn)
    # Count values exactly halfway between two e4m3 codes: there round-to-nearest-even decides, and
    # any other float32 computation of x or s that is one ulp off may round the other way.
    up = torch.nextafter(v, torch.full_like(v, float("inf"))).to(torch.float8_e4m3fn)
    down = torch.nextafter(v, torch.full_like(v, float("-inf"))).to(torch.float8_e4m3fn)
    QUANT_STATS["ties"] += int((up.float() != down.float()).sum())   # +0 == -0
    QUANT_STATS["values"] += x.numel()
    return q, s


def fp8_gemm(xq, xs, wq, ws):
    """DeepSeek's fp8_gemm: y[n,o] = sum over K-blocks b of (sum_{k in b} xq[n,k] * wq[o,k]) * xs[n,b]
    * ws[o//128, b], every step in float32 (e4m3 x e4m3 products are exact in float32).
    xq [n, nb, 128] e4m3, xs [n, nb], wq [O, K] e4m3, ws [ceil(O/128), nb]."""
    import torch
    o, k = wq.shape
    nb = xq.shape[1]
    wp = torch.zeros(o, nb * BLOCK, dtype=torch.float32)
    wp[:, :k] = wq.float()
    partial = torch.einsum("nbk,obk->bno", xq.float(), wp.view(o, nb, BLOCK))   # per-block sums
    w_scale = ws.float().repeat_interleave(BLOCK, 0)[:o]                          # [O, nb]
    y = torch.zeros(xq.shape[0], o, dtype=torch.float32)
    for b in range(nb):   # promote each block's partial sum, as the kernels do: dot * a_s * b_s
        y = y + partial[b] * xs[:, b:b + 1] * w_scale[None, :, b]
    return y


def fp8_linear(x, wq, ws, ue8m0):
    shape = x.shape
    xq, xs = act_quant(x.reshape(-1, shape[-1]).float(), ue8m0)
    return fp8_gemm(xq, xs, wq, ws).view(*shape[:-1], wq.shape[0])


def _fp8_modules():
    import torch

    class Fp8Linear(torch.nn.Module):
        """A bias-free Linear whose forward is act_quant + fp8_gemm on the stored e4m3 codes."""

        def __init__(self, wq, ws, ue8m0):
            super().__init__()
            self.wq, self.ws, self.ue8m0 = wq, ws, ue8m0

        def forward(self, x):
            return fp8_linear(x, self.wq, self.ws, self.ue8m0)

    class Fp8Experts(torch.nn.Module):
        """transformers' eager DeepseekV3Experts loop with each expert's gate/up/down an Fp8Linear
        (the checkpoint's per-expert tensors, each with its own scales, instead of the fused ones)."""

        def __init__(self, orig, gate, up, down):
            super().__init__()
            self.num_experts, self.act_fn = orig.num_experts, orig.act_fn
            self.gate, self.up, self.down = (torch.nn.ModuleList(m) for m in (gate, up, down))

        def forward(self, hidden_states, top_k_index, top_k_weights):
            final = torch.zeros_like(hidden_states)
            for e in range(self.num_experts):
                token_idx, top_k_pos = torch.where(top_k_index == e)
                if token_idx.numel() == 0:
                    continue
                x = hidden_states[token_idx]
                h = self.down[e](self.act_fn(self.gate[e](x)) * self.up[e](x))
                final.index_add_(0, token_idx, h * top_k_weights[token_idx, top_k_pos, None])
            return final

    return Fp8Linear, Fp8Experts


def act_quant_model(model, stored, ue8m0):
    """Swap every FP8 Linear of the dequantised model for its act-quant emulation (kv_b_proj
    excepted), checking that each swapped weight is the one transformers loaded."""
    import re
    import torch
    Fp8Linear, Fp8Experts = _fp8_modules()
    fp8 = sorted(k[:-len("_scale_inv")] for k in stored if k.endswith("_scale_inv"))
    used, kept, experts = set(), [], {}
    for key in fp8:
        path = key[:-len(".weight")]
        m = re.fullmatch(r"(.*\.mlp\.experts)\.(\d+)\.(gate|up|down)_proj", path)
        if m:   # collected per layer below
            experts.setdefault(m.group(1), {})[(int(m.group(2)), m.group(3))] = key
            continue
        lin = model.get_submodule(path)
        if not isinstance(lin, torch.nn.Linear) or lin.bias is not None:
            raise SystemExit("%s is not a bias-free Linear" % path)
        if not torch.equal(lin.weight, mf.dequantise(stored[key], stored[key + "_scale_inv"])):
            raise SystemExit("%s: loaded weight is not the dequantised stored one" % path)
        used.add(key)
        if path.endswith(NOT_ACT_QUANTISED):   # absorbed MLA: dequantised weight, float32 latent
            kept.append(path)
            continue
        parent, _, attr = path.rpartition(".")
        setattr(model.get_submodule(parent), attr, Fp8Linear(stored[key], stored[key + "_scale_inv"], ue8m0))
    for path, keys in experts.items():
        orig = model.get_submodule(path)
        n, inter = orig.num_experts, orig.intermediate_dim
        mods = {}
        for part in ("gate", "up", "down"):
            mods[part] = []
            for e in range(n):
                key = keys[(e, part)]
                w = mf.dequantise(stored[key], stored[key + "_scale_inv"])
                ref = {"gate": orig.gate_up_proj[e, :inter], "up": orig.gate_up_proj[e, inter:],
                       "down": orig.down_proj[e]}[part]
                if not torch.equal(ref, w):
                    raise SystemExit("%s: loaded weight is not the dequantised stored one" % key)
                mods[part].append(Fp8Linear(stored[key], stored[key + "_scale_inv"], ue8m0))
                used.add(key)
        parent, _, attr = path.rpartition(".")
        setattr(model.get_submodule(parent), attr, Fp8Experts(orig, mods["gate"], mods["up"], mods["down"]))
    if used != set(fp8):
        raise SystemExit("FP8 tensors not mapped to a module: %s" % sorted(set(fp8) - used)[:3])
    if len(kept) != model.config.num_hidden_layers:
        raise SystemExit("expected one kv_b_proj per layer, got %s" % kept)
    return len(fp8) - len(kept), len(kept)


def act_quant_how(ue8m0):
    import transformers
    return ("transformers %s, DeepseekV3ForCausalLM, eager, float32, with every FP8 Linear replaced by a torch "
            "emulation of DeepSeek's act_quant + fp8_gemm (scripts/make-goldens.py): activations e4m3 per token "
            "per 128 channels, s = max(amax, 1e-4)/448%s; e4m3 x e4m3 sums per 128-channel K-block times both "
            "scales, accumulated in float32. Except self_attn.kv_b_proj: dequantised weight, float32 input "
            "(absorbed MLA)" % (transformers.__version__, ", rounded up to a power of two (ue8m0)" if ue8m0 else ""))


def make_act_quant(out, name, model, stored, cfg, doc, write):
    """Writes (or checks) the act-quant golden. Returns (max|d|/max vs golden.json, ue8m0, number of
    FP8 Linears emulated, max|d|/max under the float64-variance RMSNorm, conditioning failures)."""
    import torch
    ue8m0 = cfg["quantization_config"].get("scale_fmt") == "ue8m0"
    if cfg["quantization_config"].get("weight_block_size") != [BLOCK, BLOCK]:
        raise SystemExit("%s: weight_block_size is not [128, 128]" % name)
    n_q, n_kept = act_quant_model(model, stored, ue8m0)
    ids = golden_ids(doc)
    QUANT_STATS.update(ties=0, values=0)
    logits, routing = mf.run_golden(model, ids)
    ties, values = QUANT_STATS["ties"], QUANT_STATS["values"]
    if not torch.isfinite(logits).all():
        raise SystemExit("%s: act-quant logits are not finite" % name)
    path = os.path.join(out, name, ACT_GOLDEN)
    if write:
        mf.write_golden(path, ids, logits, routing, act_quant_how(ue8m0))
    else:
        committed = read_golden(path)
        rel = rel_diff(logits, committed)
        bad, wrel = routing_diff(routing, committed)
        if rel > REL_TOL or bad or wrel > REL_TOL:
            raise SystemExit("%s: %s is not reproduced: max|d|/max|golden| = %.3g, routing %s"
                             % (name, ACT_GOLDEN, rel, bad[:3] or "equal"))
    vs_dequant = rel_diff(logits, doc)
    moved, _ = routing_diff(routing, doc)
    arg = int((logits.argmax(-1) == torch.tensor(doc["logits"]).view(doc["shape"]).argmax(-1)).sum())
    print("%-22s %s %s: %d FP8 Linears emulated (+%d kv_b_proj dequantised), scale_fmt %s; vs golden.json: "
          "max|d|/max|golden| = %.4g, argmax equal at %d of %d positions, routing differs at %d (layer, position) pairs"
          % (name, "wrote" if write else "checked", ACT_GOLDEN, n_q, n_kept, "ue8m0" if ue8m0 else "f32",
             vs_dequant, arg, logits.shape[0], len(moved)))
    # Conditioning (assertion 2): rerun with an equally valid float32 RMSNorm (variance summed in
    # float64) and see how far the logits move; count exact e4m3 ties in both runs.
    QUANT_STATS.update(ties=0, values=0)
    with rmsnorm_variance_in_float64():
        moved_logits, moved_routing = mf.run_golden(model, ids)
    moved = float((moved_logits - logits).abs().max() / logits.abs().max())
    moved_ties = QUANT_STATS["ties"]
    print("%-22s   conditioning: %d of %d quantised activations lie exactly on an e4m3 rounding tie (%d with "
          "the float64-variance RMSNorm); that RMSNorm moves these logits by max|d|/max = %.3g (limit %g)"
          % ("", ties, values, moved_ties, moved, COND_TOL))
    failures = []
    if ties or moved_ties:
        failures.append("%s: %d (%d) quantised activations lie exactly on e4m3 rounding ties: %s is "
                        "ill-conditioned" % (name, ties, moved_ties, ACT_GOLDEN))
    experts = lambda r: {layer: v["experts"] for layer, v in r.items()}
    if not moved < COND_TOL or experts(moved_routing) != experts(routing):
        failures.append("%s: an RMSNorm one ulp off (variance in float64) moves the %s logits by %.3g of max "
                        "|logit| (limit %g)%s: ill-conditioned" % (name, ACT_GOLDEN, moved, COND_TOL,
                        "" if experts(moved_routing) == experts(routing) else " and changes the chosen experts"))
    return vs_dequant, ue8m0, n_q, moved, failures


class rmsnorm_variance_in_float64:
    """Context: transformers' DeepseekV3RMSNorm with mean(x^2) accumulated in float64, then the same
    float32 steps; differs from the original by about one ulp of the scale."""

    def __enter__(self):
        import torch
        from transformers.models.deepseek_v3 import modeling_deepseek_v3 as m3
        self.cls, self.original = m3.DeepseekV3RMSNorm, m3.DeepseekV3RMSNorm.forward

        def forward(norm, hidden_states):
            input_dtype = hidden_states.dtype
            hidden_states = hidden_states.to(torch.float32)
            variance = hidden_states.double().pow(2).mean(-1, keepdim=True).float()
            hidden_states = hidden_states * torch.rsqrt(variance + norm.variance_epsilon)
            return norm.weight * hidden_states.to(input_dtype)
        self.cls.forward = forward

    def __exit__(self, *exc):
        self.cls.forward = self.original


# ----------------------------------------------------------------------------- notes

def fixture_note(ue8m0, n_q):
    return (FIXTURE_NOTE_PREFIX + " written by `scripts/make-goldens.py`: the `--fp8-gemm act-quant` golden "
            "(same format as golden.json). transformers in float32 with the %d FP8 Linears other than "
            "`self_attn.kv_b_proj` replaced by a torch emulation of DeepSeek's act_quant + fp8_gemm (activations e4m3 "
            "per token per 128 channels, s = max(amax, 1e-4)/448%s; per-K-block e4m3 x e4m3 sums times both "
            "scales, accumulated in float32). Exception: `self_attn.kv_b_proj` uses its dequantised weight in float32 "
            "and is not act-quantised (DeepSeek's absorbed MLA dequantises wkv_b and never quantises the latent; "
            "Kiln's absorbed attention follows it)." % (n_q, ", rounded up to a power of two" if ue8m0 else ""))


def write_fixture_note(d, line):
    """Replace (or append) the golden-act-quant line of FIXTURE.md, so reruns are idempotent."""
    p = os.path.join(d, "FIXTURE.md")
    with open(p) as f:
        lines = [l for l in f.read().rstrip("\n").split("\n") if not l.startswith(FIXTURE_NOTE_PREFIX)]
    with open(p, "w") as f:
        f.write("\n".join(lines + [line]) + "\n")


def write_readme_section(out, facts):
    """Replace (or append) this script's section of README.md (make-fixtures.py writes the rest)."""
    p = os.path.join(out, "README.md")
    with open(p) as f:
        text = f.read()
    text = text.split("\n" + README_HEADING)[0].rstrip("\n") + "\n\n" + README_SECTION.format(**facts)
    with open(p, "w") as f:
        f.write(text)


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=mf.DEFAULT_OUT, help="fixtures directory (default: test/fixtures)")
    ap.add_argument("--check", action="store_true", help="check goldens and %s, write nothing" % ACT_GOLDEN)
    a = ap.parse_args()
    missing = [m for m in ("torch", "transformers", "safetensors") if importlib.util.find_spec(m) is None]
    if missing:
        print("error: needs scripts/fixtures-requirements.txt (missing: %s)" % ", ".join(missing), file=sys.stderr)
        return 2
    import torch
    import transformers
    transformers.utils.logging.disable_progress_bar()
    # make-fixtures.py's settings, so the float32 sums come out the same
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True)
    print(mf.versions())

    fp8 = {}
    for name in GOLDEN_FIXTURES:
        fp8[name] = check_golden(a.out, name)
    for name, src in SHARD_COPIES.items():
        check_golden(a.out, name, golden_of=src)
    notes, failures, facts = {}, [], {"vs_dequant": [], "moved": [], "masking": []}
    for name in FP8_FIXTURES:
        model, stored, cfg, doc = fp8[name]
        vs_dequant, ue8m0, n_q, moved, fail = make_act_quant(a.out, name, model, stored, cfg, doc, write=not a.check)
        notes[name] = fixture_note(ue8m0, n_q)
        failures += fail
        facts["vs_dequant"].append("%.2g (%s)" % (vs_dequant, name))
        facts["moved"].append("%.1g in %s" % (moved, name))
    # The masking assertion needs the dequantised FP8 models, which make_act_quant changed: reload.
    for name in MASKING_FIXTURES:
        fail, frac = check_masking(a.out, name)
        failures += [fail] if fail else []
        facts["masking"].append("%s of %s's" % (frac, name))
    if not a.check:
        for name, line in notes.items():
            write_fixture_note(os.path.join(a.out, name), line)
        write_readme_section(a.out, {k: ", ".join(v[:-1]) + " and " + v[-1] for k, v in facts.items()})
        for rel in mf.fixture_files(a.out):     # as make-fixtures.py: a uniform 0644 tree
            os.chmod(os.path.join(a.out, rel), 0o644)
        n = mf.write_sums(a.out)
        print("rewrote %s (%d files)" % (mf.SUMS, n))
    # Last, so an ill-conditioned golden or a fixture that stops exercising the masking is reported
    # loudly after the files are written (to be inspected); it still fails the run.
    for f in failures:
        print("FAILED: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
