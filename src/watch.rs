//! Watching a project for changes: file-system events, debounced and coalesced so that a build
//! tool writing thousands of files produces one batch, with `.git/` and the root `.gitignore`'s
//! ignored paths filtered out before anyone re-scans.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long events are collected before a batch is delivered.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<notify::RecommendedWatcher>,
}

fn ignored_by_root(root: &Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(root);
    let _ = builder.add(root.join(".gitignore"));
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

/// Watches `root` recursively and calls `on_change` with each batch of changed paths that are
/// not inside `.git` and not ignored by the root `.gitignore`.
pub fn watch(root: &Path, on_change: impl Fn(Vec<PathBuf>) + Send + 'static) -> notify::Result<Watch> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let ignore = ignored_by_root(&root);
    let base = root.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let mut paths: Vec<PathBuf> = events
            .into_iter()
            .map(|e| e.path)
            .filter(|p| {
                let rel = p.strip_prefix(&base).unwrap_or(p);
                !rel.components().any(|c| c.as_os_str() == ".git")
                    && !ignore.matched_path_or_any_parents(rel, p.is_dir()).is_ignore()
            })
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            on_change(paths);
        }
    })?;
    debouncer.watcher().watch(&root, RecursiveMode::Recursive)?;
    Ok(Watch {
        _debouncer: debouncer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn reports_changes_and_skips_ignored_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target/\n").unwrap();
        std::fs::create_dir(dir.path().join("target")).unwrap();
        let (tx, rx) = mpsc::channel();
        let _watch = watch(dir.path(), move |paths| {
            let _ = tx.send(paths);
        })
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        std::fs::write(dir.path().join("target/build.o"), "x").unwrap();
        std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
        let batch = rx.recv_timeout(Duration::from_secs(10)).expect("a batch of changes");
        assert!(batch.iter().any(|p| p.ends_with("app.py")), "{batch:?}");
        assert!(!batch.iter().any(|p| p.starts_with(dir.path().canonicalize().unwrap().join("target"))), "{batch:?}");
    }
}
