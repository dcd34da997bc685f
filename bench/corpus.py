"""Generate a benchmark corpus: N unique articles of 2–8 KB from real sentences.

Sentences come from ``../shared/dev`` (WikiWars narratives, UCDP GED headlines) and
``../shared/samples``; each article draws its own sentences, publication date, source and
format (JSON Lines files of up to 500 articles, or one text file per article), seeded, so the
same N always gives the same corpus and no two articles are identical.

    python -m bench.corpus 10000 bench/out/corpus-10000
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SOURCES = ["Reuters", "Associated Press", "Agence France Presse", "Kyiv Independent", "BBC News",
           "Ukrinform", "Interfax-Ukraine", "Al Jazeera", "Deutsche Welle", "The Guardian"]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def load_sentences(shared: Path = SHARED) -> list[str]:
    """Real sentences from the shared development data, deduplicated, in a stable order."""
    sentences: list[str] = []
    with (shared / "dev" / "wikiwars" / "articles.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            for paragraph in json.loads(line)["text"].split("\n"):
                sentences.extend(s.strip() for s in _SENTENCE_END.split(paragraph))
    with (shared / "dev" / "ucdp-ged-ukraine" / "conflict_data_ukr.csv").open(encoding="utf-8") as h:
        rows = csv.DictReader(h)
        next(rows)  # the HXL tag line
        for row in rows:
            sentences.extend(f"{s.strip()}." for s in (row["source_headline"] or "").split(";"))
    for sample in sorted((shared / "samples").glob("*.txt")):
        body = sample.read_text(encoding="utf-8").split("---", 2)[-1]
        for paragraph in body.split("\n"):
            sentences.extend(s.strip() for s in _SENTENCE_END.split(paragraph))
    unique = dict.fromkeys(s for s in sentences if 40 <= len(s) <= 600)
    return list(unique)


def make_article(rng: random.Random, sentences: list[str], index: int) -> dict[str, str]:
    """One article of 2–8 KB: a title, a dateline and sentences drawn from the pool."""
    target = rng.randint(2048, 8192)
    published = date(2014, 1, 1) + timedelta(days=rng.randrange(365 * 11))
    source = rng.choice(SOURCES)
    title = rng.choice(sentences).rstrip(".")[:120]
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        size += len(sentence) + 1
    paragraphs = [" ".join(parts[i:i + 4]) for i in range(0, len(parts), 4)]
    return {"id": f"bench-{index:07d}", "title": title, "text": "\n".join(paragraphs),
            "published": published.isoformat(), "source": source,
            "url": f"https://news.example/{published:%Y/%m/%d}/{index}"}


def write_corpus(n: int, out: Path, seed: int = 20241217, shared: Path = SHARED,
                 txt_share: float = 0.3) -> Path:
    """Write N articles under ``out`` (JSON Lines shards and text files); returns ``out``."""
    rng = random.Random(seed)
    sentences = load_sentences(shared)
    out.mkdir(parents=True, exist_ok=True)
    shard: list[str] = []
    shard_index = 0
    for index in range(n):
        article = make_article(rng, sentences, index)
        if rng.random() < txt_share:
            folder = out / "txt" / f"{index // 1000:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            front = "".join(f"{k}: {article[k]}\n" for k in ("id", "published", "source", "url"))
            (folder / f"{article['id']}.txt").write_text(
                f"---\n{front}---\n{article['title']}\n{article['text']}\n", encoding="utf-8")
        else:
            shard.append(json.dumps(article, ensure_ascii=False))
            if len(shard) == 500:
                _write_shard(out, shard_index, shard)
                shard, shard_index = [], shard_index + 1
    if shard:
        _write_shard(out, shard_index, shard)
    return out


def _write_shard(out: Path, index: int, lines: list[str]) -> None:
    (out / "jsonl").mkdir(parents=True, exist_ok=True)
    (out / "jsonl" / f"shard-{index:05d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--txt-share", type=float, default=0.3,
                        help="share of articles written as one text file each (rest: JSONL shards)")
    args = parser.parse_args()
    write_corpus(args.n, args.out, txt_share=args.txt_share)
    print(f"wrote {args.n} articles to {args.out}")


if __name__ == "__main__":
    main()
