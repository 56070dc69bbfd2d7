//! Live re-checking: keep each file's findings, and when files change re-scan only those files
//! (plus the whole-tree rules, which are cheap), so the coach and `scan --watch` can confirm a
//! fix within moments of the save.

use super::{FileOutcome, Scanner};
use crate::finding::Finding;
use crate::report::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What changed between two reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    /// Findings that were there before and are gone now.
    pub fixed: Vec<Finding>,
    /// Findings that are there now and were not before.
    pub new: Vec<Finding>,
}

/// A scan that stays up to date as files change.
pub struct LiveScan {
    scanner: Scanner,
    root: PathBuf,
    /// The root made absolute, to strip from the watcher's absolute paths.
    canonical: PathBuf,
    /// Per readable file, its latest outcome.
    files: BTreeMap<String, FileOutcome>,
    /// Outcomes that belong to no file (symbolic links, walk errors), kept from the first scan.
    others: Vec<FileOutcome>,
    /// The latest walk's notes (ignore files not honoured, tracked files missing).
    walk_notes: Vec<String>,
    report: Report,
}

impl LiveScan {
    /// Scans `root` once, remembering every file's outcome.
    pub fn new(scanner: Scanner, root: &Path) -> std::io::Result<LiveScan> {
        LiveScan::new_observed(scanner, root, &mut |_| {})
    }

    /// Like [`LiveScan::new`], handing each file's outcome to `observer` as it arrives (for
    /// progress displays).
    pub fn new_observed(
        scanner: Scanner,
        root: &Path,
        observer: &mut dyn FnMut(&FileOutcome),
    ) -> std::io::Result<LiveScan> {
        let mut files = BTreeMap::new();
        let mut others = Vec::new();
        let (_, walk_notes) = scanner.scan_walked(root, &mut |outcome| {
            observer(outcome);
            match &outcome.tree_file {
                Some(file) => {
                    files.insert(file.path.clone(), outcome.clone());
                }
                None => others.push(outcome.clone()),
            }
        })?;
        let mut live = LiveScan {
            scanner,
            root: root.to_path_buf(),
            canonical: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            files,
            others,
            walk_notes,
            report: Report::default(),
        };
        live.report = live.assemble();
        Ok(live)
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn scanner(&self) -> &Scanner {
        &self.scanner
    }

    /// `path` as the report names it: relative to the root, `/`-separated. The watcher gives
    /// absolute paths under the canonical root (`/home/dev/project/app.py` for a root of `.`);
    /// callers may also give paths relative to the root, or to the working directory with the
    /// root as prefix (`./app.py`).
    pub fn relative(&self, path: &Path) -> String {
        let stripped = if path.is_absolute() {
            path.strip_prefix(&self.canonical)
                .or_else(|_| path.strip_prefix(&self.root))
        } else {
            path.strip_prefix(&self.root)
        };
        super::relative_path(Path::new(""), stripped.unwrap_or(path))
    }

    /// Brings the findings up to date after `changed` paths (files or folders, absolute or
    /// relative to the root) were written, created or removed. Returns what changed. The scan
    /// set is walked again with the same filter as a full scan, so a file that git starts or
    /// stops tracking, or that an ignore file starts or stops ignoring, comes or goes.
    pub fn update(&mut self, changed: &[PathBuf]) -> Delta {
        let (present, walk_notes) = self.scanner.walk_paths(&self.root);
        let present: BTreeSet<String> = present.into_iter().collect();
        self.walk_notes = walk_notes;
        let changed_rel: BTreeSet<String> = changed.iter().map(|p| self.relative(p)).collect();
        self.files.retain(|path, _| present.contains(path));
        // A chart's templates are read with its values.yaml: a change there re-checks them.
        let charts: Vec<String> = changed_rel
            .iter()
            .filter_map(|c| {
                let (dir, name) = c.rsplit_once('/').unwrap_or(("", c));
                matches!(name, "values.yaml" | "Chart.yaml").then(|| match dir {
                    "" => "templates/".to_owned(),
                    dir => format!("{dir}/templates/"),
                })
            })
            .collect();
        for path in &present {
            let touched = changed_rel
                .iter()
                .any(|c| c == path || path.starts_with(&format!("{c}/")))
                || charts.iter().any(|dir| path.starts_with(dir.as_str()));
            if touched || !self.files.contains_key(path) {
                let outcome = self
                    .scanner
                    .scan_file(&super::fs_path(&self.root, path), path);
                self.files.insert(path.clone(), outcome);
            }
        }
        let before = std::mem::take(&mut self.report);
        self.report = self.assemble();
        diff(&before.findings, &self.report.findings)
    }

    fn assemble(&self) -> Report {
        let mut report = Report::default();
        let mut tree_files = Vec::with_capacity(self.files.len());
        for outcome in self.files.values().chain(&self.others) {
            let mut outcome = outcome.clone();
            if let Some(file) = outcome.tree_file.take() {
                tree_files.push(file);
            }
            self.scanner.absorb(&mut report, &mut outcome);
        }
        report.notes.extend(self.walk_notes.iter().cloned());
        self.scanner
            .finish(&self.root, &mut tree_files, &mut report);
        report
    }
}

/// Findings gone and findings new, by fingerprint (each occurrence counted once).
pub fn diff(before: &[Finding], after: &[Finding]) -> Delta {
    fn count(list: &[Finding]) -> BTreeMap<&str, usize> {
        let mut map: BTreeMap<&str, usize> = BTreeMap::new();
        for f in list {
            *map.entry(f.fingerprint.as_str()).or_default() += 1;
        }
        map
    }
    let mut after_left = count(after);
    let mut before_left = count(before);
    let fixed = before
        .iter()
        .filter(|f| match after_left.get_mut(f.fingerprint.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect();
    let new = after
        .iter()
        .filter(|f| match before_left.get_mut(f.fingerprint.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect();
    Delta { fixed, new }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::scan::ScanOptions;
    use std::sync::Arc;

    fn live(dir: &Path) -> LiveScan {
        let catalog = Arc::new(Catalog::embedded().unwrap());
        LiveScan::new(Scanner::new(catalog, ScanOptions::default()), dir).unwrap()
    }

    #[test]
    fn edits_creations_and_deletions_update_the_findings() {
        let dir = tempfile::tempdir().unwrap();
        let bad = "# seccoach:ignore code/not-a-rule -- reason\n";
        std::fs::write(dir.path().join("a.py"), bad).unwrap();
        let mut scan = live(dir.path());
        assert_eq!(scan.report().findings.len(), 1);

        std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
        let delta = scan.update(&[dir.path().join("a.py")]);
        assert_eq!((delta.fixed.len(), delta.new.len()), (1, 0));
        assert!(scan.report().findings.is_empty());

        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/b.py"), bad).unwrap();
        let delta = scan.update(&[dir.path().join("sub")]);
        assert_eq!(delta.new.len(), 1);
        assert_eq!(scan.report().findings[0].path, "sub/b.py");

        std::fs::remove_dir_all(dir.path().join("sub")).unwrap();
        let delta = scan.update(&[PathBuf::from("sub")]);
        assert_eq!(delta.fixed.len(), 1);
        assert_eq!(scan.report().stats.files_scanned, 1);
    }

    #[test]
    fn a_change_to_values_yaml_rechecks_the_charts_templates() {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("chart");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        )
        .unwrap();
        std::fs::write(chart.join("values.yaml"), "hostNetwork: false\n").unwrap();
        std::fs::write(
            chart.join("templates/pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostNetwork: {{ .Values.hostNetwork }}\n",
        )
        .unwrap();
        let rules = |scan: &LiveScan| -> Vec<(String, u32)> {
            scan.report()
                .findings
                .iter()
                .filter(|f| f.rule.as_str() == "k8s/host-namespaces")
                .map(|f| (f.path.clone(), f.line))
                .collect()
        };
        let mut scan = live(dir.path());
        assert!(rules(&scan).is_empty());
        std::fs::write(chart.join("values.yaml"), "hostNetwork: true\n").unwrap();
        scan.update(&[chart.join("values.yaml")]);
        assert_eq!(
            rules(&scan),
            vec![("chart/templates/pod.yaml".to_owned(), 6)]
        );
    }

    #[test]
    fn moving_a_finding_is_neither_fixed_nor_new() {
        let dir = tempfile::tempdir().unwrap();
        let bad = "# seccoach:ignore code/not-a-rule -- reason\n";
        std::fs::write(dir.path().join("a.py"), bad).unwrap();
        let mut scan = live(dir.path());
        std::fs::write(dir.path().join("a.py"), format!("\n\n{bad}")).unwrap();
        let delta = scan.update(&[dir.path().join("a.py")]);
        assert_eq!(delta, Delta::default());
        assert_eq!(scan.report().findings[0].line, 3);
    }

    #[test]
    fn live_reports_carry_the_same_notes_as_a_scan() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), "version = 3\n").unwrap();
        let mut scan = live(dir.path());
        let once = scan.scanner().scan(dir.path()).unwrap();
        assert_eq!(scan.report().notes, once.notes);
        assert!(
            scan.report()
                .notes
                .iter()
                .any(|n| n.contains("deps/known-vulnerable did not run")),
            "{:?}",
            scan.report().notes
        );
        std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
        scan.update(&[dir.path().join("a.py")]);
        assert_eq!(scan.report().notes, once.notes);
    }

    #[test]
    fn watcher_paths_become_relative_to_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
        let catalog = std::sync::Arc::new(crate::catalog::Catalog::embedded().unwrap());
        let scanner = Scanner::new(catalog, crate::scan::ScanOptions::default());
        let live = LiveScan::new(scanner, dir.path()).unwrap();
        let canonical = dir.path().canonicalize().unwrap();
        assert_eq!(live.relative(&canonical.join("app/x.py")), "app/x.py");
        assert_eq!(live.relative(&dir.path().join("Dockerfile")), "Dockerfile");
        assert_eq!(live.relative(Path::new("app/x.py")), "app/x.py");
    }
}
