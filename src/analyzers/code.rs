//! Injection in application code whose shape depends on the language: `code/shell-injection`
//! and `code/eval`.
//!
//! Every other `code/*` rule is a declarative regex rule in `checks/code/`. These two are not,
//! because one regex shared by every file kind cannot be precise here:
//!
//! - the same call means different things per language: `exec(cmd)` runs a shell command in
//!   Node and Python code in Python; backticks are a shell in Ruby and PHP and a template in
//!   JavaScript; `"… $dir"` interpolates in PHP and is plain text in JavaScript;
//! - the finding is the value that carries data into the command or the code (`url` in
//!   `` exec(`git clone ${url}`) ``), and what makes it dangerous may come after it
//!   (`subprocess.run(cmd, check=True, shell=True)`), which a single value group with a shared
//!   prefix cannot express.
//!
//! So each pattern here is tied to the kinds where its syntax means what it says, and the value
//! is the first capture group that took part in the match. Matches in comments, in string
//! literals (`"never call os.system(cmd)"`) and in Python docstrings are dropped.

use super::Hit;
use crate::pattern::LazyRegex;
use crate::rules::BuiltinRule;
use crate::source::{FileKind, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use crate::rules::CODE_EVAL as EVAL;
use crate::rules::CODE_SHELL_INJECTION as SHELL_INJECTION;

/// Most findings of one rule reported per file; past that the file is generated.
const MAX_HITS: usize = 200;

/// One way a language writes the mistake.
struct Pattern {
    rule: BuiltinRule,
    kinds: &'static [FileKind],
    /// Literals, one of which the file must contain before the regex runs (case-sensitive).
    keywords: &'static [&'static str],
    /// The value is the first capture group that participates (the whole match if none does).
    regex: &'static str,
    /// The match is dropped when the byte before it is one of these (a method of some other
    /// object: `regex.exec(`, `$pdo->exec(`, `model.eval()`).
    not_after: &'static [u8],
}

const PY: &[FileKind] = &[FileKind::Python];
const JS: &[FileKind] = &[FileKind::Javascript, FileKind::Typescript];
const GO: &[FileKind] = &[FileKind::Go];
const JAVA: &[FileKind] = &[FileKind::Java];
const RUBY: &[FileKind] = &[FileKind::Ruby];
const PHP: &[FileKind] = &[FileKind::Php];
const RUST: &[FileKind] = &[FileKind::Rust];

// The value: an identifier with member accesses, indexes and call arguments (`req.query.cmd`,
// `params[:dir]`, `args.join(" ")`). Placed textually in the patterns below as `EXPR`.
const EXPR: &str =
    r"[A-Za-z_][\w]*(?:(?:\.|->|::)[A-Za-z_]\w*|\[[^\]\n]{0,60}\]|\([^()\n]{0,80}\))*";
// A PHP variable with its indexes and properties.
const PHP_VAR: &str = r"\$[A-Za-z_]\w*(?:\[[^\]\n]{0,60}\]|->[A-Za-z_]\w*)*";
// The rest of a call's argument list (two levels of nested parentheses), up to a keyword.
const REST: &str = r"(?:[^()]|\((?:[^()]|\([^()]*\))*\))*?";

/// Python: an f-string's first interpolation, a literal with `%s`/`%r`/`%(name)s` followed by
/// `%` (`"kill %d" % pid` only ever pastes a number), a literal followed by `+`, `.format(` or
/// `.join(`, or a bare expression.
const PY_ARG: &str = r#"(?:(?:[rR]?[fF]|[fF][rR])(?:"""[^"]*?|'''[^']*?|"[^"\n]*?|'[^'\n]*?)\{\s*(EXPR)|(?:"[^"\n]*%[-\#0-9.]*[sr(][^"\n]*"|'[^'\n]*%[-\#0-9.]*[sr(][^'\n]*')\s*%\s*\(?\s*(EXPR)|(?:"[^"\n]*"|'[^'\n]*')\s*(?:\+\s*|\.format\(\s*(?:\w+\s*=\s*)?|\.join\(\s*)(EXPR)|(EXPR)\s*[,)+%])"#;
/// JavaScript: a template literal's first interpolation, or a literal followed by `+`.
const JS_BUILT: &str = r#"(?:`[^`]*?\$\{\s*(EXPR)|(?:"[^"\n]*"|'[^'\n]*'|`[^`$]*`)\s*\+\s*(EXPR))"#;
/// JavaScript, also accepting a bare expression.
const JS_ANY: &str =
    r#"(?:`[^`]*?\$\{\s*(EXPR)|(?:"[^"\n]*"|'[^'\n]*'|`[^`$]*`)\s*\+\s*(EXPR)|(EXPR)\s*[,)+])"#;
/// Ruby: a double-quoted string's first interpolation, or a literal followed by `+`.
const RB_BUILT: &str = r#"(?:"[^"\n]*?\#\{\s*(EXPR)|(?:"[^"\n]*"|'[^'\n]*')\s*\+\s*(EXPR))"#;
/// PHP: a double-quoted string's first variable, or a literal concatenated with a variable.
const PHP_BUILT: &str = r#"(?:"[^"\n]*?\{?(PHP_VAR)|(?:"[^"\n]*"|'[^'\n]*')\s*\.\s*(PHP_VAR))"#;
/// Go, Java: `fmt.Sprintf`/`String.format`, a literal followed by `+`, or a bare expression.
const C_ARG: &str = r#"(?:(?:fmt\.Sprintf|String\.format)\(\s*(?:"[^"\n]*"|`[^`]*`)\s*,\s*(EXPR)|(?:"[^"\n]*"|`[^`]*`)\s*\+\s*(EXPR)|(EXPR)\s*[,)+])"#;
/// Rust: `format!` (inline `{name}` or the first argument), or a bare expression.
const RS_ARG: &str = r#"(?:&?format!\(\s*"[^"\n]*?\{(EXPR)[}:]|&?format!\(\s*"[^"\n]*"\s*,\s*&?(EXPR)|&?(EXPR)\s*[,)\]])"#;
/// A shell invoked with `-c`.
const SH: &str = r#""(?:/usr/bin/|/bin/)?(?:ba|z|da|k)?sh""#;

static PATTERNS: &[Pattern] = &[
    // ---------------------------------------------------------------- shell injection
    Pattern {
        rule: SHELL_INJECTION,
        kinds: PY,
        keywords: &[
            "os.system",
            "os.popen",
            "getoutput",
            "create_subprocess_shell",
        ],
        regex: r"\b(?:os\.(?:system|popen[234]?)|(?:subprocess|commands)\.(?:getoutput|getstatusoutput)|(?:asyncio\.)?create_subprocess_shell)\s*\(\s*PY_ARG",
        not_after: b".",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: PY,
        keywords: &["shell"],
        regex: r"\b(?:subprocess\.)?(?:run|call|check_call|check_output|Popen)\s*\(\s*PY_ARG REST\bshell\s*=\s*True\b",
        not_after: b".",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: JS,
        keywords: &["exec"],
        regex: r"(?:\b(?:child_process|childProcess|cp|shell|proc)\.)?\b(?:exec|execSync|execAsync|execPromise|execP|execaCommand|execaCommandSync)\s*\(\s*JS_BUILT",
        not_after: b".$",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: JS,
        keywords: &["shell"],
        regex: r"(?:\b(?:child_process|childProcess|cp)\.)?\bspawn(?:Sync)?\s*\(\s*JS_ANY REST\bshell\s*:\s*true\b",
        not_after: b".$",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: GO,
        keywords: &["exec.Command"],
        regex: r#"\bexec\.Command(?:Context)?\s*\(\s*(?:\w+\s*,\s*)?SH\s*,\s*"-c"\s*,\s*C_ARG"#,
        not_after: b"",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: JAVA,
        keywords: &["exec", "ProcessBuilder", "command"],
        regex: r#"(?:\.exec\s*\(\s*(?:new\s+String\s*\[\s*\]\s*\{\s*SH\s*,\s*"-c"\s*,\s*)?|\bnew\s+ProcessBuilder\s*\(\s*(?:(?:Arrays\.asList|List\.of)\s*\(\s*)?SH\s*,\s*"-c"\s*,\s*|\.command\s*\(\s*SH\s*,\s*"-c"\s*,\s*)(?:String\.format\(\s*"[^"\n]*"\s*,\s*(EXPR)|"[^"\n]*"\s*\+\s*(EXPR))"#,
        not_after: b"",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: JAVA,
        keywords: &["ProcessBuilder", "command", "String[]"],
        regex: r#"(?:\.exec\s*\(\s*new\s+String\s*\[\s*\]\s*\{\s*SH\s*,\s*"-c"\s*,\s*|\bnew\s+ProcessBuilder\s*\(\s*(?:(?:Arrays\.asList|List\.of)\s*\(\s*)?SH\s*,\s*"-c"\s*,\s*|\.command\s*\(\s*SH\s*,\s*"-c"\s*,\s*)(EXPR)\s*[,)}]"#,
        not_after: b"",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: RUBY,
        keywords: &["`", "%x"],
        regex: r"`[^`\n]*?\#\{\s*(EXPR)|%x(?:\([^)\n]*?|\[[^\]\n]*?|\{[^\n]*?)\#\{\s*(EXPR)",
        not_after: b"",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: RUBY,
        keywords: &["system", "exec", "spawn", "popen", "capture", "pipeline"],
        regex: r"(?:\b(?:Kernel|IO|Open3|PTY|Process)\.)?\b(?:system|exec|spawn|popen|popen2|popen2e|popen3|capture2|capture2e|capture3|pipeline_r|pipeline_w|pipeline)\b\s*\(?\s*RB_BUILT",
        not_after: b".:",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: PHP,
        keywords: &["`"],
        regex: r"`[^`\n]*?\{?(PHP_VAR)",
        not_after: b"",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: PHP,
        keywords: &["exec", "system", "passthru", "popen", "proc_open"],
        regex: r"\b(?:shell_exec|exec|system|passthru|popen|proc_open|pcntl_exec)\s*\(\s*(?:PHP_BUILT|(PHP_VAR)\s*\.)",
        not_after: b">.:$",
    },
    Pattern {
        rule: SHELL_INJECTION,
        kinds: RUST,
        keywords: &["Command::new"],
        regex: r#"\bCommand::new\(\s*SH\s*\)\s*(?:\.arg\(\s*"-c"\s*\)\s*\.arg\(\s*|\.args\(\s*&?(?:\[|vec!\[)\s*"-c"\s*,\s*)RS_ARG"#,
        not_after: b"",
    },
    // ---------------------------------------------------------------- eval
    Pattern {
        rule: EVAL,
        kinds: PY,
        keywords: &["eval", "exec"],
        regex: r"\b(?:eval|exec)\s*\(\s*PY_ARG",
        not_after: b".",
    },
    Pattern {
        rule: EVAL,
        kinds: JS,
        keywords: &["eval", "Function", "vm.", "setTimeout", "setInterval"],
        regex: r#"(?:\beval\s*\(\s*|\bnew\s+Function\s*\(\s*(?:(?:"[^"\n]*"|'[^'\n]*')\s*,\s*)*|\bvm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction)\s*\(\s*|\bnew\s+vm\.Script\s*\(\s*)JS_ANY|\b(?:setTimeout|setInterval)\s*\(\s*JS_BUILT"#,
        not_after: b".$",
    },
    Pattern {
        rule: EVAL,
        kinds: PHP,
        keywords: &["eval"],
        regex: r"\beval\s*\(\s*(?:PHP_BUILT|(PHP_VAR))",
        not_after: b">.:$",
    },
    Pattern {
        rule: EVAL,
        kinds: RUBY,
        keywords: &["eval"],
        regex: r"(?:\bbinding\.|\b)(?:eval|instance_eval|class_eval|module_eval)\b(?:\s*\(\s*|[\x20\t]+)(?:RB_BUILT|(EXPR)\s*(?:[,)]|$))",
        not_after: b".:",
    },
    Pattern {
        rule: EVAL,
        kinds: JAVA,
        keywords: &[".eval", "parseExpression"],
        regex: r#"(?:\b\w*(?:[eE]ngine|[sS]cript\w*)\.eval|\bparseExpression)\s*\(\s*(?:"[^"\n]*"\s*\+\s*(EXPR)|(EXPR)\s*[,)+])"#,
        not_after: b"",
    },
];

/// Words that can stand where the value goes but are not data.
const NOT_VALUES: &[&str] = &[
    "True",
    "False",
    "None",
    "null",
    "undefined",
    "true",
    "false",
    "nil",
    "self",
    "this",
    "do",
    "end",
    "function",
    "lambda",
    "new",
    "async",
    "await",
];

struct Compiled {
    pattern: &'static Pattern,
    regex: LazyRegex,
}

/// Every pattern, expanded and parsed; each is compiled (with its gate) the first time a file
/// of its kinds holds one of its keywords, so a scan pays only for the languages it meets.
static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .filter_map(|pattern| {
            let (regex, _) = LazyRegex::parse(&format!("(?m){}", expand(pattern.regex))).ok()?;
            Some(Compiled { pattern, regex })
        })
        .collect()
});

/// Replaces the named building blocks in a pattern (longest names first, so that `JS_ANY` is
/// not read as `JS` + `_ANY`). Blocks may use other blocks.
fn expand(pattern: &str) -> String {
    const BLOCKS: &[(&str, &str)] = &[
        ("PY_ARG", PY_ARG),
        ("JS_BUILT", JS_BUILT),
        ("JS_ANY", JS_ANY),
        ("RB_BUILT", RB_BUILT),
        ("PHP_BUILT", PHP_BUILT),
        ("C_ARG", C_ARG),
        ("RS_ARG", RS_ARG),
        ("REST", REST),
        ("PHP_VAR", PHP_VAR),
        ("EXPR", EXPR),
        ("SH", SH),
    ];
    let mut out = pattern.replace(' ', "");
    for (name, block) in BLOCKS {
        out = out.replace(name, block);
    }
    out
}

pub fn check(src: &Source, out: &mut Vec<Hit>) {
    let mut seen: BTreeSet<(BuiltinRule, usize)> = BTreeSet::new();
    let mut counts: BTreeMap<BuiltinRule, usize> = BTreeMap::new();
    let mut docstrings: Option<Vec<std::ops::Range<usize>>> = None;
    for compiled in COMPILED.iter() {
        let pattern = compiled.pattern;
        if !pattern.kinds.contains(&src.kind)
            || !pattern
                .keywords
                .iter()
                .any(|k| memchr::memmem::find(src.bytes, k.as_bytes()).is_some())
        {
            continue;
        }
        if !compiled.regex.may_match(src.bytes) {
            continue;
        }
        // The exact regex runs only around the matches its DFA finds (see `LazyRegex::search`),
        // so the work is linear in the file; the cap below bounds it further. No budget: a
        // search without one never stops early, so nothing here goes unsaid.
        let mut work = crate::pattern::Work::default();
        let _unbounded = compiled
            .regex
            .search(src.bytes, u64::MAX, &mut work, &mut |found| {
                if counts.get(&pattern.rule).copied().unwrap_or(0) >= MAX_HITS {
                    return false;
                }
                let Some(whole) = found.get(0) else {
                    return true;
                };
                let start = whole.start
                    + src.bytes[whole.clone()]
                        .iter()
                        .take_while(|b| b.is_ascii_whitespace())
                        .count();
                if start
                    .checked_sub(1)
                    .and_then(|i| src.bytes.get(i))
                    .is_some_and(|b| pattern.not_after.contains(b))
                {
                    return true;
                }
                let value = found.groups().flatten().next().unwrap_or(whole);
                let text = String::from_utf8_lossy(&src.bytes[value.clone()]);
                let text = text.trim();
                if NOT_VALUES.contains(&text) || is_constant(text) {
                    return true;
                }
                if src.in_comment(start) || in_line_string(src, start) || is_definition(src, start)
                {
                    return true;
                }
                if src.kind == FileKind::Python {
                    let ranges = docstrings.get_or_insert_with(|| python_triple_strings(src.bytes));
                    if ranges.iter().any(|r| r.contains(&start)) {
                        return true;
                    }
                }
                if seen.insert((pattern.rule, value.start)) {
                    *counts.entry(pattern.rule).or_default() += 1;
                    out.push(Hit::new(pattern.rule, value.clone()).with_value(text.to_owned()));
                }
                true
            });
    }
}

/// True when the match is the name of a function being defined (`def create_subprocess_shell(cmd)`,
/// `function exec(cmd)`), not a call.
fn is_definition(src: &Source, offset: usize) -> bool {
    let offset = offset.min(src.bytes.len());
    let line_start = memchr::memrchr(b'\n', &src.bytes[..offset]).map_or(0, |i| i + 1);
    let before = src.bytes[line_start..offset].trim_ascii_end();
    let word_start = before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(0, |i| i + 1);
    matches!(
        &before[word_start..],
        b"def" | b"function" | b"func" | b"fn" | b"sub"
    )
}

/// `TABLE_NAME`, `DEFAULT_CMD`: a constant the program chose, not input.
fn is_constant(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && text.len() > 1
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// True when `offset` lies inside a quoted string that opened earlier on the same line. Rust's
/// `'` also starts lifetimes and PHP/Ruby/Python/JS all escape with `\`, so Rust counts only `"`.
fn in_line_string(src: &Source, offset: usize) -> bool {
    let offset = offset.min(src.bytes.len());
    let line_start = memchr::memrchr(b'\n', &src.bytes[..offset]).map_or(0, |i| i + 1);
    let quotes: &[u8] = if src.kind == FileKind::Rust {
        b"\""
    } else {
        b"\"'`"
    };
    let mut open: Option<u8> = None;
    let mut escaped = false;
    for &b in &src.bytes[line_start..offset] {
        if escaped {
            escaped = false;
            continue;
        }
        match open {
            Some(q) if b == q => open = None,
            Some(_) if b == b'\\' => escaped = true,
            Some(_) => {}
            None if quotes.contains(&b) => open = Some(b),
            None => {}
        }
    }
    open.is_some()
}

/// Byte ranges of Python's triple-quoted strings (docstrings and long literals), found with a
/// small scanner that knows comments and one-line strings, so that a `"""` inside them does not
/// count. Linear in the file, never fails: an unterminated string runs to the end.
fn python_triple_strings(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            q @ (b'"' | b'\'') => {
                let triple = bytes.get(i..i + 3) == Some(&[q, q, q][..]);
                if triple {
                    let start = i;
                    i += 3;
                    while i < bytes.len() && bytes.get(i..i + 3) != Some(&[q, q, q][..]) {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 3).min(bytes.len());
                    out.push(start..i);
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(path: &str, text: &str) -> Vec<(BuiltinRule, u32, String)> {
        let kind = FileKind::detect(path, text.as_bytes());
        crate::analyzers::hits_in(path, kind, text, |src, sink| check(src, sink.hits_mut()))
    }

    fn values(path: &str, text: &str, rule: BuiltinRule) -> Vec<String> {
        hits(path, text)
            .into_iter()
            .filter(|h| h.0 == rule)
            .map(|h| h.2)
            .collect()
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(COMPILED.len(), PATTERNS.len());
        for compiled in COMPILED.iter() {
            assert_eq!(
                compiled.pattern.rule.analyzer(),
                Some(crate::rules::AnalyzerKind::Code)
            );
            if let Err(err) = compiled.regex.compile() {
                panic!("{}: {err}", compiled.pattern.regex);
            }
        }
    }

    #[test]
    fn python_shell_forms() {
        let text = r#"import os, subprocess
os.system(f"tar xf {archive} -C /tmp")
os.system("rm -rf " + path)
os.system(cmd)
os.system("ls -l")
subprocess.run(cmd, check=True, shell=True)
subprocess.run(f"git clone {url}", shell=True)
subprocess.run(["git", "clone", url], check=True)
subprocess.run("make all", shell=True)
subprocess.run(cmd, shell=False)
subprocess.check_output(
    "convert %s out.png" % name,
    shell=True,
)
"#;
        assert_eq!(
            values("a.py", text, SHELL_INJECTION),
            ["archive", "path", "cmd", "cmd", "url", "name"]
        );
    }

    #[test]
    fn exec_means_shell_in_node_and_code_in_python() {
        let js = "const { exec } = require('child_process');\nexec(`git clone ${url}`);\nexec(cmd, done);\n/^a/.exec(line);\n";
        assert_eq!(values("a.js", js, SHELL_INJECTION), ["url"]);
        assert!(values("a.js", js, EVAL).is_empty());
        let py = "exec(code)\nexec(\"print(1)\")\n";
        assert_eq!(values("a.py", py, EVAL), ["code"]);
        assert!(values("a.py", py, SHELL_INJECTION).is_empty());
    }

    #[test]
    fn backticks_are_a_shell_in_ruby_and_php_only() {
        assert_eq!(
            values("a.rb", "out = `git log #{ref}`\n", SHELL_INJECTION),
            ["ref"]
        );
        assert_eq!(
            values("a.php", "<?php\n$out = `ls $dir`;\n", SHELL_INJECTION),
            ["$dir"]
        );
        assert!(values("a.js", "const s = `ls ${dir}`;\n", SHELL_INJECTION).is_empty());
    }

    #[test]
    fn php_escaping_and_pdo_are_not_findings() {
        let text = "<?php\nsystem(\"ls \" . escapeshellarg($dir));\n$pdo->exec(\"DELETE FROM t WHERE id = $id\");\nsystem('ls ' . $dir);\n";
        assert_eq!(values("a.php", text, SHELL_INJECTION), ["$dir"]);
    }

    #[test]
    fn comments_strings_and_docstrings_are_skipped() {
        let text = "# os.system(cmd)\nHELP = \"never call os.system(cmd)\"\n\"\"\"\nos.system(cmd)\n\"\"\"\nx = 1  # eval(expr)\n";
        assert!(hits("a.py", text).is_empty());
        let js = "// eval(code)\nconst s = 'eval(code)';\n/* exec(`rm ${f}`) */\n";
        assert!(hits("a.js", js).is_empty());
    }

    #[test]
    fn eval_needs_something_that_is_not_a_literal() {
        let py = "ast.literal_eval(x)\nmodel.eval()\neval(\"1 + 1\")\neval(request.form[\"expr\"])\neval(EXPRESSION)\n";
        assert_eq!(values("a.py", py, EVAL), ["request.form[\"expr\"]"]);
        let rb = "instance_eval(&block)\nclass_eval do\nend\neval params[:code]\n";
        assert_eq!(values("a.rb", rb, EVAL), ["params[:code]"]);
        let js = "setTimeout(tick, 100);\nsetTimeout(\"poll(\" + id + \")\", 100);\nnew Function(\"a\", \"return a + 1\");\nnew Function(\"a\", body);\n";
        assert_eq!(values("a.js", js, EVAL), ["id", "body"]);
    }

    #[test]
    fn shell_dash_c_in_go_java_and_rust() {
        let go = "exec.Command(\"sh\", \"-c\", fmt.Sprintf(\"tar xf %s\", name))\nexec.Command(\"sh\", \"-c\", \"ls -l\")\nexec.Command(\"git\", \"clone\", url)\n";
        assert_eq!(values("a.go", go, SHELL_INJECTION), ["name"]);
        let java = "Runtime.getRuntime().exec(\"ping -c 1 \" + host);\nnew ProcessBuilder(\"bash\", \"-c\", cmd).start();\nnew ProcessBuilder(\"git\", \"clone\", url);\n";
        assert_eq!(values("A.java", java, SHELL_INJECTION), ["host", "cmd"]);
        let rs = "fn f<'a>(x: &'a str) {\n    Command::new(\"sh\").arg(\"-c\").arg(format!(\"tar xf {}\", path));\n    Command::new(\"tar\").arg(\"xf\").arg(path);\n}\n";
        assert_eq!(values("a.rs", rs, SHELL_INJECTION), ["path"]);
    }

    #[test]
    fn hostile_input_is_bounded() {
        let mut text = String::from("import os\n");
        for _ in 0..20_000 {
            text.push_str("os.system(cmd)\n");
        }
        let start = std::time::Instant::now();
        assert_eq!(values("a.py", &text, SHELL_INJECTION).len(), MAX_HITS);
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        for odd in [
            "\"\"\"",
            "'''unterminated",
            "os.system(",
            "eval(f\"{",
            "`",
            "\\",
            "exec(`${",
        ] {
            let _ = hits("a.py", odd);
            let _ = hits("a.js", odd);
            let _ = hits("a.rb", odd);
            let _ = hits("a.php", odd);
        }
        let deep = "(".repeat(50_000) + "os.system(x)";
        let _ = hits("a.py", &deep);
    }

    #[test]
    fn definitions_and_numeric_formats_are_not_findings() {
        let text = "async def create_subprocess_shell(cmd, stdin=None):\n    pass\nos.system(\"leaks %d\" % os.getpid())\nos.system(\"kill %s\" % pid)\n";
        assert_eq!(values("a.py", text, SHELL_INJECTION), ["pid"]);
        let js = "function exec(cmd) {}\nfunction eval(code) { return code; }\n";
        assert!(hits("a.js", js).is_empty());
    }

    #[test]
    fn python_triple_strings_are_found() {
        let text = b"x = 'a\"\"\"b'\n\"\"\"doc\nmore\"\"\" # \"\"\"\ny = '''z'''\n";
        let ranges = python_triple_strings(text);
        assert_eq!(ranges.len(), 2);
        assert_eq!(&text[ranges[0].clone()], b"\"\"\"doc\nmore\"\"\"");
    }
}
