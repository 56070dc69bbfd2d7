#!/usr/bin/env python3
"""Generates a deterministic git history for benchmarking `seccoach scan --history`.

    scripts/gen_history.py DIR [--commits 3000] [--files 400] [--seed 15]

DIR becomes a git repository (it must not exist) built with `git fast-import`: a project of
`--files` source files (Python, JavaScript, Go, YAML, Markdown; 1-6 KiB each) and `--commits`
commits, each editing one to four files and now and then adding one; every 50th commit merges a
short side branch. Forty commits add a secret-shaped value (Stripe, GitHub, AWS, Slack, an .env
file) and most of them are removed a few commits later, as happens in real repositories. The
same arguments always give the same repository, commit ids included (fixed dates and names).
The secrets are fake and assembled at run time, so this file holds none.
"""

import argparse
import os
import random
import subprocess
import sys

WORDS = (
    "user account order invoice payment session token cache queue worker request response "
    "config client server handler router metrics logger report export import schedule retry "
    "limit window buffer stream record batch filter mapper parser render template upload"
).split()

EXTENSIONS = ["py", "js", "go", "yaml", "md"]


def ident(rng):
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def line(rng, ext):
    name, other = ident(rng), ident(rng)
    n = rng.randint(0, 999)
    if ext == "py":
        return rng.choice(
            [
                f"def {name}({other}):\n    return {other}.get('{name}', {n})\n",
                f"{name.upper()} = {n}\n",
                f"    {name} = {other}({n})\n",
                f"# {name} keeps the {other} in step\n",
            ]
        )
    if ext == "js":
        return rng.choice(
            [
                f"export function {name}({other}) {{ return {other}.{name} ?? {n}; }}\n",
                f"const {name} = require('./{other}');\n",
                f"// {name}: {other} is retried {n} times\n",
            ]
        )
    if ext == "go":
        return rng.choice(
            [
                f"func {name.title().replace('_', '')}(x int) int {{ return x + {n} }}\n",
                f"var {name.replace('_', '')} = {n}\n",
                f"// {name} reads the {other}\n",
            ]
        )
    if ext == "yaml":
        return f"{name}:\n  {other}: {n}\n"
    return f"The {name} step sends the {other} after {n} ms.\n"


def content(rng, ext, size):
    out = []
    total = 0
    while total < size:
        text = line(rng, ext)
        out.append(text)
        total += len(text)
    return out


def secret(rng, kind):
    """A fake secret of `kind`, and the file it goes in."""
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    letters = lambda n: "".join(rng.choice(alnum) for _ in range(n))  # noqa: E731
    if kind == 0:
        value = "_".join(["sk", "live", letters(34)])
        return "services/billing/keys.py", f'STRIPE_KEY = "{value}"\n'
    if kind == 1:
        value = "_".join(["ghp", letters(36)])
        return "deploy/release.sh", f"export GITHUB_TOKEN={value}\n"
    if kind == 2:
        value = "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        return "infra/aws.yaml", f"aws_access_key_id: {value}\n"
    if kind == 3:
        value = "-".join(["xoxb", str(rng.randint(10**10, 10**11)), str(rng.randint(10**10, 10**11)), letters(24)])
        return "tools/notify.js", f"const SLACK = '{value}';\n"
    return ".env", f"DATABASE_PASSWORD={letters(20)}\nSECRET_KEY={letters(40)}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    if os.path.exists(args.dir):
        sys.exit(f"{args.dir} exists; give a new directory")
    rng = random.Random(args.seed)
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", "-b", "main", args.dir], check=True, env=env)

    files = {}
    for i in range(args.files):
        ext = EXTENSIONS[i % len(EXTENSIONS)]
        path = f"{rng.choice(['app', 'lib', 'services', 'docs', 'cmd'])}/{ident(rng)}_{i}.{ext}"
        files[path] = content(rng, ext, rng.randint(1024, 6 * 1024))

    secret_commits = set(rng.sample(range(5, args.commits - 5), 40))
    removals = {}
    secrets_added = 0
    out = []
    mark = 0
    base_time = 1_600_000_000

    def emit_commit(branch, message, changes, parents, when):
        nonlocal mark
        mark += 1
        data = message.encode()
        out.append(f"commit refs/heads/{branch}\nmark :{mark}\n".encode())
        out.append(f"committer Bench <bench@example.com> {when} +0000\n".encode())
        out.append(f"data {len(data)}\n".encode() + data + b"\n")
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
            for extra in parents[1:]:
                out.append(f"merge :{extra}\n".encode())
        for path, text in changes:
            if text is None:
                out.append(f"D {path}\n".encode())
            else:
                blob = text.encode()
                out.append(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        out.append(b"\n")
        return mark

    head = None
    paths = sorted(files)
    for n in range(args.commits):
        when = base_time + n * 3600
        changes = []
        if head is None:
            changes = [(p, "".join(files[p])) for p in paths]
        else:
            for _ in range(rng.randint(1, 4)):
                path = rng.choice(paths)
                lines = files[path]
                at = rng.randrange(len(lines))
                lines[at] = line(rng, path.rsplit(".", 1)[1])
                if rng.random() < 0.3:
                    lines.insert(at, line(rng, path.rsplit(".", 1)[1]))
                changes.append((path, "".join(lines)))
            if rng.random() < 0.05:
                ext = rng.choice(EXTENSIONS)
                path = f"app/new_{n}.{ext}"
                files[path] = content(rng, ext, rng.randint(512, 2048))
                paths.append(path)
                changes.append((path, "".join(files[path])))
        if n in secret_commits:
            path, text = secret(rng, secrets_added % 5)
            secrets_added += 1
            changes.append((path, text))
            if rng.random() < 0.8:
                removals.setdefault(n + rng.randint(1, 20), []).append(path)
        for path in removals.pop(n, []):
            changes.append((path, None))
        if head is not None and n % 50 == 25:
            # A short side branch, merged back.
            side = emit_commit("side", f"side work {n}\n", [(paths[n % len(paths)], "".join(files[paths[n % len(paths)]]) + "# side\n")], [head], when - 1800)
            head = emit_commit("main", f"merge side work {n}\n", changes, [head, side], when)
        else:
            head = emit_commit("main", f"change {n}\n", changes, [head] if head else [], when)

    subprocess.run(
        ["git", "fast-import", "--quiet"], input=b"".join(out), cwd=args.dir, check=True, env=env
    )
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=args.dir, check=True, env=env)
    subprocess.run(["git", "gc", "-q", "--aggressive"], cwd=args.dir, check=True, env=env)


if __name__ == "__main__":
    main()
