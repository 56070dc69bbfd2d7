//! Which files a scan reads. In a git checkout: every file in the index (tracked), plus the
//! untracked files that are not ignored; `.gitignore` never hides a tracked file. Outside one:
//! every file that no `.gitignore` or `.ignore` ignores. Configured `exclude` patterns apply to
//! both, `.git` is never entered, links are never followed.
//!
//! The full scan, the live re-scan and the watcher all ask this one [`PathFilter`]. It reads the
//! index with gitoxide (never a `git` binary) and reads the ignore files itself, opening only
//! regular files, so a FIFO named `.gitignore` is passed over with a note instead of blocking the
//! scan.

use crate::display::sanitize;
use crate::regular;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Largest ignore file read (git's own limit is 100 MB; nobody writes a real one this long).
const MAX_IGNORE_FILE_BYTES: u64 = 8 << 20;

/// Largest `.git` file (`gitdir: …`) or `commondir` read.
const MAX_POINTER_FILE_BYTES: u64 = 64 << 10;

/// Tracked files named in a note about files missing from the work tree.
const NAMED_MISSING: usize = 5;

/// The ignore files of one directory, and how they chain to the directories above it.
struct DirRules {
    /// The directory's path relative to the top (the work tree, or the scan root outside git).
    in_top: String,
    /// `.ignore` (seccoach and ripgrep's own), which takes precedence over `.gitignore`.
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    /// `.git/info/exclude`, for the directory at the top of a repository.
    exclude: Option<Gitignore>,
    /// The directory is ignored, or lies in an ignored one (entered only for tracked files).
    ignored: bool,
    /// The directory above, unless this one is the top or the top of a nested repository.
    parent: Option<Arc<DirRules>>,
}

impl DirRules {
    /// Whether `in_top` (a path relative to the top, below this directory) is ignored by this
    /// directory's rules and those above it: the nearest match decides, `.ignore` files before
    /// `.gitignore` files before `info/exclude`.
    fn ignores(&self, in_top: &str, is_dir: bool) -> bool {
        type Pick = fn(&DirRules) -> Option<&Gitignore>;
        let picks: [Pick; 3] = [
            |r| r.ignore.as_ref(),
            |r| r.gitignore.as_ref(),
            |r| r.exclude.as_ref(),
        ];
        for pick in picks {
            let mut rules = Some(self);
            while let Some(r) = rules {
                if let Some(matcher) = pick(r) {
                    let relative = if r.in_top.is_empty() {
                        Some(in_top)
                    } else {
                        in_top
                            .strip_prefix(r.in_top.as_str())
                            .and_then(|rest| rest.strip_prefix('/'))
                    };
                    if let Some(relative) = relative {
                        match matcher.matched(relative, is_dir) {
                            Match::Ignore(_) => return true,
                            Match::Whitelist(_) => return false,
                            Match::None => {}
                        }
                    }
                }
                rules = r.parent.as_deref();
            }
        }
        false
    }
}

/// What git tracks below the scan root.
struct Tracked {
    /// Tracked files (and links), relative to the scan root, `/`-separated, each with its index
    /// in `seen`.
    files: HashMap<String, usize>,
    /// Directories below the root that hold tracked files: entered even when ignored.
    dirs: HashSet<String>,
    /// Which tracked files the current walk has met.
    seen: Vec<AtomicBool>,
}

/// The git checkout the scan root is in.
struct Checkout {
    /// The scan root relative to the work tree (`""` at its top).
    root_in_top: String,
    work_tree: PathBuf,
    /// `info/exclude` of the repository (the common directory for a linked worktree).
    exclude_file: PathBuf,
    index_path: PathBuf,
    tracked: Tracked,
}

/// The scan set's one filter. Built per walk: it holds what git said when it was built, and
/// which tracked files that walk met.
pub struct PathFilter {
    root: PathBuf,
    excludes: Gitignore,
    checkout: Option<Checkout>,
    /// The scan root relative to the top.
    root_in_top: String,
    /// Rules of the scan root (and, through it, of the directories above it in the work tree).
    root_rules: Arc<DirRules>,
    /// Rules of directories below the root, by path relative to the root.
    dirs: RwLock<HashMap<String, Arc<DirRules>>>,
    notes: Mutex<BTreeSet<String>>,
}

impl PathFilter {
    /// The filter for a scan of `root` with the configured `exclude` patterns.
    pub fn new(root: &Path, exclude: &[String]) -> PathFilter {
        let mut builder = crate::config::exclude_builder(root);
        for pattern in exclude {
            // Patterns were checked (`config::check_exclude`) when the config or the command
            // line was read; a bad one here only loses itself.
            let _ = builder.add_line(None, pattern);
        }
        let excludes = builder.build().unwrap_or_else(|_| Gitignore::empty());
        let mut notes = BTreeSet::new();
        let checkout = match open_checkout(root) {
            Ok(checkout) => checkout,
            Err(note) => {
                notes.insert(note);
                None
            }
        };
        let mut filter = PathFilter {
            root: root.to_path_buf(),
            excludes,
            root_in_top: checkout
                .as_ref()
                .map(|c| c.root_in_top.clone())
                .unwrap_or_default(),
            checkout,
            root_rules: Arc::new(DirRules {
                in_top: String::new(),
                ignore: None,
                gitignore: None,
                exclude: None,
                ignored: false,
                parent: None,
            }),
            dirs: RwLock::new(HashMap::new()),
            notes: Mutex::new(notes),
        };
        filter.root_rules = filter.outer_rules();
        filter
    }

    /// The rules of the scan root, chained to those of the work tree's directories above it.
    fn outer_rules(&self) -> Arc<DirRules> {
        let Some(checkout) = &self.checkout else {
            return Arc::new(self.load_rules(&self.root, "", "", None, None));
        };
        let mut chain: Option<Arc<DirRules>> = None;
        let mut in_top = String::new();
        let parts: Vec<&str> = if checkout.root_in_top.is_empty() {
            Vec::new()
        } else {
            checkout.root_in_top.split('/').collect()
        };
        for i in 0..=parts.len() {
            if i > 0 {
                in_top = parts[..i].join("/");
            }
            let exclude = (i == 0).then_some(checkout.exclude_file.as_path());
            let dir = checkout.work_tree.join(&in_top);
            // Above the root, a note names the path from the work tree.
            let shown = if i == parts.len() {
                String::new()
            } else if in_top.is_empty() {
                "the work tree's ".to_owned()
            } else {
                format!("the work tree's {in_top}/")
            };
            let rules = self.load_rules(&dir, &in_top, &shown, exclude, chain.take());
            chain = Some(Arc::new(rules));
        }
        chain.unwrap_or_else(|| Arc::new(self.load_rules(&self.root, "", "", None, None)))
    }

    /// Reads the ignore files of `dir`. `shown` prefixes file names in notes.
    fn load_rules(
        &self,
        dir: &Path,
        in_top: &str,
        shown: &str,
        exclude: Option<&Path>,
        parent: Option<Arc<DirRules>>,
    ) -> DirRules {
        let ignore = self.ignore_file(&dir.join(".ignore"), &format!("{shown}.ignore"));
        let gitignore = self.ignore_file(&dir.join(".gitignore"), &format!("{shown}.gitignore"));
        let exclude = match exclude {
            Some(path) => self.ignore_file(path, "the repository's info/exclude"),
            // A repository inside the tree (outside git, or nested in the checkout) has its own.
            None if std::fs::symlink_metadata(dir.join(".git")).is_ok_and(|m| m.is_dir()) => self
                .ignore_file(
                    &dir.join(".git/info/exclude"),
                    &format!("{shown}.git/info/exclude"),
                ),
            None => None,
        };
        DirRules {
            in_top: in_top.to_owned(),
            ignore,
            gitignore,
            exclude,
            ignored: false,
            parent,
        }
    }

    /// Reads one ignore file; anything but a readable regular file is passed over with a note.
    fn ignore_file(&self, path: &Path, shown: &str) -> Option<Gitignore> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        let bytes = match regular::special_kind(&meta.file_type()) {
            Some(what) => Err(format!("it is {what}, which is never opened")),
            None => regular::read_no_follow_limited(path, MAX_IGNORE_FILE_BYTES)
                .map_err(|e| e.to_string()),
        };
        match bytes {
            Ok(bytes) => {
                let mut builder = GitignoreBuilder::new("/");
                for line in String::from_utf8_lossy(&bytes).lines() {
                    // An invalid pattern is ignored by git too; it only loses itself.
                    let _ = builder.add_line(None, line);
                }
                builder.build().ok()
            }
            Err(why) => {
                self.note(format!(
                    "{} was not honoured ({why}): files it would have ignored were scanned",
                    sanitize(shown)
                ));
                None
            }
        }
    }

    fn note(&self, note: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.insert(note);
        }
    }

    /// The rules that apply inside directory `dir` (relative to the root, `""` for the root).
    fn rules_for(&self, dir: &str) -> Arc<DirRules> {
        if dir.is_empty() {
            return Arc::clone(&self.root_rules);
        }
        if let Some(rules) = self.dirs.read().ok().and_then(|d| d.get(dir).cloned()) {
            return rules;
        }
        let (parent_dir, _) = dir.rsplit_once('/').unwrap_or(("", dir));
        let parent = self.rules_for(parent_dir);
        let in_top = self.in_top(dir);
        let ignored = parent.ignored || parent.ignores(&in_top, true);
        let path = self.root.join(dir);
        // A nested repository: the rules above it stop at its top, as in git.
        let nested = std::fs::symlink_metadata(path.join(".git")).is_ok();
        let shown = format!("{dir}/");
        let mut rules = self.load_rules(
            &path,
            &in_top,
            &shown,
            None,
            (!nested).then(|| Arc::clone(&parent)),
        );
        rules.ignored = ignored;
        let rules = Arc::new(rules);
        if let Ok(mut dirs) = self.dirs.write() {
            dirs.insert(dir.to_owned(), Arc::clone(&rules));
        }
        rules
    }

    fn in_top(&self, rel: &str) -> String {
        if self.root_in_top.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{rel}", self.root_in_top)
        }
    }

    /// True when the ignore files ignore `rel` (relative to the root), or a directory above it.
    fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        let (dir, _) = rel.rsplit_once('/').unwrap_or(("", rel));
        let rules = self.rules_for(dir);
        rules.ignored || rules.ignores(&self.in_top(rel), is_dir)
    }

    fn excluded(&self, rel: &str, is_dir: bool) -> bool {
        !self.excludes.is_empty()
            && self
                .excludes
                .matched_path_or_any_parents(rel, is_dir)
                .is_ignore()
    }

    /// The walk's question, for an entry `rel` (relative to the root) whose parent directory was
    /// admitted: is it in the scan set (a file), or may it hold files that are (a directory)?
    pub fn admit(&self, rel: &str, is_dir: bool) -> bool {
        if rel.rsplit('/').next() == Some(".git") {
            return false;
        }
        if !self.excludes.is_empty() && self.excludes.matched(rel, is_dir).is_ignore() {
            return false;
        }
        if let Some(tracked) = self.checkout.as_ref().map(|c| &c.tracked) {
            if is_dir {
                if tracked.dirs.contains(rel) {
                    return true;
                }
            } else if let Some(&i) = tracked.files.get(rel) {
                tracked.seen[i].store(true, Ordering::Relaxed);
                return true;
            }
        }
        !self.ignored(rel, is_dir)
    }

    /// The watcher's question, for any path below the root (absolute, or relative to it): may a
    /// change there change the scan set or a file in it? Changes to the git index do.
    pub fn may_matter(&self, path: &Path) -> bool {
        if let Some(checkout) = &self.checkout
            && path == checkout.index_path
        {
            return true;
        }
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        let rel = super::relative_path(&self.root, &full);
        if rel.is_empty() || rel.split('/').any(|part| part == ".git") {
            return false;
        }
        let is_dir = std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_dir());
        if self.excluded(&rel, is_dir) {
            return false;
        }
        if let Some(tracked) = self.checkout.as_ref().map(|c| &c.tracked)
            && (tracked.files.contains_key(&rel) || tracked.dirs.contains(&rel))
        {
            return true;
        }
        !self.ignored(&rel, is_dir)
    }

    /// The index file, when the root is in a git checkout (its changes change the scan set).
    pub fn index_path(&self) -> Option<&Path> {
        self.checkout.as_ref().map(|c| c.index_path.as_path())
    }

    /// What the walk could not honour or read, once it is over: ignore files passed over, an
    /// unreadable index, tracked files missing from the work tree.
    pub fn notes(&self) -> Vec<String> {
        self.notes_within(&|_| true)
    }

    /// [`PathFilter::notes`] for a walk of part of the tree: only tracked files `within` says
    /// the walk was meant to reach count as missing.
    pub fn notes_within(&self, within: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut notes: Vec<String> = self
            .notes
            .lock()
            .map(|n| n.iter().cloned().collect())
            .unwrap_or_default();
        if let Some(tracked) = self.checkout.as_ref().map(|c| &c.tracked) {
            let mut missing: Vec<&str> = tracked
                .files
                .iter()
                .filter(|(_, i)| !tracked.seen[**i].load(Ordering::Relaxed))
                .map(|(path, _)| path.as_str())
                .filter(|path| !self.excluded(path, false) && within(path))
                .collect();
            if !missing.is_empty() {
                missing.sort_unstable();
                let named: Vec<String> = missing
                    .iter()
                    .take(NAMED_MISSING)
                    .map(|p| sanitize(p).into_owned())
                    .collect();
                let more = missing.len().saturating_sub(NAMED_MISSING);
                notes.push(format!(
                    "{} tracked file{} not in the work tree (deleted, or behind a symbolic \
                     link) and {} not read: {}{}; git still has {} (`git rm` removes {} from \
                     the next commit)",
                    missing.len(),
                    if missing.len() == 1 { " is" } else { "s are" },
                    if missing.len() == 1 { "was" } else { "were" },
                    named.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    },
                    if missing.len() == 1 { "it" } else { "them" },
                    if missing.len() == 1 { "it" } else { "them" },
                ));
            }
        }
        notes
    }
}

/// Finds the git checkout `root` is in and reads its index. `Ok(None)` outside a checkout (or in
/// a bare repository); an error is a note for the user, and the scan then goes on as if outside
/// git (the ignore files decide).
fn open_checkout(root: &Path) -> Result<Option<Checkout>, String> {
    let canonical = root.canonicalize().map_err(|e| {
        format!(
            "could not resolve {}: {e}",
            sanitize(&root.display().to_string())
        )
    })?;
    let Some(top) = find_git_dir(&canonical)? else {
        return Ok(None);
    };
    let fallback = "scanned as outside git: committed files that .gitignore lists were not scanned";
    let repo = gix::open_opts(&top, gix::open::Options::isolated()).map_err(|e| {
        format!(
            "could not open the git repository at {} ({}); {fallback}",
            sanitize(&top.display().to_string()),
            sanitize(&e.to_string())
        )
    })?;
    let Some(work_tree) = repo.workdir().map(Path::to_path_buf) else {
        return Ok(None);
    };
    let work_tree = work_tree.canonicalize().unwrap_or(work_tree);
    let Ok(root_in_top) = canonical.strip_prefix(&work_tree) else {
        return Ok(None);
    };
    let root_in_top = super::relative_path(Path::new(""), root_in_top);
    let index_path = repo.index_path();
    // Canonical, as the watcher reports paths.
    let index_path = match (index_path.parent(), index_path.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map_or(index_path.clone(), |d| d.join(name)),
        _ => index_path,
    };
    let index = match regular_or_absent(&index_path) {
        Err(why) => Err(why),
        Ok(false) => Ok(None),
        Ok(true) => repo.open_index().map(Some).map_err(|e| e.to_string()),
    }
    .map_err(|why| {
        format!(
            "could not read the git index {} ({}); {fallback}",
            sanitize(&index_path.display().to_string()),
            sanitize(&why)
        )
    })?;
    let mut tracked = Tracked {
        files: HashMap::new(),
        dirs: HashSet::new(),
        seen: Vec::new(),
    };
    if let Some(index) = &index {
        use gix::index::entry::{Flags, Mode};
        let prefix = if root_in_top.is_empty() {
            String::new()
        } else {
            format!("{root_in_top}/")
        };
        for entry in index.entries() {
            // Submodules and the folders of a sparse index are not files; a path outside a
            // sparse checkout is not in the work tree by design.
            if matches!(entry.mode, Mode::COMMIT | Mode::DIR)
                || entry.flags.contains(Flags::SKIP_WORKTREE)
            {
                continue;
            }
            let path = entry.path(index).to_string();
            let Some(rel) = path.strip_prefix(prefix.as_str()) else {
                continue;
            };
            if rel.is_empty() || tracked.files.contains_key(rel) {
                continue;
            }
            let mut dir = rel;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                if !tracked.dirs.insert(parent.to_owned()) {
                    break;
                }
                dir = parent;
            }
            let at = tracked.files.len();
            tracked.files.insert(rel.to_owned(), at);
        }
    }
    tracked.seen = (0..tracked.files.len())
        .map(|_| AtomicBool::new(false))
        .collect();
    Ok(Some(Checkout {
        root_in_top,
        work_tree,
        exclude_file: repo.common_dir().join("info/exclude"),
        index_path,
        tracked,
    }))
}

/// True when `path` is a regular file, false when it is absent; an error for anything else.
fn regular_or_absent(path: &Path) -> Result<bool, String> {
    match std::fs::metadata(path) {
        Ok(meta) => match regular::special_kind(&meta.file_type()) {
            None => Ok(true),
            Some(what) => Err(format!("{} is {what}", path.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The top of the checkout holding `dir` (canonical), found the way git finds it: the nearest
/// directory with a `.git`, a directory or a `gitdir:` file. Before gitoxide opens it, the files it
/// reads are checked to be regular, so a FIFO there cannot block the scan.
fn find_git_dir(dir: &Path) -> Result<Option<PathBuf>, String> {
    for candidate in dir.ancestors() {
        let dot_git = candidate.join(".git");
        let Ok(meta) = std::fs::symlink_metadata(&dot_git) else {
            continue;
        };
        let shown = sanitize(&dot_git.display().to_string()).into_owned();
        let git_dir = if meta.is_dir() {
            dot_git.clone()
        } else if meta.is_file() {
            let bytes = regular::read_no_follow_limited(&dot_git, MAX_POINTER_FILE_BYTES)
                .map_err(|e| format!("could not read {shown} ({e}); scanned as outside git"))?;
            let text = String::from_utf8_lossy(&bytes);
            let Some(target) = text.trim().strip_prefix("gitdir:") else {
                return Err(format!(
                    "{shown} is neither a directory nor a `gitdir:` file; scanned as outside git"
                ));
            };
            candidate.join(target.trim())
        } else {
            let what = regular::special_kind(&meta.file_type()).unwrap_or("not a directory");
            return Err(format!(
                "{shown} is {what}, which is never opened; scanned as outside git"
            ));
        };
        let mut checked = vec![
            git_dir.join("HEAD"),
            git_dir.join("config"),
            git_dir.join("commondir"),
            git_dir.join("gitdir"),
            git_dir.join("index"),
        ];
        if regular_or_absent(&git_dir.join("commondir")).map_err(|why| unsafe_git(&why))? {
            let bytes =
                regular::read_no_follow_limited(&git_dir.join("commondir"), MAX_POINTER_FILE_BYTES)
                    .map_err(|e| unsafe_git(&e.to_string()))?;
            let common = git_dir.join(String::from_utf8_lossy(&bytes).trim());
            checked.extend([common.join("HEAD"), common.join("config")]);
        }
        for path in checked {
            regular_or_absent(&path).map_err(|why| unsafe_git(&why))?;
        }
        return Ok(Some(candidate.to_path_buf()));
    }
    Ok(None)
}

fn unsafe_git(why: &str) -> String {
    format!(
        "the git repository was not read ({}); scanned as outside git: committed files that \
         .gitignore lists were not scanned",
        sanitize(why)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn nearest_rule_decides_and_ignore_files_outrank_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", "*.log\nbuild/\n");
        write(root, "sub/.gitignore", "!keep.log\n");
        write(root, "sub/.ignore", "secret.txt\n");
        let filter = PathFilter::new(root, &["vendor/".to_owned()]);
        assert!(!filter.admit("a.log", false));
        assert!(filter.admit("sub/keep.log", false));
        assert!(!filter.admit("sub/other.log", false));
        assert!(!filter.admit("sub/secret.txt", false));
        assert!(!filter.admit("build", true));
        assert!(!filter.admit("vendor", true));
        assert!(!filter.admit(".git", true));
        assert!(filter.admit("src", true));
        assert!(filter.notes().is_empty(), "{:?}", filter.notes());
    }

    #[test]
    fn a_nested_repository_is_not_ruled_by_the_outer_ignore_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", "*.txt\n");
        std::fs::create_dir_all(root.join("inner/.git")).unwrap();
        let filter = PathFilter::new(root, &[]);
        assert!(!filter.admit("a.txt", false));
        assert!(filter.admit("inner/a.txt", false));
    }

    #[test]
    fn an_ignored_folder_hides_everything_below_it_from_the_watcher() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", "target/\n");
        write(root, "target/debug/x.o", "");
        let filter = PathFilter::new(root, &[]);
        assert!(!filter.may_matter(&root.join("target/debug/x.o")));
        assert!(filter.may_matter(&root.join("src/new.rs")));
        assert!(filter.index_path().is_none());
    }
}
