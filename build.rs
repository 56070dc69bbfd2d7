//! Embeds the check catalogue (`checks/`) and the lessons (`lessons/`) into the binary.
//!
//! Generates `$OUT_DIR/embedded.rs`, a list of `(relative path, include_str!(absolute path))`
//! pairs. Because the list itself is generated, adding or removing a file changes it and
//! rebuilds the crate; `include_str!` tracks edits to each file's content.
//!
//! Also generates `$OUT_DIR/rule_ids.rs`: one typed constant per embedded rule
//! (`DOCKER_RUN_AS_ROOT` for `docker/run-as-root`) and the table of every embedded rule with the
//! analyzer its TOML names (`matcher = { type = "analyzer", analyzer = "…" }`), so code can only
//! name rules that exist and the TOML is the one place that says which analyzer emits a rule.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

fn collect(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(&path, base, out);
        } else if kind.is_file() {
            out.push(path.strip_prefix(base).unwrap_or(&path).to_path_buf());
        }
    }
}

fn table(name: &str, root: &Path, dir: &str, keep: impl Fn(&Path) -> bool) -> String {
    let base = root.join(dir);
    let mut files = Vec::new();
    collect(&base, &base, &mut files);
    files.retain(|path| keep(path));
    files.sort();
    let mut code = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for rel in files {
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let abs = base.join(&rel);
        code.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            rel_str,
            abs.to_string_lossy()
        ));
    }
    code.push_str("];\n");
    code
}

/// The `(id, analyzer)` of every `[[rule]]` in one embedded pack; panics (failing the build)
/// with the file's name when the pack is not TOML or a rule has no string id.
fn rules_of(file: &Path) -> Vec<(String, Option<String>)> {
    let text =
        fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: cannot read: {e}", file.display()));
    let doc: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: not TOML: {e}", file.display()));
    let Some(toml::Value::Array(rules)) = doc.get("rule") else {
        return Vec::new();
    };
    rules
        .iter()
        .map(|rule| {
            let id = rule
                .get("id")
                .and_then(toml::Value::as_str)
                .unwrap_or_else(|| panic!("{}: a rule has no string `id`", file.display()));
            let matcher = rule.get("matcher");
            let is_analyzer = matcher
                .and_then(|m| m.get("type"))
                .and_then(toml::Value::as_str)
                == Some("analyzer");
            let analyzer = matcher
                .and_then(|m| m.get("analyzer"))
                .and_then(toml::Value::as_str)
                .filter(|_| is_analyzer)
                .map(str::to_owned);
            (id.to_owned(), analyzer)
        })
        .collect()
}

/// `docker/run-as-root` → `DOCKER_RUN_AS_ROOT`.
fn const_name(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            '/' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// `dockerfile` → `Dockerfile`: the `AnalyzerKind` variant (an unknown name fails to compile).
fn variant_name(analyzer: &str) -> String {
    analyzer
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn rule_ids(root: &Path) -> String {
    let base = root.join("checks");
    let mut files = Vec::new();
    collect(&base, &base, &mut files);
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut rules: Vec<(String, Option<String>, String)> = Vec::new();
    for rel in files {
        let shown = format!("checks/{}", rel.to_string_lossy().replace('\\', "/"));
        for (id, analyzer) in rules_of(&base.join(&rel)) {
            rules.push((id, analyzer, shown.clone()));
        }
    }
    rules.sort();
    let mut code = String::new();
    for (id, analyzer, file) in &rules {
        let by = analyzer
            .as_deref()
            .map_or_else(String::new, |a| format!(", emitted by the `{a}` analyzer"));
        code.push_str(&format!(
            "/// `{id}` ({file}{by}).\npub const {}: BuiltinRule = BuiltinRule({id:?});\n",
            const_name(id)
        ));
    }
    code.push_str(
        "/// Every embedded rule, sorted by id, with the analyzer that emits it (`None` for rules \
         matched by their TOML pattern).\npub const ALL: &[(BuiltinRule, Option<AnalyzerKind>)] = &[\n",
    );
    for (id, analyzer, _) in &rules {
        let kind = analyzer.as_deref().map_or_else(
            || "None".to_owned(),
            |a| format!("Some(AnalyzerKind::{})", variant_name(a)),
        );
        code.push_str(&format!("    ({}, {kind}),\n", const_name(id)));
    }
    code.push_str("];\n");
    code
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=checks");
    println!("cargo:rerun-if-changed=lessons");
    let ext_is = |exts: &'static [&'static str]| {
        move |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| exts.contains(&e))
        }
    };
    let mut code = String::new();
    code.push_str(&table("CHECKS", &root, "checks", ext_is(&["toml"])));
    code.push_str(&table("LESSONS", &root, "lessons", |p: &Path| {
        !p.starts_with("labs") && ext_is(&["md", "toml"])(p) && p != Path::new("README.md")
    }));
    code.push_str(&table("LABS", &root, "lessons/labs", |_: &Path| true));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(out, code).expect("write embedded.rs");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_ids.rs");
    fs::write(out, rule_ids(&root)).expect("write rule_ids.rs");
}
