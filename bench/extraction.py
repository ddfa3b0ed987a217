"""Score ``collectors.extract`` on the scrapinghub article-extraction benchmark.

Metric (as the benchmark defines it): the article body is split into words, every run of four
consecutive words is a shingle; per page, true positives are shingles both in the prediction and in
the ground truth (counted with multiplicity), precision = tp / predicted, recall = tp / true. Mean
precision and mean recall over the pages, and F1 of those two means. A page where both texts are
empty counts as perfect.

Run: ``python bench/extraction.py [DATA_DIR [STORED_OUTPUT.json]]``; given a stored output file the
script scores that file instead of running the extractor (a check of the metric).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "article_extraction" / "scrapinghub"
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def page_scores(predicted: str, truth: str) -> tuple[float, float]:
    """(precision, recall) for one page."""
    pred = shingles(predicted)
    gold = shingles(truth)
    if not pred and not gold:
        return 1.0, 1.0
    tp = sum((pred & gold).values())
    precision = tp / sum(pred.values()) if pred else 0.0
    recall = tp / sum(gold.values()) if gold else 0.0
    return precision, recall


def main(argv: list[str]) -> int:
    data_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    truth_file = data_dir / "ground-truth.json"
    if not truth_file.is_file():
        print(f"benchmark data not found at {data_dir}; nothing to score")
        return 0
    truth: dict[str, dict[str, str]] = json.loads(truth_file.read_text(encoding="utf-8"))
    stored: dict[str, str] | None = None
    if len(argv) > 2:  # score a stored system output instead, to check the metric
        loaded = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        outputs = loaded.get("output", loaded)
        stored = {key: value.get("articleBody") or "" for key, value in outputs.items()}
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from collectors.extract import extract_article

    precisions: list[float] = []
    recalls: list[float] = []
    started = time.perf_counter()
    for page_id, gold in sorted(truth.items()):
        if stored is not None:
            predicted = stored.get(page_id, "")
        else:
            html = gzip.decompress((data_dir / "html" / f"{page_id}.html.gz").read_bytes())
            predicted = extract_article(html, url=gold.get("url")).text
        precision, recall = page_scores(predicted, gold.get("articleBody", ""))
        precisions.append(precision)
        recalls.append(recall)
    elapsed = time.perf_counter() - started
    mean_p = sum(precisions) / len(precisions)
    mean_r = sum(recalls) / len(recalls)
    f1 = 2 * mean_p * mean_r / (mean_p + mean_r) if mean_p + mean_r else 0.0
    print(f"pages: {len(precisions)}  time: {elapsed:.1f} s")
    print(f"F1 {f1:.3f}  precision {mean_p:.3f}  recall {mean_r:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
