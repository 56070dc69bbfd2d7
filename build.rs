//! Embeds the check catalogue (`checks/`) and the lessons (`lessons/`) into the binary.
//!
//! Generates `$OUT_DIR/embedded.rs`, a list of `(relative path, include_str!(absolute path))`
//! pairs. Because the list itself is generated, adding or removing a file changes it and
//! rebuilds the crate; `include_str!` tracks edits to each file's content.

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
}
