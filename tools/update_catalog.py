"""Extract the strings marked with _() and N_() in app/ and merge them into
the .po catalogs: translations kept, new strings added empty, obsolete ones dropped.

    python tools/update_catalog.py          # update app/resources/i18n/*.po
    python tools/update_catalog.py --check  # exit 1 if a string lacks a translation
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.i18n import parse_po  # noqa: E402

CATALOGS = ROOT / "app" / "resources" / "i18n"
MARKERS = {"_", "N_"}


def extract(package: Path) -> dict[str, str]:
    """msgid → first place it appears."""
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.func.id in MARKERS and args and isinstance(args[0], str):
                found.setdefault(args[0], where)
            elif node.func.id == "ngettext":  # singular and plural are both messages
                for text in args[:2]:
                    if isinstance(text, str):
                        found.setdefault(text, where)
    return found


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped.replace(chr(9), chr(92) + "t")}"'


def write_po(path: Path, messages: dict[str, str], translations: dict[str, str]) -> None:
    lines = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {path.stem}\\n"',
        "",
    ]
    for msgid, where in sorted(messages.items(), key=lambda item: item[0].lower()):
        lines += [
            f"#: {where}",
            f"msgid {quote(msgid)}",
            f"msgstr {quote(translations.get(msgid, ''))}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    messages = extract(ROOT / "app")
    missing_total = 0
    for po in sorted(CATALOGS.glob("*.po")):
        translations = parse_po(po.read_text(encoding="utf-8"))
        missing = [m for m in messages if not translations.get(m)]
        missing_total += len(missing)
        if args.check:
            for msgid in missing:
                print(f"{po.name}: no translation for {msgid!r} ({messages[msgid]})")
        else:
            write_po(po, messages, translations)
            print(f"{po.name}: {len(messages)} strings, {len(missing)} to translate")
    return 1 if args.check and missing_total else 0


if __name__ == "__main__":
    sys.exit(main())
