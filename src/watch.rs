//! Watching a project for changes: file-system events, debounced and coalesced so that a build
//! tool writing thousands of files produces one batch, with the paths outside the scan set
//! (`.git/`, ignored untracked files, configured excludes) filtered out before anyone re-scans.
//! The filter is the scan's own [`PathFilter`], rebuilt when the git index or an ignore file
//! changes, so the watcher and the scan agree on which files count.

use crate::scan::paths::PathFilter;
use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How long events are collected before a batch is delivered.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watch {
    _debouncer: Debouncer<notify::RecommendedWatcher>,
}

/// Watches `root` recursively and calls `on_change` with each batch of changed paths that may
/// be in the scan set (see [`PathFilter::may_matter`]; `exclude` are the configured exclude
/// patterns) and really changed (not just read). A change to the git index is passed on: it
/// can add files to the scan set or take them out.
pub fn watch(
    root: &Path,
    exclude: &[String],
    on_change: impl Fn(Vec<PathBuf>) + Send + 'static,
) -> notify::Result<Watch> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let exclude = exclude.to_vec();
    let scan_set = PathFilter::new(&root, &exclude);
    // A linked worktree's index lives outside it: watch its folder too.
    let index_dir = scan_set
        .index_path()
        .and_then(Path::parent)
        .filter(|dir| !dir.starts_with(&root))
        .map(Path::to_path_buf);
    let base = root.clone();
    let scan_set = Mutex::new(scan_set);
    let filter = Mutex::new(ChangeFilter::new());
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let Ok(mut scan_set) = scan_set.lock() else {
            return;
        };
        let events: Vec<PathBuf> = events.into_iter().map(|e| e.path).collect();
        let rules_changed = events.iter().any(|p| {
            scan_set.index_path() == Some(p.as_path())
                || p.file_name()
                    .is_some_and(|n| n == ".gitignore" || n == ".ignore" || n == "exclude")
        });
        if rules_changed {
            *scan_set = PathFilter::new(&base, &exclude);
        }
        let mut paths: Vec<PathBuf> = events
            .into_iter()
            .filter(|p| scan_set.may_matter(p))
            .collect();
        drop(scan_set);
        paths.sort();
        paths.dedup();
        let Ok(mut filter) = filter.lock() else {
            return;
        };
        let paths = filter.changed(paths);
        if !paths.is_empty() {
            on_change(paths);
        }
    })?;
    debouncer.watcher().watch(&root, RecursiveMode::Recursive)?;
    if let Some(dir) = index_dir {
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::NonRecursive)?;
    }
    Ok(Watch {
        _debouncer: debouncer,
    })
}

/// A file's identity (device and inode), to recognise one file under any name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(u64, u64);

impl FileId {
    /// The identity of the file at `path` (not following a final link).
    pub fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::symlink_metadata(path).ok()?;
            Some(FileId(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// The identity of the regular file standard output writes to, if it is one (a shell
    /// redirection); `None` for a terminal or a pipe.
    pub fn of_stdout() -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            use std::os::unix::fs::MetadataExt;
            let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
            let meta = std::fs::File::from(fd).metadata().ok()?;
            meta.is_file().then(|| FileId(meta.dev(), meta.ino()))
        }
        #[cfg(not(unix))]
        None
    }
}

/// Tells real changes from mere reads. The watcher reports a file being opened as if it changed
/// (inotify's open events), so every check, which reads files, would start the next one and the
/// coach would never rest. A path counts as changed when it appeared or went, when its
/// status-change time, modification time or size differ from when it was last seen, or, seen for
/// the first time, when its status changed since watching began.
#[derive(Debug)]
pub struct ChangeFilter {
    /// When watching began, less a little for coarse file-system clocks.
    since: SystemTime,
    seen: HashMap<PathBuf, Option<FileState>>,
}

/// What a path looked like: (status-change time, modification time, size).
type FileState = (Option<SystemTime>, Option<SystemTime>, u64);

/// File-system clocks tick coarsely; a change this close before watching began still counts.
const CLOCK_SLACK: Duration = Duration::from_secs(2);

impl ChangeFilter {
    pub fn new() -> ChangeFilter {
        let now = SystemTime::now();
        ChangeFilter {
            since: now.checked_sub(CLOCK_SLACK).unwrap_or(now),
            seen: HashMap::new(),
        }
    }

    /// Keeps the paths that really changed.
    pub fn changed(&mut self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        paths
            .into_iter()
            .filter(|path| {
                let now = std::fs::symlink_metadata(path)
                    .ok()
                    .map(|meta| state_of(&meta));
                let changed = match self.seen.get(path) {
                    Some(before) => *before != now,
                    None => now.is_none_or(|(status, modified, _)| {
                        status.or(modified).is_none_or(|t| t >= self.since)
                    }),
                };
                self.seen.insert(path.clone(), now);
                changed
            })
            .collect()
    }
}

impl Default for ChangeFilter {
    fn default() -> Self {
        ChangeFilter::new()
    }
}

fn state_of(meta: &std::fs::Metadata) -> FileState {
    #[cfg(unix)]
    let status = {
        use std::os::unix::fs::MetadataExt;
        u64::try_from(meta.ctime()).ok().map(|secs| {
            SystemTime::UNIX_EPOCH
                + Duration::new(secs, u32::try_from(meta.ctime_nsec()).unwrap_or(0))
        })
    };
    #[cfg(not(unix))]
    let status = None;
    (status, meta.modified().ok(), meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_a_file_is_not_a_change_but_writing_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("app.py");
        let old = dir.path().join("old.py");
        std::fs::write(&old, "x = 1\n").unwrap();
        // A file last changed long before watching began, merely opened: no change.
        let mut filter = ChangeFilter::new();
        filter.since = SystemTime::now() + Duration::from_secs(60);
        assert!(filter.changed(vec![old.clone()]).is_empty());
        let mut filter = ChangeFilter::new();
        let changed = |filter: &mut ChangeFilter| !filter.changed(vec![file.clone()]).is_empty();
        std::fs::write(&file, "x = 1\n").unwrap();
        assert!(changed(&mut filter), "created");
        let _ = std::fs::read(&file).unwrap();
        assert!(!changed(&mut filter), "only read");
        std::fs::write(&file, "x = 22\n").unwrap();
        assert!(changed(&mut filter), "written");
        std::fs::remove_file(&file).unwrap();
        assert!(changed(&mut filter), "removed");
        assert!(!changed(&mut filter), "still gone");
    }
    use std::sync::mpsc;

    #[test]
    fn reports_changes_and_skips_ignored_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "target/\n").unwrap();
        std::fs::create_dir(dir.path().join("target")).unwrap();
        let (tx, rx) = mpsc::channel();
        let _watch = watch(dir.path(), &[], move |paths| {
            let _ = tx.send(paths);
        })
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        std::fs::write(dir.path().join("target/build.o"), "x").unwrap();
        std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
        let batch = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("a batch of changes");
        assert!(batch.iter().any(|p| p.ends_with("app.py")), "{batch:?}");
        assert!(
            !batch
                .iter()
                .any(|p| p.starts_with(dir.path().canonicalize().unwrap().join("target"))),
            "{batch:?}"
        );
    }
}
