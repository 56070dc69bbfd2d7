//! Injection in application code whose shape depends on the language: `code/shell-injection`
//! and `code/eval`; and, once the whole tree is scanned, the context of two regex rules (see
//! [`in_tree`]): `code/bind-all-interfaces` in code a container is built from, and
//! `code/weak-hash` inside a wrapper that other files call on passwords.
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

use super::{Hit, Tree};
use crate::catalog::Severity;
use crate::finding::Finding;
use crate::pattern::LazyRegex;
use crate::rules::BuiltinRule;
use crate::source::{FileKind, Source};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

pub use crate::rules::CODE_BIND_ALL_INTERFACES as BIND_ALL;
use crate::rules::CODE_EVAL as EVAL;
use crate::rules::CODE_NOSQL_INJECTION as NOSQL_INJECTION;
use crate::rules::CODE_SHELL_INJECTION as SHELL_INJECTION;
use crate::rules::CODE_SQL_BUILT_THEN_EXECUTED as SQL_BUILT_THEN_EXECUTED;
use crate::rules::CODE_TEMPLATE_INJECTION as TEMPLATE_INJECTION;
pub use crate::rules::CODE_WEAK_HASH as WEAK_HASH;

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
/// Python without the bare expression: an f-string, `%`, `+` or `.format(` building a string.
const PY_BUILT: &str = r#"(?:(?:[rR]?[fF]|[fF][rR])(?:"""[^"]*?|'''[^']*?|"[^"\n]*?|'[^'\n]*?)\{\s*(EXPR)|(?:"[^"\n]*%[-\#0-9.]*[sr(][^"\n]*"|'[^'\n]*%[-\#0-9.]*[sr(][^'\n]*')\s*%\s*\(?\s*(EXPR)|(?:"[^"\n]*"|'[^'\n]*')\s*(?:\+\s*|\.format\(\s*(?:\w+\s*=\s*)?)(EXPR))"#;
/// Express request data that a JSON or `qs` body parser may turn into an object
/// (`req.body.user`, `req.query["id"]`). Route parameters (`req.params`) are always strings.
const JS_REQ_DATA: &str = r"req\.(?:body|query)(?:\.[A-Za-z_$][\w$]*|\[[^\]\n]{1,60}\])*";
/// Any Express request value, route parameters included.
const JS_REQ_ANY: &str = r"req\.(?:body|query|params)(?:\.[A-Za-z_$][\w$]*|\[[^\]\n]{1,60}\])*";
/// Flask request data that may be an object: the parsed JSON body.
const PY_REQ_JSON: &str =
    r"request\.(?:json|get_json\(\s*\))(?:\[[^\]\n]{1,60}\]|\.get\([^()\n]{1,60}\))*";
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
    // ---------------------------------------------------------------- NoSQL injection
    // MongoDB's `$where` runs JavaScript on the server; a string built from data is code.
    Pattern {
        rule: NOSQL_INJECTION,
        kinds: JS,
        keywords: &["$where"],
        regex: r#"(?:\$where["']?\s*:|\.\$where\s*\()\s*JS_BUILT"#,
        not_after: b"",
    },
    Pattern {
        rule: NOSQL_INJECTION,
        kinds: PY,
        keywords: &["$where"],
        regex: r#"["']\$where["']\s*:\s*PY_BUILT"#,
        not_after: b"",
    },
    // A filter taken from the request, whole or as a field's value: a JSON body or a `qs`
    // query string can carry `{"$ne": null}` or `{"$gt": ""}` where a string was expected. The
    // filter must be the call's first argument and the value must stand alone (not
    // `String(...)`, not inside a nested object such as Sequelize's `{ where: {...} }`).
    Pattern {
        rule: NOSQL_INJECTION,
        kinds: JS,
        keywords: &["req.body", "req.query"],
        regex: r#"(?:\.(?:find|findOne|findOneAndUpdate|findOneAndDelete|findOneAndReplace|findOneAndRemove|updateOne|updateMany|replaceOne|deleteOne|deleteMany|countDocuments)|(?:[cC]ollection|\bdb\.[A-Za-z_$][\w$]*)\.(?:update|remove|count))\s*\(\s*(?:\{[^{}]*?[\w$"'\]]\s*:\s*)?(JS_REQ_DATA)\s*[,})]"#,
        not_after: b"",
    },
    Pattern {
        rule: NOSQL_INJECTION,
        kinds: PY,
        keywords: &["request.json", "request.get_json"],
        regex: r#"\.(?:find|find_one|find_one_and_update|find_one_and_delete|find_one_and_replace|update_one|update_many|delete_one|delete_many|replace_one|count_documents)\s*\(\s*(?:\{[^{}]*?["']\s*:\s*)?(PY_REQ_JSON)\s*[,})]"#,
        not_after: b"",
    },
    // ---------------------------------------------------------------- template injection
    // The template text itself comes from data: whoever writes it runs template code
    // (`{{ ''.__class__.__mro__ }}` in Jinja2, `<%= process.mainModule... %>` in EJS). Flask's
    // `render_template_string` exists only to render inline text, so a variable there is
    // reported too (it is usually built a few lines above); other engines need the building.
    Pattern {
        rule: TEMPLATE_INJECTION,
        kinds: PY,
        keywords: &["render_template_string"],
        regex: r"\brender_template_string\s*\(\s*PY_ARG",
        not_after: b"",
    },
    Pattern {
        rule: TEMPLATE_INJECTION,
        kinds: PY,
        keywords: &["Template", "from_string"],
        regex: r"(?:\b(?:jinja2|mako\.template)\.Template|\bTemplate|\.from_string)\s*\(\s*PY_BUILT",
        not_after: b".",
    },
    Pattern {
        rule: TEMPLATE_INJECTION,
        kinds: JS,
        keywords: &["render", "compile", "template"],
        regex: r"\b(?:ejs|pug|jade|nunjucks|[hH]andlebars|hbs|doT|dot|_|lodash)\.(?:render|compile|renderString|compileClient|template)\s*\(\s*(?:JS_BUILT|(JS_REQ_ANY)\s*[,)])",
        not_after: b".",
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
        ("PY_REQ_JSON", PY_REQ_JSON),
        ("PY_BUILT", PY_BUILT),
        ("PY_ARG", PY_ARG),
        ("JS_REQ_DATA", JS_REQ_DATA),
        ("JS_REQ_ANY", JS_REQ_ANY),
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
                if pattern.rule == NOSQL_INJECTION && assigned_a_number(src, start, text) {
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
    sql_built_then_executed(src, out);
}

/// SQL keywords that make a string literal a statement (as in `code/sql-string-concat`).
const SQL_WORDS: &str =
    r"\b(?i:select|insert\s+into|update|delete\s+from|where|order\s+by|group\s+by|join|having)\s";

/// `name = <SQL text with a value pasted in>` at the start of a line (group 1: the variable,
/// group 2 or a later one: the value), in Python or JavaScript.
static SQL_ASSIGNMENT: LazyLock<regex::Regex> = LazyLock::new(|| {
    let literal = format!(r#"(?:"[^"\n]*?{SQL_WORDS}[^"\n]*"|'[^'\n]*?{SQL_WORDS}[^'\n]*')"#);
    let pattern = format!(
        r#"(?m)^[ \t]*(?:(?:const|let|var)[ \t]+)?([A-Za-z_]\w*)[ \t]*(?::[ \t]*\w+[ \t]*)?=[ \t]*(?:(?:[rR]?[fF]|[fF][rR])(?:"[^"\n]*?{SQL_WORDS}[^"\n]*?|'[^'\n]*?{SQL_WORDS}[^'\n]*?)\{{\s*(EXPR)|\x60[^\x60]*?{SQL_WORDS}[^\x60]*?\$\{{\s*(EXPR)|{literal}(?:[ \t]*\+[ \t]*(?:"[^"\n]*"|'[^'\n]*'))*[ \t]*(?:\+|%[ \t]*\(?|\.format\()[ \t]*(EXPR))"#
    );
    regex::Regex::new(&pattern.replace("EXPR", EXPR)).expect("SQL assignment pattern compiles")
});

/// Lines after the assignment searched for the call that runs it (the rest of a function).
const SQL_CALL_WINDOW: usize = 40;

/// `code/sql-built-then-executed`: SQL text built with a pasted value in a variable whose name
/// does not say SQL (`q`, `s`, `cmd`; `sql`/`query` names are `code/sql-string-concat`'s), and
/// that variable is then passed to an execute or query call within the next lines, before the
/// function ends (a line less indented than the assignment) and before it is reassigned.
fn sql_built_then_executed(src: &Source, out: &mut Vec<Hit>) {
    if !matches!(
        src.kind,
        FileKind::Python | FileKind::Javascript | FileKind::Typescript
    ) || !(memchr::memmem::find(src.bytes, b"execute").is_some()
        || memchr::memmem::find(src.bytes, b"query").is_some())
    {
        return;
    }
    let Ok(text) = std::str::from_utf8(src.bytes) else {
        return;
    };
    static NAME_SAYS_SQL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)sql|query|stmt|statement").expect("name pattern compiles")
    });
    let mut count = 0;
    for caps in SQL_ASSIGNMENT.captures_iter(text) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        let Some(value) = caps.iter().skip(2).flatten().next() else {
            continue;
        };
        let value_text = value.as_str().trim();
        if NAME_SAYS_SQL.is_match(name.as_str())
            || NOT_VALUES.contains(&value_text)
            || is_constant(value_text)
            || src.in_comment(whole.start())
        {
            continue;
        }
        let indent = whole.as_str().len() - whole.as_str().trim_start().len();
        let call = format!(
            r"\b(?:execute|executemany|executescript|query|raw|read_sql|read_sql_query|exec_driver_sql)\s*\(\s*(?:[\w.]+\s*,\s*)?(?:(?:sa\.|sqlalchemy\.)?text\(\s*)?{}\s*[,)]",
            regex::escape(name.as_str())
        );
        let Ok(call) = regex::Regex::new(&call) else {
            continue;
        };
        let reassigned = format!(r"^\s*{}\s*=[^=]", regex::escape(name.as_str()));
        let Ok(reassigned) = regex::Regex::new(&reassigned) else {
            continue;
        };
        let rest = &text[whole.end()..];
        for line in rest.lines().skip(1).take(SQL_CALL_WINDOW) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() {
                continue;
            }
            if line.len() - trimmed.len() < indent || reassigned.is_match(line) {
                break;
            }
            if call.is_match(line) {
                out.push(
                    Hit::new(SQL_BUILT_THEN_EXECUTED, value.range())
                        .with_value(value_text.to_owned()),
                );
                count += 1;
                break;
            }
        }
        if count >= MAX_HITS {
            break;
        }
    }
}

/// Largest Compose file read for its build contexts.
const MAX_COMPOSE_BYTES: u64 = 1 << 20;

/// `build: ./api` or, under a `build:` map, `context: ./api` (group 1), quoted or not.
static BUILD_CONTEXT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"(?m)^[ \t-]*(?:build|context)[ \t]*:[ \t]*["']?([^\s"'#{}\[\]]+)"#)
        .expect("build context pattern compiles")
});

/// The directories whose code is built into a container image, each with the file that says
/// so: every directory holding a Dockerfile or Containerfile (its usual build context), and
/// every local `build:` context of a Compose file. `""` is the root.
fn container_contexts(tree: &Tree) -> Vec<(String, String)> {
    let mut contexts = Vec::new();
    for file in tree.files {
        let (dir, _) = file.path.rsplit_once('/').unwrap_or(("", &file.path));
        match file.kind {
            FileKind::Dockerfile => contexts.push((dir.to_owned(), file.path.clone())),
            FileKind::Compose => {
                let Ok(handle) = crate::regular::open_no_follow(&tree.root.join(&file.path)) else {
                    continue;
                };
                let mut text = String::new();
                if std::io::Read::read_to_string(
                    &mut std::io::Read::take(handle, MAX_COMPOSE_BYTES),
                    &mut text,
                )
                .is_err()
                {
                    continue;
                }
                for found in BUILD_CONTEXT.captures_iter(&text) {
                    let context = &found[1];
                    if context.contains("://") || context.starts_with("git@") {
                        continue;
                    }
                    if let Some(joined) = join_relative(dir, context) {
                        contexts.push((joined, file.path.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    contexts
}

/// `dir` joined with a relative `path` (`.`, `..` resolved), or `None` when it leaves the root
/// or is absolute.
fn join_relative(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// `code/bind-all-interfaces` in code that a container image is built from: binding every
/// interface is what a server in a container must do (the container's network is its own, and
/// only published ports reach the host), so the finding is `info` and says why. Outside a
/// container it stays as the rule says (`low`). Decided over the whole scanned tree, after every
/// file is checked, rather than from each file's neighbourhood on disk: a Compose file at the
/// root may build `./services/api`, the answer does not depend on which worker saw which file
/// first, and the coach's re-check runs it again, so a Dockerfile added later updates the text.
/// `keep_severity`: the repository set this rule's severity itself (`[severity]`).
fn in_containers(tree: &Tree, findings: &mut [Finding], keep_severity: bool) {
    if !findings.iter().any(|f| f.rule.as_str() == BIND_ALL) {
        return;
    }
    let contexts = container_contexts(tree);
    for finding in findings.iter_mut().filter(|f| f.rule.as_str() == BIND_ALL) {
        let built_by = contexts
            .iter()
            .filter(|(dir, _)| {
                dir.is_empty()
                    || finding
                        .path
                        .strip_prefix(dir.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            // The nearest context names the image this code goes into.
            .max_by_key(|(dir, _)| dir.len());
        let Some((_, by)) = built_by else {
            continue;
        };
        if !keep_severity {
            finding.severity = Severity::Info;
        }
        finding.message = format!(
            "{} (normal here: {} builds this code into a container image, whose network is its \
             own; what reaches the host or the internet is decided by the ports it publishes)",
            finding.message,
            crate::display::sanitize(by)
        );
    }
}

/// The whole-tree context of the regex rules that need it, applied to every finding once the
/// files are checked. `configured(rule)`: the repository set that rule's severity itself, which
/// then wins.
pub fn in_tree(tree: &Tree, findings: &mut [Finding], configured: &dyn Fn(&str) -> bool) {
    in_containers(tree, findings, configured(BIND_ALL.as_str()));
    weak_hash_wrappers(tree, findings, configured(WEAK_HASH.as_str()));
}

/// Largest file read when looking for a weak-hash wrapper or its callers.
const MAX_WRAPPER_SCAN_BYTES: u64 = 2 << 20;

/// A JavaScript or TypeScript function defined on the line (group 1):
/// `export const hash = (data: string) =>`, `function md5Hex(value) {`.
static JS_DEFINITION: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^\s*(?:export\s+)?(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)|(?:async\s+)?function\s+([A-Za-z_$][\w$]*)\s*\()",
    )
    .expect("JS definition pattern compiles")
});

/// A Python function definition (group 1).
static PY_DEFINITION: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
        .expect("Python definition pattern compiles")
});

/// Receivers whose `hash(…)` is a password hash of its own, never a project's MD5 wrapper.
const PASSWORD_HASHERS: &[&str] = &[
    "bcrypt", "bcryptjs", "argon2", "scrypt", "crypto", "hashlib", "passlib", "pbkdf2", "hasher",
    "Hash", "Bcrypt", "sodium", "nacl",
];

fn read_text(tree: &Tree, path: &str) -> Option<String> {
    let file = crate::regular::open_no_follow(&tree.root.join(path)).ok()?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_WRAPPER_SCAN_BYTES),
        &mut bytes,
    )
    .ok()?;
    (memchr::memchr(0, &bytes).is_none()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// The function a weak-hash finding's line belongs to, when that function is a thin wrapper:
/// defined on the same line (`const hash = (data) => createHash('md5')…`) or, in Python, on one
/// of the three lines above (`def md5_hex(value):` / `return hashlib.md5(…)`).
fn wrapper_name(text: &str, line: u32, kind: FileKind) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = (line as usize).checked_sub(1)?;
    match kind {
        FileKind::Javascript | FileKind::Typescript => {
            let found = JS_DEFINITION.captures(lines.get(at)?)?;
            found.get(1).or(found.get(2)).map(|m| m.as_str().to_owned())
        }
        FileKind::Python => (at.saturating_sub(3)..=at)
            .rev()
            .find_map(|i| PY_DEFINITION.captures(lines.get(i)?))
            .map(|found| found[1].to_owned()),
        _ => None,
    }
}

/// `code/weak-hash` (MD5 or SHA-1, `low`) inside a wrapper function that code elsewhere calls
/// on a password-named value (`security.hash(clearTextPassword)`): the wrapper is the
/// application's password hash, so the finding is raised to `high`, as
/// `code/weak-hash-password` reports a direct `md5(password)`, and its message names a caller.
/// Needs the whole tree: the callers are in other files.
fn weak_hash_wrappers(tree: &Tree, findings: &mut [Finding], keep_severity: bool) {
    let mut wrappers: Vec<(usize, String, FileKind)> = Vec::new();
    let mut texts: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (i, finding) in findings.iter().enumerate() {
        if finding.rule.as_str() != WEAK_HASH {
            continue;
        }
        let kind = FileKind::detect(&finding.path, b"");
        if !matches!(
            kind,
            FileKind::Javascript | FileKind::Typescript | FileKind::Python
        ) {
            continue;
        }
        let text = texts
            .entry(finding.path.clone())
            .or_insert_with(|| read_text(tree, &finding.path));
        if let Some(name) = text
            .as_deref()
            .and_then(|t| wrapper_name(t, finding.line, kind))
        {
            wrappers.push((i, name, kind));
        }
    }
    if wrappers.is_empty() {
        return;
    }
    let names: BTreeSet<&str> = wrappers.iter().map(|(_, n, _)| n.as_str()).collect();
    let alternatives: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
    // A call of a wrapper (group 2), with an optional receiver (group 1), whose argument list
    // starts with a password-named value.
    let Ok(calls) = regex::Regex::new(&format!(
        r"(?:\b([A-Za-z_$][\w$]*)\.)?\b({})\s*\(\s*[\w$.\[\]'\x22]{{0,60}}?(?i:passw(?:or)?d|passwd|pwd|passphrase)",
        alternatives.join("|")
    )) else {
        return;
    };
    let script = |k: FileKind| matches!(k, FileKind::Javascript | FileKind::Typescript);
    let mut callers: BTreeMap<(String, bool), (String, u32)> = BTreeMap::new();
    for file in tree.files.iter().filter(|f| !f.binary) {
        let python = file.kind == FileKind::Python;
        if !(python || script(file.kind)) {
            continue;
        }
        let Some(text) = read_text(tree, &file.path) else {
            continue;
        };
        for found in calls.captures_iter(&text) {
            if found
                .get(1)
                .is_some_and(|r| PASSWORD_HASHERS.contains(&r.as_str()))
            {
                continue;
            }
            let at = found.get(0).map_or(0, |m| m.start());
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let before = text[line_start..at].trim_end();
            // The definition itself (`def md5_hex(password):`) is not a caller.
            if before.ends_with("def") || before.ends_with("function") {
                continue;
            }
            let line = text[..at].matches('\n').count() as u32 + 1;
            // The first caller in path order, outside test code when there is one.
            let caller = callers
                .entry((found[2].to_owned(), python))
                .or_insert((file.path.clone(), line));
            if crate::source::is_test_path(&caller.0) && !crate::source::is_test_path(&file.path) {
                *caller = (file.path.clone(), line);
            }
        }
    }
    for (i, name, kind) in wrappers {
        let Some((path, line)) = callers.get(&(name.clone(), kind == FileKind::Python)) else {
            continue;
        };
        let finding = &mut findings[i];
        if !keep_severity {
            finding.severity = Severity::High;
        }
        finding.message = format!(
            "{} (raised: `{}` hashes passwords, as at {}:{line})",
            finding.message,
            crate::display::sanitize(&name),
            crate::display::sanitize(path)
        );
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

/// Lines above a match searched for the assignment of its value.
const ASSIGNMENT_WINDOW: usize = 10;

/// True when `name`, a plain variable, was assigned a number cast (`const id = Number(x)`,
/// `n = int(x)`) on one of the few lines before `offset`: pasting a number cannot inject.
fn assigned_a_number(src: &Source, offset: usize, name: &str) -> bool {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return false;
    }
    let offset = offset.min(src.bytes.len());
    let before = String::from_utf8_lossy(&src.bytes[..offset]);
    let Ok(cast) = regex::Regex::new(&format!(
        r"^\s*(?:(?:const|let|var)\s+)?{name}\s*(?::\s*\w+\s*)?=\s*(?:Number|parseInt|parseFloat|Math\.floor|int|float)\("
    )) else {
        return false;
    };
    before
        .lines()
        .rev()
        .take(ASSIGNMENT_WINDOW)
        .any(|line| cast.is_match(line))
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
    fn build_contexts_join_relative_to_the_compose_file() {
        assert_eq!(join_relative("", "./api").as_deref(), Some("api"));
        assert_eq!(join_relative("flask", ".").as_deref(), Some("flask"));
        assert_eq!(
            join_relative("deploy/compose", "../../services/web/").as_deref(),
            Some("services/web")
        );
        assert_eq!(join_relative("", "../outside"), None);
        assert_eq!(join_relative("a", "/abs"), None);
        let text = "services:\n  web:\n    build: ./web\n  api:\n    build:\n      context: \"api\"\n      target: builder\n  db:\n    image: postgres\n";
        let found: Vec<&str> = BUILD_CONTEXT
            .captures_iter(text)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        assert_eq!(found, ["./web", "api"]);
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
    fn template_source_built_from_data_is_injection_but_variables_are_not() {
        let py = "t = jinja2.Template(\"<h1>\" + subject + \"</h1>\")\nu = Template(\"Report for \" + team)\nv = string.Template(\"$x \" + y)\nrender_template_string(\"<p>{{ n }}</p>\", n=name)\nrender_template_string(PAGE, url=url)\nrender_template_string(page)\n";
        assert_eq!(
            values("app.py", py, TEMPLATE_INJECTION),
            ["page", "subject", "team"]
        );
        let js = "ejs.render('<h1><%= n %></h1>', { n: req.query.n });\nejs.render(`<h1>${req.query.n}</h1>`);\npug.compile(req.body.tpl, {});\nres.render(req.query.view);\n";
        assert_eq!(
            values("a.js", js, TEMPLATE_INJECTION),
            ["req.query.n", "req.body.tpl"]
        );
    }

    #[test]
    fn nosql_filters_from_the_request_but_not_casts_params_or_sequelize() {
        let js = "db.c.find(req.body);\nUser.findOne({ email: req.body.email });\nUser.findOne({ email: String(req.body.email) });\nCard.findOne({ where: { id: req.body.id } });\ndb.c.findOne({ _id: req.params.id });\ndb.c.find({ $where: 'this.a == ' + a });\ndb.c.find({ $where: 'this.a > 3' });\n";
        assert_eq!(
            values("a.js", js, NOSQL_INJECTION),
            ["a", "req.body", "req.body.email"]
        );
        let cast = "const productId = Number(id)\nreturn db.c.find({ $where: 'this.product == ' + productId });\n";
        assert!(values("b.js", cast, NOSQL_INJECTION).is_empty());
        let py = "c.find_one({\"u\": request.json[\"u\"]})\nc.find_one({\"u\": request.args[\"u\"]})\nc.find({\"$where\": \"this.a > %s\" % days})\n";
        assert_eq!(
            values("a.py", py, NOSQL_INJECTION),
            ["days", "request.json[\"u\"]"]
        );
    }

    #[test]
    fn sql_built_in_a_variable_is_reported_where_it_is_executed() {
        let py = "def find(db, term):\n    q = \"SELECT id FROM products WHERE name LIKE '%\" + term + \"%'\"\n    cur = db.cursor()\n    cur.execute(q)\n\n\ndef by_id(db, pid):\n    s = f\"SELECT id FROM products WHERE id = {pid}\"\n    log.info(s)\n\n\ndef other(db, pid):\n    db.execute(s)\n\n\ndef safe(db, term):\n    q = \"SELECT id FROM products WHERE name LIKE ?\"\n    db.execute(q, (\"%\" + term + \"%\",))\n";
        assert_eq!(values("a.py", py, SQL_BUILT_THEN_EXECUTED), ["term"]);
        let js = "async function byName(name) {\n  const text = `SELECT * FROM users WHERE name = '${name}'`;\n  return pool.query(text);\n}\nasync function safe(name) {\n  const text = 'SELECT * FROM users WHERE name = $1';\n  return pool.query(text, [name]);\n}\n";
        assert_eq!(values("a.js", js, SQL_BUILT_THEN_EXECUTED), ["name"]);
        // A `query`/`sql` name is code/sql-string-concat's, a reassignment ends the trail.
        let other = "def f(db, t):\n    query = \"SELECT a FROM b WHERE c = '\" + t + \"'\"\n    db.execute(query)\n    q = \"DELETE FROM b WHERE c = '\" + t + \"'\"\n    q = \"SELECT 1\"\n    db.execute(q)\n";
        assert!(values("b.py", other, SQL_BUILT_THEN_EXECUTED).is_empty());
    }

    #[test]
    fn python_triple_strings_are_found() {
        let text = b"x = 'a\"\"\"b'\n\"\"\"doc\nmore\"\"\" # \"\"\"\ny = '''z'''\n";
        let ranges = python_triple_strings(text);
        assert_eq!(ranges.len(), 2);
        assert_eq!(&text[ranges[0].clone()], b"\"\"\"doc\nmore\"\"\"");
    }
}
