#!/usr/bin/env python3
"""Prints the regex of every secret rule, one per line, for `rg -f`.

    python3 scripts/secret_patterns.py [PACK.toml | DIR ...]

A secret rule is a regex rule with `secret = true` or an id in the `secrets/` area. With no
arguments it reads the embedded catalogue (checks/**/*.toml beside this script); a directory
argument is searched for *.toml recursively, so `checks` and `SCANNED/.seccoach/checks` give
exactly the regexes a scan of SCANNED runs. Patterns use Rust regex syntax, which ripgrep shares.

With --common only the ten formats every secret scanner looks for (COMMON below): the
reference set of scripts/bench.sh.

With --ascii-word-boundaries every `\b`/`\B` becomes `(?-u:\b)`/`(?-u:\B)`: on ASCII text the
same regexes, but ones a combined DFA can run on text with non-ASCII bytes (a Unicode word
boundary makes ripgrep's lazy DFA give up on such text and fall back to a much slower engine).
"""

import pathlib
import sys
import tomllib


# The ten common secret formats: cloud and forge tokens, payment and messaging keys, private keys.
COMMON = {
    "secrets/aws-access-key",
    "secrets/github-token",
    "secrets/gitlab-token",
    "secrets/google-api-key",
    "secrets/npm-token",
    "secrets/openai-key",
    "secrets/private-key",
    "secrets/sendgrid-key",
    "secrets/slack-token",
    "secrets/stripe-key",
}


def packs(args):
    roots = [pathlib.Path(a) for a in args] or [pathlib.Path(__file__).resolve().parent.parent / "checks"]
    for root in roots:
        if root.is_dir():
            yield from sorted(root.rglob("*.toml"))
        elif root.is_file():
            yield root


def ascii_word_boundaries(pattern):
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(f"(?-u:\\{nxt})" if nxt in "bB" else c + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def main():
    args = sys.argv[1:]
    ascii_b = "--ascii-word-boundaries" in args
    common = "--common" in args
    args = [a for a in args if a not in ("--ascii-word-boundaries", "--common")]
    seen = set()
    for pack in packs(args):
        try:
            data = tomllib.loads(pack.read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            print(f"secret_patterns: skipping {pack}: {err}", file=sys.stderr)
            continue
        for rule in data.get("rule", []):
            matcher = rule.get("matcher", {})
            if matcher.get("type") != "regex":
                continue
            if not (rule.get("secret") or str(rule.get("id", "")).startswith("secrets/")):
                continue
            if common and rule.get("id") not in COMMON:
                continue
            pattern = matcher.get("pattern", "")
            if not pattern or "\n" in pattern or pattern in seen:
                continue
            seen.add(pattern)
            if ascii_b:
                pattern = ascii_word_boundaries(pattern)
            # Grouped, so that an inline flag such as (?i) stays inside its own pattern.
            print(f"(?:{pattern})")


if __name__ == "__main__":
    main()
