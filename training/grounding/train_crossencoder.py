#!/usr/bin/env python3
"""Fine-tune a MiniLM-L6 cross-encoder (claim, evidence) -> supported logit on
CPU, export it to ONNX and quantise it to int8. A development step, never a
CI step: torch is not a dependency of the service.

    # once: the training venv and base weights (training/grounding/README.md)
    .venv-train/bin/python training/grounding/train_crossencoder.py --mode final    # the shipped model
    .venv-train/bin/python training/grounding/train_crossencoder.py --mode lodo --domains ectsum,podcast

Modes:
  final  one model on every training domain, less a held-out share of the
         documents of each domain (--dev-share, by document, never news):
         writes crossencoder.onnx and dev_scores.jsonl (out-of-sample
         sentence scores of the held-out documents, for the thresholds)
  lodo   one model per held-out domain (--domains), trained on the others
         with the same recipe; writes oof_<domain>.jsonl (its sentence scores)
  rescore  recompute oof_<domain>.jsonl from existing fold models

Speed (torch CPU, <=128 word pieces, batch 16): 6-9 pairs/s on 2 idle cores,
1.3-3 pairs/s when the machine is shared. Run it with nohup and read the log.

Inputs: statements.jsonl and synthetic.jsonl from prepare_pairs.py in --work.
The news split is never read here. Tokenisation is
qa_service.adapters.onnx_crossencoder.encode_pairs, the run-time code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from transformers import AutoModelForSequenceClassification  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
from qa_service.adapters.onnx_crossencoder import TOKENIZER, encode_pairs  # noqa: E402

DOMAINS = ("ectsum", "podcast", "qmsumm", "sales_call", "sales_email", "samsum", "scitldr")
WORK = HERE / ".work"
DEFAULT_BASE = WORK / "dl/all_minilm_l6_v2/model"


def load_jsonl(path: Path) -> list[dict]:
    with path.open() as fh:
        return [json.loads(line) for line in fh]


def is_dev(doc: int, share: float) -> bool:
    """A stable by-document split of the training domains (never news)."""
    return share > 0 and int(hashlib.sha256(f"doc-{doc}".encode()).hexdigest(), 16) % 1000 < share * 1000


def training_pairs(statements: list[dict], synthetic: list[dict], keep, seed: int,
                   synthetic_share: float | None) -> list[tuple[str, str, float]]:
    """Real labelled statements and synthetic pairs of the documents ``keep``
    accepts (domain, doc). All of both, unless ``synthetic_share`` caps the
    synthetic ones to that share of the total."""
    rng = random.Random(seed)
    real = [(s["claim"], " ".join(s["evidence"]), float(s["label"])) for s in statements
            if keep(s["domain"], s["doc"]) and s["label"] is not None]
    syn = [(s["claim"], " ".join(s["evidence"]), float(s["label"])) for s in synthetic
           if keep(s["domain"], s["doc"])]
    rng.shuffle(syn)
    if synthetic_share is not None:
        syn = syn[: int(len(real) * synthetic_share / (1 - synthetic_share))]
    pairs = real + syn
    rng.shuffle(pairs)
    return pairs


def batches(pairs: list, batch: int, rng: random.Random) -> list[list]:
    """Shuffled batches of similar length (less padding, the main cost on CPU)."""
    order = list(pairs)
    rng.shuffle(order)
    out = []
    pool = batch * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda p: len(p[0]) + len(p[1]))
        out += [chunk[i:i + batch] for i in range(0, len(chunk), batch)]
    rng.shuffle(out)
    return out


def train(pairs: list[tuple[str, str, float]], base: Path, tokenizer: Tokenizer, args, seed: int, log
          ) -> torch.nn.Module:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=1)
    # Word embeddings frozen: 12M of the 23M parameters, slow to update on CPU
    # and the part least in need of change for a new head.
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    plan = [b for _ in range(args.epochs) for b in batches(pairs, args.batch, rng)]
    steps = len(plan)
    warm = max(1, int(steps * 0.06))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    t0 = time.time()
    running = 0.0
    seen = 0
    for step, chunk in enumerate(plan):
        ids, mask, types = encode_pairs(tokenizer, [(c, e) for c, e, _ in chunk], args.max_len)
        out = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                    token_type_ids=torch.from_numpy(types))
        y = torch.tensor([label for _, _, label in chunk], dtype=torch.float32)
        loss = loss_fn(out.logits.squeeze(-1), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        seen += len(chunk)
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if step % 25 == 0 or step == steps - 1:
            log(f"  step {step + 1}/{steps} loss {running:.4f} {seen / (time.time() - t0):.1f} pairs/s")
    model.eval()
    model.final_loss = running  # type: ignore[attr-defined]
    return model


class _Logit(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
        return self.model(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).logits


def export_int8(model: torch.nn.Module, path: Path, tokenizer: Tokenizer, max_len: int) -> None:
    """ONNX export (fp32, dynamic batch and length), then dynamic int8 quantisation."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids, mask, types = encode_pairs(tokenizer, [("a claim", "a passage sentence")], max_len)
    fp32 = path.with_suffix(".fp32.onnx")
    wrapped = _Logit(model).eval()
    inputs = (torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
    kwargs = dict(input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                  dynamic_axes={n: {0: "batch", 1: "seq"} for n in ("input_ids", "attention_mask", "token_type_ids")}
                  | {"logits": {0: "batch"}}, opset_version=17)
    with torch.no_grad():
        try:
            torch.onnx.export(wrapped, inputs, str(fp32), dynamo=False, **kwargs)
        except TypeError:
            torch.onnx.export(wrapped, inputs, str(fp32), **kwargs)
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()
    for extra in path.parent.glob(path.stem + "*.data"):
        extra.unlink()


def onnx_scores(model_path: Path, rows: list[dict]) -> list[float]:
    """P(supported) of statements through the run-time adapter (int8, one pair per run)."""
    from qa_service.adapters.onnx_crossencoder import OnnxCrossEncoder

    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
    tok = hashlib.sha256(TOKENIZER.read_bytes()).hexdigest()
    ce = OnnxCrossEncoder(model_path, digest, tok)
    logits = ce.logits([(s["claim"], " ".join(s["evidence"])) for s in rows])
    return [1.0 / (1.0 + math.exp(-z)) for z in logits]


def write_scores(path: Path, rows: list[dict], scores: list[float], log) -> None:
    with path.open("w") as fh:
        for s, p in zip(rows, scores, strict=True):
            fh.write(json.dumps({"sid": s["sid"], "score": float(p)}) + "\n")
    lab = [(p, s["label"]) for s, p in zip(rows, scores, strict=True) if s["label"] is not None]
    acc = np.mean([(p >= 0.5) == (label == 1) for p, label in lab]) if lab else float("nan")
    log(f"  wrote {path.name}: {len(rows)} statements; sentence accuracy at 0.5 = {acc:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("final", "lodo", "rescore"), required=True)
    ap.add_argument("--base", type=Path, default=DEFAULT_BASE, help="unzipped all-MiniLM-L6-v2 model.zip")
    ap.add_argument("--work", type=Path, default=WORK, help="caches from prepare_pairs.py; outputs go here")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--synthetic-share", type=float, default=None,
                    help="cap synthetic pairs to this share of the training pairs (default: use all)")
    ap.add_argument("--dev-share", type=float, default=0.15, help="final: documents held out for thresholds")
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--domains", default=",".join(DOMAINS), help="lodo: held-out domains to run (comma list)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="smoke test: this many training pairs and dev rows")
    ap.add_argument("--tag", default="", help="suffix for output names (several recipes side by side)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tokenizer = Tokenizer.from_file(str(TOKENIZER))
    statements = load_jsonl(args.work / "statements.jsonl")
    synthetic = load_jsonl(args.work / "synthetic.jsonl")
    log_path = args.work / f"train_{args.mode}{args.tag}.log"

    def log(msg: str) -> None:
        print(msg, flush=True)
        with log_path.open("a") as fh:
            fh.write(msg + "\n")

    log(f"config {vars(args)}")
    if args.mode == "final":
        out = args.work / f"final{args.tag}"
        out.mkdir(parents=True, exist_ok=True)
        pairs = training_pairs(statements, synthetic, lambda dom, doc: not is_dev(doc, args.dev_share),
                               args.seed, args.synthetic_share)
        if args.limit:
            pairs = pairs[: args.limit]
        log(f"final: {len(pairs)} training pairs ({sum(p[2] for p in pairs):.0f} supported), "
            f"{args.epochs} epochs")
        model = train(pairs, args.base, tokenizer, args, args.seed, log)
        log(f"final training loss {model.final_loss:.4f}")
        export_int8(model, out / "crossencoder.onnx", tokenizer, args.max_len)
        dev = [s for s in statements if is_dev(s["doc"], args.dev_share)]
        if args.limit:
            dev = dev[: args.limit]
        write_scores(out / "dev_scores.jsonl", dev, onnx_scores(out / "crossencoder.onnx", dev), log)
        (out / "recipe.json").write_text(json.dumps({k: str(v) for k, v in vars(args).items()}
                                                    | {"pairs": len(pairs), "final_loss": model.final_loss},
                                                    indent=1))
        log(f"wrote {out}")
        return
    fold_dir = args.work / f"folds{args.tag}"
    fold_dir.mkdir(parents=True, exist_ok=True)
    for held in args.domains.split(","):
        model_path = fold_dir / f"ce_{held}.onnx"
        rows = [s for s in statements if s["domain"] == held]
        if args.mode == "lodo":
            t0 = time.time()
            pairs = training_pairs(statements, synthetic, lambda dom, doc, h=held: dom != h, args.seed,
                                   args.synthetic_share)
            log(f"fold {held}: {len(pairs)} training pairs, {args.epochs} epochs")
            model = train(pairs, args.base, tokenizer, args, args.seed, log)
            log(f"fold {held}: training loss {model.final_loss:.4f}, {time.time() - t0:.0f}s")
            export_int8(model, model_path, tokenizer, args.max_len)
        if model_path.exists():
            write_scores(fold_dir / f"oof_{held}.jsonl", rows, onnx_scores(model_path, rows), log)


if __name__ == "__main__":
    main()
