#!/usr/bin/env python3
"""Generates a deterministic synthetic monorepo for benchmarking `seccoach scan`.

    python3 scripts/gen_corpus.py OUT_DIR [--size-mb 200] [--files 25000] [--seed 1]

The same arguments always produce byte-identical trees. The corpus holds source in several
languages, vendored-looking folders (vendor/, node_modules/, third_party/), YAML, workflows,
Dockerfiles, Terraform, Markdown, a few large and minified files (some over the default 2 MiB
size limit), some binary files and a few hundred planted findings (fake secrets that match the
formats, risky Dockerfile and workflow lines). Nothing here is a real credential: every planted
value is random text shaped like one.
"""

import argparse
import os
import random
import shutil
import string
import sys

WORDS = (
    "account action adapter address admin agent alert analytics api app archive asset audit auth "
    "backend balance batch billing blob bridge buffer build bundle cache calendar cart catalog "
    "channel checkout client cluster config connection consumer content context controller cookie "
    "core counter credential cron customer dashboard data database debug deploy device digest "
    "dispatch document domain driver email endpoint engine entity event export feature feed file "
    "filter flag form gateway graph handler header health history hook identity image import index "
    "inventory invoice job kernel key label layout ledger limit listener loader locale lock log "
    "manager mapper media member message metric middleware migration model module monitor network "
    "node notification order owner package page parser partition password payment payload permission "
    "pipeline plugin policy pool portal preference price processor product profile project provider "
    "proxy publisher query queue quota rate reader record region registry release report repository "
    "request resolver resource response result retry role route router rule runner sample scheduler "
    "schema scope search secret segment sender server service session setting shard signal snapshot "
    "socket source spec stage state status storage store stream subscriber subscription summary "
    "support sync table task template tenant test thread ticket token topic trace tracker "
    "transaction transform transport upload user util validator value vault version view webhook "
    "widget worker workflow writer"
).split()

COMMENTS = [
    "TODO: handle the error path properly",
    "keep this in sync with the schema",
    "retry with exponential backoff",
    "see the design doc for details",
    "this is a hot path, avoid allocations",
    "FIXME: remove after the migration",
    "the token is refreshed by the middleware",
    "never log the password here",
    "values come from the environment at runtime",
    "cache the result for five minutes",
    "api key is read from the secret manager",
]

# Now and then a comment in another language: about one source file in five has non-ASCII text.
NON_ASCII_COMMENTS = [
    "Übergangslösung bis zum nächsten Release",
    "注意: 这个函数不是线程安全的",
    "à revoir après la migration — voir le ticket",
]


def comment(rng):
    if rng.random() < 0.03:
        return rng.choice(NON_ASCII_COMMENTS)
    return rng.choice(COMMENTS)


def ident(rng, parts=2, style="snake"):
    words = [rng.choice(WORDS) for _ in range(parts)]
    if style == "snake":
        return "_".join(words)
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    return "".join(w.capitalize() for w in words)


def rand_str(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
B64 = string.ascii_letters + string.digits + "+/"
HEX = "0123456789abcdef"


# ---------------------------------------------------------------------------------------------
# Line pools: a few thousand realistic lines per language, sampled to fill files.


def python_line(rng):
    a, b, c = ident(rng), ident(rng, 1), ident(rng, 3)
    k = rng.randrange(14)
    if k == 0:
        return f"def {a}(self, {b}, timeout=30):"
    if k == 1:
        return f"    {b} = self.{a}({c}, retries={rng.randrange(1, 9)})"
    if k == 2:
        return f"    # {comment(rng)}"
    if k == 3:
        return f"    if {b} is None or not {b}.{a}:"
    if k == 4:
        return f"        raise ValueError(\"invalid {b}: %s\" % {c})"
    if k == 5:
        return f"    return {{\"{b}\": {a}, \"count\": len({c})}}"
    if k == 6:
        return f"from .{b} import {ident(rng, 2, 'pascal')}, {a}"
    if k == 7:
        return f"    for {b} in self.{c}.values():"
    if k == 8:
        return f"        logger.info(\"processed %d {b} in %.2fs\", n, elapsed)"
    if k == 9:
        return f"    {b}_token = request.headers.get(\"Authorization\", \"\")"
    if k == 10:
        return f"    password = os.environ[\"{b.upper()}_PASSWORD\"]"
    if k == 11:
        return f"class {ident(rng, 2, 'pascal')}({ident(rng, 1, 'pascal')}):"
    if k == 12:
        return f"    url = f\"https://api.example.com/v{rng.randrange(1, 4)}/{b}/{{{a}}}\""
    return ""


def js_line(rng):
    a, b = ident(rng, 2, "camel"), ident(rng, 1, "camel")
    k = rng.randrange(14)
    if k == 0:
        return f"export async function {a}({b}, options = {{}}) {{"
    if k == 1:
        return f"  const {b} = await this.{a}({ident(rng, 2, 'camel')});"
    if k == 2:
        return f"  // {comment(rng)}"
    if k == 3:
        return f"  if (!{b} || {b}.length === 0) return null;"
    if k == 4:
        return f"  throw new Error(`unexpected {b}: ${{{a}}}`);"
    if k == 5:
        return f"import {{ {a}, {b} }} from './{ident(rng, 1)}';"
    if k == 6:
        return f"  return {{ ...{b}, {a}: {rng.randrange(1000)} }};"
    if k == 7:
        return "}"
    if k == 8:
        return f"  const token = localStorage.getItem('{b}Token');"
    if k == 9:
        return f"  const res = await fetch(`${{BASE_URL}}/api/{b}`, {{ headers }});"
    if k == 10:
        return f"  {b}.forEach(({a}) => console.debug('{b}', {a}));"
    if k == 11:
        return f"  apiKey: process.env.{b.upper()}_API_KEY,"
    return f"  let {b}Count = {rng.randrange(100)};"


def ts_line(rng):
    if rng.randrange(4) == 0:
        n = ident(rng, 2, "pascal")
        return rng.choice(
            [
                f"export interface {n} {{ id: string; {ident(rng, 1)}: number }}",
                f"type {n} = Record<string, {ident(rng, 1, 'pascal')} | undefined>;",
                f"  private readonly {ident(rng, 2, 'camel')}: Map<string, {n}> = new Map();",
            ]
        )
    return js_line(rng)


def go_line(rng):
    a, b = ident(rng, 2, "pascal"), ident(rng, 1, "camel")
    k = rng.randrange(12)
    if k == 0:
        return f"func (s *{ident(rng, 1, 'pascal')}Service) {a}(ctx context.Context, {b} string) error {{"
    if k == 1:
        return f"\t{b}, err := s.store.{a}(ctx, req.{ident(rng, 1, 'pascal')})"
    if k == 2:
        return "\tif err != nil {\n\t\treturn fmt.Errorf(\"%s: %w\", op, err)\n\t}"
    if k == 3:
        return f"\t// {comment(rng)}"
    if k == 4:
        return "}"
    if k == 5:
        return f"\t{b} := os.Getenv(\"{b.upper()}_SECRET\")"
    if k == 6:
        return f"type {a} struct {{\n\tID   string `json:\"id\"`\n\tName string `json:\"{b}\"`\n}}"
    if k == 7:
        return f"\tfor _, {b} := range {ident(rng, 1, 'camel')}s {{"
    if k == 8:
        return f"\tlog.Printf(\"{b}: %v\", {b})"
    return f"\treturn {b}, nil"


def java_line(rng):
    a, b = ident(rng, 2, "camel"), ident(rng, 1, "pascal")
    k = rng.randrange(10)
    if k == 0:
        return f"    public {b} {a}(final String {ident(rng, 1)}) throws IOException {{"
    if k == 1:
        return f"        final {b} result = repository.{a}(request.get{b}());"
    if k == 2:
        return f"        // {comment(rng)}"
    if k == 3:
        return "    }"
    if k == 4:
        return f"import com.example.{ident(rng, 1)}.{b};"
    if k == 5:
        return f"    @Value(\"${{{ident(rng, 1)}.password}}\")"
    if k == 6:
        return f"        LOG.info(\"{a} took {{}} ms\", elapsed);"
    return f"        return {a}.stream().map({b}::from).collect(Collectors.toList());"


def ruby_line(rng):
    a, b = ident(rng), ident(rng, 1)
    return rng.choice(
        [
            f"  def {a}({b})",
            f"    @{b} = {ident(rng, 1, 'pascal')}.find_by(id: params[:{b}_id])",
            "  end",
            f"    # {comment(rng)}",
            f"    raise ArgumentError, \"missing {b}\" if {b}.nil?",
            f"    {b}.each {{ |item| item.{a}! }}",
            f"  token = ENV.fetch('{b.upper()}_TOKEN')",
        ]
    )


def rust_line(rng):
    a, b = ident(rng), ident(rng, 1)
    return rng.choice(
        [
            f"pub fn {a}(&self, {b}: &str) -> Result<{ident(rng, 1, 'pascal')}, Error> {{",
            f"    let {b} = self.{a}({b}).context(\"loading {b}\")?;",
            "}",
            f"    // {comment(rng)}",
            f"    if {b}.is_empty() {{ return Ok(Default::default()); }}",
            f"use crate::{b}::{ident(rng, 1, 'pascal')};",
            f"    let token = std::env::var(\"{b.upper()}_TOKEN\")?;",
            f"    for {b} in self.{a}.iter() {{",
        ]
    )


def php_line(rng):
    a, b = ident(rng, 2, "camel"), ident(rng, 1)
    return rng.choice(
        [
            f"    public function {a}(${b})",
            "    {",
            "    }",
            f"        ${b} = $this->{a}($request->get('{b}'));",
            f"        // {comment(rng)}",
            f"        $password = getenv('{b.upper()}_PASSWORD');",
            f"        return view('{b}.index', compact('{b}'));",
        ]
    )


def shell_line(rng):
    b = ident(rng, 1)
    return rng.choice(
        [
            f"echo \"building {b}\"",
            f"if [ -z \"${{{b.upper()}_HOME:-}}\" ]; then",
            "fi",
            f"# {comment(rng)}",
            f"export {b.upper()}_URL=\"https://{b}.internal.example.com\"",
            f"docker build -t registry.example.com/{b}:\"$VERSION\" .",
            f"for f in ./{b}/*.json; do jq . \"$f\" > /dev/null; done",
        ]
    )


def markdown_line(rng):
    b = ident(rng, 1)
    return rng.choice(
        [
            f"## {ident(rng, 2, 'pascal')}",
            f"The {b} service reads its configuration from the environment; see `{ident(rng)}`.",
            f"- Set `{b.upper()}_TOKEN` before running `make {b}`.",
            "",
            f"```sh\ncurl -s https://{b}.example.com/health\n```",
            f"Passwords and API keys are never stored in the {b} repository.",
        ]
    )


LINE_MAKERS = {
    "py": python_line,
    "js": js_line,
    "ts": ts_line,
    "go": go_line,
    "java": java_line,
    "rb": ruby_line,
    "rs": rust_line,
    "php": php_line,
    "sh": shell_line,
    "md": markdown_line,
}


def build_pools(rng, size=3000):
    return {ext: [maker(rng) for _ in range(size)] for ext, maker in LINE_MAKERS.items()}


def fill(rng, pool, target, head=""):
    out = [head] if head else []
    total = len(head)
    while total < target:
        chunk = rng.choices(pool, k=64)
        out.extend(chunk)
        total += sum(len(c) + 1 for c in chunk)
    text = "\n".join(out) + "\n"
    return text[: max(target, 1)].rsplit("\n", 1)[0] + "\n"


# ---------------------------------------------------------------------------------------------
# Structured files.


def yaml_file(rng, target):
    """A Kubernetes manifest: a hardened Deployment (now and then a lax one), then ConfigMaps."""
    name = ident(rng, 2).replace("_", "-")
    hardened = rng.random() < 0.9
    lines = [
        "apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: {name}",
        f"  namespace: {rng.choice(WORDS)}", "spec:", "  replicas: 3", "  selector:",
        f"    matchLabels: {{ app: {name} }}", "  template:", "    metadata:",
        f"      labels: {{ app: {name} }}", "    spec:",
    ]
    if hardened:
        lines += ["      automountServiceAccountToken: false", "      securityContext:",
                  "        runAsNonRoot: true", "        runAsUser: 10001",
                  "        seccompProfile: { type: RuntimeDefault }"]
    lines.append("      containers:")
    for _ in range(rng.randrange(1, 3)):
        c = ident(rng, 1)
        lines += [
            f"        - name: {c}",
            f"          image: registry.example.com/{c}@sha256:{rand_str(rng, HEX, 64)}",
            "          env:",
            f"            - name: {c.upper()}_PASSWORD",
            "              valueFrom:",
            f"                secretKeyRef: {{ name: {c}-secrets, key: password }}",
            "          resources:",
            f"            limits: {{ cpu: {rng.randrange(1, 4)}, memory: {rng.choice([256, 512, 1024])}Mi }}",
            f"            requests: {{ cpu: 100m, memory: 128Mi }}",
        ]
        if hardened:
            lines += ["          securityContext:", "            allowPrivilegeEscalation: false",
                      "            readOnlyRootFilesystem: true",
                      "            capabilities: { drop: [ALL] }"]
    while sum(len(x) + 1 for x in lines) < target:
        lines += ["---", "apiVersion: v1", "kind: ConfigMap", "metadata:",
                  f"  name: {name}-{ident(rng, 1)}-{rng.randrange(1000)}",
                  f"  namespace: {rng.choice(WORDS)}", "data:"]
        for _ in range(rng.randrange(5, 40)):
            lines.append(f"  {ident(rng, 2)}: \"{ident(rng, 3)}-{rng.randrange(10**6)}\"")
    return "\n".join(lines) + "\n"


def workflow_file(rng):
    job = ident(rng, 1)
    return (
        f"name: {job}\n"
        "on:\n  push:\n    branches: [main]\n  pull_request:\n"
        "permissions:\n  contents: read\n"
        f"jobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n"
        "      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n"
        "      - run: npm ci && npm test\n"
        "        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n"
    )


def dockerfile(rng):
    base = rng.choice(["python:3.12-slim", "node:20-alpine", "golang:1.23", "debian:bookworm-slim"])
    return (
        f"FROM {base} AS build\n"
        "WORKDIR /app\n"
        "COPY requirements.txt package*.json ./\n"
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY . .\n"
        f"RUN make {ident(rng, 1)}\n"
        "FROM gcr.io/distroless/base-debian12\n"
        "COPY --from=build /app/bin /app\n"
        "USER 10001\n"
        "ENTRYPOINT [\"/app/server\"]\n"
    )


def terraform_file(rng, target):
    parts = []
    while sum(len(p) for p in parts) < target:
        name = ident(rng, 2)
        parts.append(
            f"resource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name.replace('_', '-')}-{rng.randrange(10**6)}\"\n"
            f"  tags = {{\n    team = \"{rng.choice(WORDS)}\"\n  }}\n}}\n\n"
            f"variable \"{name}_password\" {{\n  type      = string\n  sensitive = true\n}}\n\n"
        )
    return "".join(parts)


def json_file(rng, target):
    items = []
    total = 2
    while total < target:
        item = (
            f'  {{"id": "{rand_str(rng, HEX, 12)}", "{ident(rng, 1)}": {rng.randrange(10**5)}, '
            f'"name": "{ident(rng, 2)}", "enabled": {rng.choice(["true", "false"])}}}'
        )
        items.append(item)
        total += len(item) + 2
    return "[\n" + ",\n".join(items) + "\n]\n"


def minified_js(rng, target):
    pool = [js_line(rng).strip() for _ in range(500)]
    out = []
    total = 0
    while total < target:
        chunk = rng.choices(pool, k=256)
        out.extend(chunk)
        total += sum(len(c) for c in chunk)
    return ";".join(out)[:target] + "\n"


# ---------------------------------------------------------------------------------------------
# Planted findings: values shaped like credentials, random every time, never real.


def planted(rng):
    k = rng.randrange(10)
    if k == 0:
        key = "AKIA" + rand_str(rng, UPPER_DIGITS, 16)
        secret = rand_str(rng, B64, 40)
        return f'aws_access_key_id = "{key}"\naws_secret_access_key = "{secret}"'
    if k == 1:
        return f'GITHUB_TOKEN = "ghp_{rand_str(rng, ALNUM, 36)}"'
    if k == 2:
        return f'slack = "xoxb-{rand_str(rng, string.digits, 12)}-{rand_str(rng, string.digits, 12)}-{rand_str(rng, ALNUM, 24)}"'
    if k == 3:
        body = "\n".join(rand_str(rng, B64, 64) for _ in range(8))
        return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    if k == 4:
        return f'DATABASE_URL = "postgres://app:{rand_str(rng, ALNUM, 18)}@db.internal:5432/app"'
    if k == 5:
        return f'stripe_key = "sk_live_{rand_str(rng, ALNUM, 24)}"'
    if k == 6:
        return f'GOOGLE_API_KEY = "AIza{rand_str(rng, ALNUM + "-_", 35)}"'
    if k == 7:
        return f'password = "{rand_str(rng, ALNUM + "!#%", 20)}"'
    if k == 8:
        return f'gitlab_token = "glpat-{rand_str(rng, ALNUM + "-_", 20)}"'
    return f'npm_token = "npm_{rand_str(rng, ALNUM, 36)}"'


# ---------------------------------------------------------------------------------------------
# The tree.

KIND_WEIGHTS = [
    ("py", 15), ("js", 14), ("ts", 12), ("go", 11), ("java", 8), ("rb", 4), ("rs", 5), ("php", 3),
    ("sh", 3), ("md", 4), ("yaml", 8), ("json", 6), ("tf", 1.5), ("Dockerfile", 1.5), ("txt", 2),
    ("bin", 1), ("env", 0.1), ("workflow", 0.3),
]

TOP_DIRS = [
    ("services", 30), ("packages", 20), ("vendor/github.com", 12), ("node_modules", 15),
    ("third_party", 6), ("deploy", 5), ("docs", 4), ("tools", 4), ("libs", 4),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--files", type=int, default=25000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    args = parser.parse_args()

    out = os.path.abspath(args.out)
    if os.path.exists(out):
        if not args.force:
            sys.exit(f"{out} exists (use --force to replace it)")
        shutil.rmtree(out)
    os.makedirs(out)

    rng = random.Random(args.seed)
    pools = build_pools(rng)
    target_total = int(args.size_mb * 1024 * 1024)
    n_files = max(args.files, 20)

    # A few large files: minified bundles under the size limit, two over it.
    big = []
    scale = target_total / (200 * 1024 * 1024)
    for i in range(max(1, round(6 * scale))):
        big.append((f"node_modules/bundle-{i}/dist/bundle.min.js", int(rng.uniform(0.8, 1.9) * 2**20 * min(1, scale * 4))))
    for i in range(max(0, round(2 * scale))):
        big.append((f"assets/generated/data-{i}.min.js", int(2.5 * 2**20)))
    big_total = sum(s for _, s in big)

    # Log-normal sizes for the rest, scaled so that the total hits the target.
    rest = n_files - len(big)
    raw = [rng.lognormvariate(0, 1.1) for _ in range(rest)]
    budget = max(target_total - big_total, rest * 200)
    factor = budget / sum(raw)
    sizes = [max(60, int(r * factor)) for r in raw]

    kinds = [k for k, _ in KIND_WEIGHTS]
    kind_w = [w for _, w in KIND_WEIGHTS]
    tops = [t for t, _ in TOP_DIRS]
    top_w = [w for _, w in TOP_DIRS]
    # Folder fan-out: around 12 files per folder.
    n_dirs = max(1, rest // 12)
    dirs = []
    for _ in range(n_dirs):
        top = rng.choices(tops, top_w)[0]
        depth = rng.randrange(1, 5)
        dirs.append("/".join([top] + [ident(rng, 1) + str(rng.randrange(10)) for _ in range(depth)]))

    plant_every = max(1, rest // 300)
    written = 0
    used = set()
    count = 0
    for i, size in enumerate(sizes):
        kind = rng.choices(kinds, kind_w)[0]
        folder = rng.choice(dirs)
        if kind == "workflow":
            folder = ".github/workflows" if rng.random() < 0.5 else folder + "/.github/workflows"
        stem = ident(rng, rng.randrange(1, 3))
        if kind == "Dockerfile":
            name = "Dockerfile" if rng.random() < 0.5 else f"Dockerfile.{rng.choice(WORDS)}"
        elif kind == "env":
            name = ".env" if rng.random() < 0.5 else f".env.{rng.choice(['local', 'production'])}"
        elif kind == "workflow":
            name = stem + ".yml"
        elif kind == "yaml":
            name = stem + rng.choice([".yaml", ".yml"])
        else:
            name = f"{stem}.{kind}"
        rel = f"{folder}/{name}"
        while rel in used:
            rel = f"{folder}/{stem}{rng.randrange(10**6)}.{name.rsplit('.', 1)[-1]}"
        used.add(rel)

        if kind in pools:
            text = fill(rng, pools[kind], size)
        elif kind == "yaml":
            text = yaml_file(rng, size)
        elif kind == "workflow":
            text = workflow_file(rng)
        elif kind == "json":
            text = json_file(rng, size)
        elif kind == "tf":
            text = terraform_file(rng, size)
        elif kind == "Dockerfile":
            text = dockerfile(rng)
        elif kind == "env":
            text = f"APP_ENV=production\nLOG_LEVEL=info\nPORT={rng.randrange(3000, 9000)}\n"
        elif kind == "txt":
            text = fill(rng, pools["md"], size)
        else:
            text = None
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if text is None:
            data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(size)
        else:
            if kind != "bin" and i % plant_every == 0:
                lines = text.split("\n")
                at = rng.randrange(len(lines))
                lines.insert(at, planted(rng))
                text = "\n".join(lines)
            data = text.encode()
        with open(path, "wb") as f:
            f.write(data)
        written += len(data)
        count += 1

    for rel, size in big:
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = minified_js(rng, size).encode()
        with open(path, "wb") as f:
            f.write(data)
        written += len(data)
        count += 1

    # A little realism at the root.
    extra = {
        "README.md": fill(rng, pools["md"], 4000, "# Monorepo\n"),
        "Dockerfile": "FROM ubuntu:latest\nRUN curl -sSL https://get.example.com/install.sh | sh\nCOPY . /app\n",
        ".github/workflows/ci.yml": workflow_file(rng),
        ".gitignore": "/build/\n*.log\n",
    }
    for rel, text in extra.items():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        written += len(text.encode())
        count += 1
    print(f"{out}: {count} files, {written / 2**20:.1f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
