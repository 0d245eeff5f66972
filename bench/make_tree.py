"""Write a synthetic tree of many small files, fast, for the scan benchmark.

The tree is `folders × per_dir` files of a few hundred bytes of varied text, CSV, XML,
JSON, HTML and Markdown, in folders `d0000/`, `d0001/`, … Every file is unique except
about one in fifty, an exact copy of its predecessor (so duplicate detection has work).
Output is deterministic for a given seed, apart from file times.

Only `os.open`/`os.write` and the standard library: about a million files a minute on an
ordinary SSD with two processes.

    python bench/make_tree.py /tmp/besace-bench/tree --files 1000000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

_WORDS = (
    "arrêté délibération conseil municipal commune mairie budget primitif compte"
    " administratif état civil naissance mariage décès cimetière concession voirie"
    " urbanisme permis construire déclaration préalable cadastre parcelle école cantine"
    " périscolaire marché public devis facture mandat titre recette dépense subvention"
    " association fête patronale salle polyvalente élection liste électorale recensement"
    " population agent personnel paie congés formation courrier registre archives"
    " versement bordereau éliminations délai utilité administrative sort final"
)
_FIRST_NAMES = "Jean Marie Pierre Anne Louis Claire Paul Sophie Michel Isabelle Luc Julie"
_LAST_NAMES = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau"
WORDS = _WORDS.split()
FIRST_NAMES = _FIRST_NAMES.split()
LAST_NAMES = _LAST_NAMES.split()
EXTENSIONS = ("txt", "csv", "xml", "json", "html", "md")
DUPLICATE_EVERY = 50
BODIES_PER_KIND = 64


@dataclass
class TreeSummary:
    root: str
    files: int
    bytes: int
    folders: int
    duplicates: int
    seconds: float


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + "."


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _body(kind: str, rng: random.Random) -> str:
    """One content template; `{n}` is replaced by the file number."""
    lines = rng.randint(2, 9)
    if kind == "txt":
        text = "\n".join(_sentence(rng) for _ in range(lines))
        return f"Note n° {{n}}\n{text}\n"
    if kind == "csv":
        rows = "\n".join(
            f"{{n}}-{i};{_person(rng)};{rng.randint(1, 99999) / 100:.2f};"
            f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            for i in range(lines)
        )
        return f"numero;nom;montant;date\n{rows}\n"
    if kind == "xml":
        items = "".join(
            f'  <item rang="{i}"><agent>{_person(rng)}</agent>'
            f"<objet>{rng.choice(WORDS)} {rng.choice(WORDS)}</objet></item>\n"
            for i in range(lines)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<registre numero="{{n}}">\n{items}</registre>\n'
        )
    if kind == "json":
        record = {
            "numero": "{n}",
            "objet": _sentence(rng),
            "agents": [_person(rng) for _ in range(lines // 2 + 1)],
            "montant": rng.randint(1, 10**6) / 100,
        }
        return json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    if kind == "html":
        paragraphs = "".join(f"<p>{_sentence(rng)}</p>\n" for _ in range(lines))
        return (
            '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
            f"<title>Page {{n}}</title></head>\n<body>\n{paragraphs}</body></html>\n"
        )
    if kind == "md":
        items = "\n".join(f"- {_sentence(rng)}" for _ in range(lines))
        return f"# Compte rendu {{n}}\n\n{_sentence(rng)}\n\n{items}\n"
    raise ValueError(kind)


def _templates(seed: int) -> list[tuple[str, list[str]]]:
    rng = random.Random(seed)
    result = []
    for kind in EXTENSIONS:
        bodies = []
        for _ in range(BODIES_PER_KIND):
            # "{n}" is the only placeholder: escape any other brace first.
            body = _body(kind, rng).replace("{", "{{").replace("}", "}}")
            bodies.append(body.replace("{{n}}", "{n}"))
        result.append((kind, bodies))
    return result


def _write_folders(args: tuple[str, int, int, int, int, int]) -> tuple[int, int, int]:
    """Write folders [first, last) of the tree; returns (files, bytes, duplicates)."""
    root, first, last, per_dir, total_files, seed = args
    templates = _templates(seed)
    kinds = len(templates)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    files = size = duplicates = 0
    previous = b""
    for folder in range(first, last):
        directory = os.path.join(root, f"d{folder:04d}")
        os.makedirs(directory, exist_ok=True)
        for index in range(per_dir):
            number = folder * per_dir + index
            if number >= total_files:
                break
            kind, bodies = templates[(number * 7 + folder) % kinds]
            if number % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and previous:
                data = previous
                duplicates += 1
            else:
                body = bodies[(number * 31 + index // 3) % BODIES_PER_KIND]
                data = body.format(n=number).encode("utf-8")
            fd = os.open(os.path.join(directory, f"f{index:04d}.{kind}"), flags, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            previous = data
            files += 1
            size += len(data)
    return files, size, duplicates


def make_tree(
    dest: Path, files: int = 1_000_000, per_dir: int = 1000, seed: int = 1, jobs: int = 0
) -> TreeSummary:
    """Create `dest` (which must not exist) holding `files` small files."""
    started = time.monotonic()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=False)
    folders = max(1, -(-files // per_dir))
    jobs = max(1, min(jobs or os.cpu_count() or 1, folders))
    step = -(-folders // (jobs * 8))  # several chunks per process, for balance
    chunks = [
        (str(dest), first, min(first + step, folders), per_dir, files, seed)
        for first in range(0, folders, step)
    ]
    if jobs == 1:
        results = [_write_folders(chunk) for chunk in chunks]
    else:
        with multiprocessing.get_context("spawn").Pool(jobs) as pool:
            results = pool.map(_write_folders, chunks, chunksize=1)
    written = sum(r[0] for r in results)
    return TreeSummary(
        root=str(dest),
        files=written,
        bytes=sum(r[1] for r in results),
        folders=folders,
        duplicates=sum(r[2] for r in results),
        seconds=time.monotonic() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder to create (must not exist)")
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--per-dir", type=int, default=1000, help="files per folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=0, help="writer processes (0: one per core)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if args.dest.exists():
        parser.error(f"{args.dest} already exists")
    summary = make_tree(args.dest, args.files, args.per_dir, args.seed, args.jobs)
    if args.json:
        print(json.dumps(asdict(summary)))
    else:
        print(
            f"{summary.files:,} files ({summary.bytes:,} bytes, {summary.duplicates:,} copies)"
            f" in {summary.folders:,} folders under {summary.root}, {summary.seconds:.1f} s",
            file=sys.stdout,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
