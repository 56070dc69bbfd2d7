//! The learner's progress: lessons read, quiz scores, findings reviewed and the last lesson
//! opened, kept in a small versioned JSON file in the user's data directory (`SECCOACH_HOME`
//! overrides it).
//!
//! Every save is a three-way merge under a file lock: what this process changed since it last
//! loaded or saved (additions *and* removals, such as un-marking a finding as reviewed) is applied
//! to what is on disk now, and the result is written atomically (temporary file + rename). So
//! coaches and `lab check` runs working at once never leave a half-written file and never lose
//! each other's changes. A file that cannot be read is moved aside with a warning and the coach
//! starts fresh: progress is worth keeping, but never worth a crash.

use crate::catalog::Catalog;
use crate::persist::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The format version this build writes.
pub const VERSION: u32 = 1;

/// The environment variable that overrides the data directory.
pub const HOME_ENV: &str = "SECCOACH_HOME";

const FILE_NAME: &str = "progress.json";

/// The lock file beside it: saves take it, so their read-merge-write steps never interleave.
const LOCK_NAME: &str = "progress.json.lock";

/// A quiz result: the best and the latest attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizScore {
    pub correct: u32,
    pub total: u32,
    #[serde(default)]
    pub best: u32,
}

/// Everything the coach remembers about one learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    /// Ids of lessons read to the end.
    #[serde(default)]
    pub lessons_read: BTreeSet<String>,
    /// Quiz results by lesson id.
    #[serde(default)]
    pub quiz_scores: BTreeMap<String, QuizScore>,
    /// Fingerprints of findings the learner marked as reviewed.
    #[serde(default)]
    pub reviewed: BTreeSet<String>,
    /// The lesson opened most recently.
    #[serde(default)]
    pub last_lesson: Option<String>,
    /// Ids of labs solved (`seccoach lab check` passed): the practical part of their lesson.
    #[serde(default)]
    pub labs_solved: BTreeSet<String>,
    /// Fingerprints of findings the learner fixed while the coach watched (gone from a re-check,
    /// and not back since).
    #[serde(default)]
    pub findings_fixed: BTreeSet<String>,
    /// What was on disk when this progress was last loaded or saved: the base of the three-way
    /// merge in [`Store::save`].
    #[serde(skip)]
    base: Base,
}

/// The merge base, boxed (progress holds it, and it is progress). Not part of a progress's value:
/// two progresses with the same contents are equal whatever their history.
#[derive(Debug, Clone, Default)]
struct Base(Option<Box<Progress>>);

impl PartialEq for Base {
    fn eq(&self, _: &Base) -> bool {
        true
    }
}

impl Eq for Base {}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: VERSION,
            lessons_read: BTreeSet::new(),
            quiz_scores: BTreeMap::new(),
            reviewed: BTreeSet::new(),
            last_lesson: None,
            labs_solved: BTreeSet::new(),
            findings_fixed: BTreeSet::new(),
            base: Base(None),
        }
    }
}

impl Progress {
    pub fn is_read(&self, lesson: &str) -> bool {
        self.lessons_read.contains(lesson)
    }

    pub fn is_reviewed(&self, fingerprint: &str) -> bool {
        self.reviewed.contains(fingerprint)
    }

    /// Records a finished quiz, keeping the best score.
    pub fn record_quiz(&mut self, lesson: &str, correct: u32, total: u32) {
        let best = self
            .quiz_scores
            .get(lesson)
            .map_or(correct, |old| old.best.max(correct));
        self.quiz_scores.insert(
            lesson.to_owned(),
            QuizScore {
                correct,
                total,
                best,
            },
        );
    }

    /// This progress with its merge base set to itself: nothing changed since.
    fn settled(mut self) -> Progress {
        self.base = Base(None);
        self.base = Base(Some(Box::new(self.clone())));
        self
    }

    /// Applies what this process changed since its base (everything, without one) to `disk`, the
    /// progress another process may have saved meanwhile. Additions and removals both carry over;
    /// what neither side changed stays as on disk. For quizzes, this process's latest attempt
    /// wins and the best score of both is kept; the last lesson opened here wins if it changed.
    fn rebased_onto(&self, mut disk: Progress) -> Progress {
        let empty = Progress::default();
        let base = self.base.0.as_deref().unwrap_or(&empty);
        fn carry(ours: &BTreeSet<String>, base: &BTreeSet<String>, disk: &mut BTreeSet<String>) {
            disk.extend(ours.difference(base).cloned());
            for removed in base.difference(ours) {
                disk.remove(removed);
            }
        }
        carry(
            &self.lessons_read,
            &base.lessons_read,
            &mut disk.lessons_read,
        );
        carry(&self.reviewed, &base.reviewed, &mut disk.reviewed);
        carry(&self.labs_solved, &base.labs_solved, &mut disk.labs_solved);
        carry(
            &self.findings_fixed,
            &base.findings_fixed,
            &mut disk.findings_fixed,
        );
        for (lesson, ours) in &self.quiz_scores {
            if base.quiz_scores.get(lesson) == Some(ours) {
                continue;
            }
            let best = disk
                .quiz_scores
                .get(lesson)
                .map_or(ours.best, |theirs| theirs.best.max(ours.best));
            disk.quiz_scores
                .insert(lesson.clone(), QuizScore { best, ..*ours });
        }
        if self.last_lesson != base.last_lesson {
            disk.last_lesson.clone_from(&self.last_lesson);
        }
        disk
    }
}

/// Where progress lives on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    path: PathBuf,
}

/// The outcome of loading: the progress, and a warning for the user when the file was unusable.
#[derive(Debug)]
pub struct Loaded {
    pub progress: Progress,
    pub warning: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot find a data directory for progress; set {HOME_ENV} to choose one")]
    NoDataDir,
    #[error("{path} was written by a newer seccoach (format {version}); not overwriting it")]
    Newer { path: String, version: u32 },
    #[error("saving progress to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl Store {
    /// The store in `SECCOACH_HOME` if set, else in the platform's user data directory.
    pub fn locate() -> Result<Store, StoreError> {
        if let Some(home) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Ok(Store::in_dir(Path::new(&home)));
        }
        let dirs =
            directories::ProjectDirs::from("", "", "seccoach").ok_or(StoreError::NoDataDir)?;
        Ok(Store::in_dir(dirs.data_dir()))
    }

    /// The store in a given directory.
    pub fn in_dir(dir: &Path) -> Store {
        Store {
            path: dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads progress. A missing file is a fresh start; an unreadable one is moved aside.
    pub fn load(&self) -> Loaded {
        let bytes = match crate::regular::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Loaded {
                    progress: Progress::default(),
                    warning: None,
                };
            }
            Err(e) => {
                return Loaded {
                    progress: Progress::default(),
                    warning: Some(format!(
                        "could not read {} ({e}); starting with empty progress",
                        self.path.display()
                    )),
                };
            }
        };
        match parse(&bytes) {
            Ok(progress) => Loaded {
                progress: progress.settled(),
                warning: None,
            },
            Err(Unusable::Newer(version)) => Loaded {
                progress: Progress::default(),
                warning: Some(format!(
                    "progress file {} was written by a newer seccoach (format {version}); \
                     this session's progress will not be saved",
                    self.path.display()
                )),
            },
            Err(Unusable::Corrupt(problem)) => {
                let warning = match self.set_aside() {
                    Ok(moved) => format!(
                        "progress file {} was unreadable ({problem}); moved it to {} and started fresh",
                        self.path.display(),
                        moved.display()
                    ),
                    Err(e) => format!(
                        "progress file {} was unreadable ({problem}) and could not be moved aside ({e}); starting fresh",
                        self.path.display()
                    ),
                };
                Loaded {
                    progress: Progress::default(),
                    warning: Some(crate::display::sanitize(&warning).into_owned()),
                }
            }
        }
    }

    /// Renames the file to `<name>.corrupt-<timestamp>` and returns the new path.
    fn set_aside(&self) -> std::io::Result<PathBuf> {
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let mut target = self
            .path
            .with_file_name(format!("{FILE_NAME}.corrupt-{stamp}"));
        let mut n = 1;
        while target.exists() {
            target = self
                .path
                .with_file_name(format!("{FILE_NAME}.corrupt-{stamp}-{n}"));
            n += 1;
        }
        std::fs::rename(&self.path, &target)?;
        Ok(target)
    }

    /// Saves progress: under a lock on `progress.json.lock`, applies what `progress` changed since
    /// it was loaded (or last saved) to what is on disk now, writes the result atomically, and
    /// leaves `progress` holding it, so this process also sees what others saved.
    pub fn save(&self, progress: &mut Progress) -> Result<(), StoreError> {
        let write_error = |source| StoreError::Write {
            path: self.path.display().to_string(),
            source,
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(write_error)?;
        }
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.path.with_file_name(LOCK_NAME))
            .map_err(write_error)?;
        // Held until `lock` is dropped at the end of this function (closing the file unlocks it).
        lock.lock().map_err(write_error)?;
        let on_disk = match crate::regular::read(&self.path) {
            Ok(bytes) => match parse(&bytes) {
                Ok(on_disk) => Some(on_disk),
                Err(Unusable::Newer(version)) => {
                    return Err(StoreError::Newer {
                        path: self.path.display().to_string(),
                        version,
                    });
                }
                // Unreadable: this process's progress replaces it (`load` set it aside, or
                // warned, already).
                Err(Unusable::Corrupt(_)) => None,
            },
            Err(_) => None,
        };
        let mut merged = match on_disk {
            Some(on_disk) => progress.rebased_onto(on_disk),
            None => Progress {
                base: Base(None),
                ..progress.clone()
            },
        };
        merged.version = VERSION;
        let mut text = serde_json::to_string_pretty(&merged)
            .map_err(|e| write_error(std::io::Error::other(e)))?;
        text.push('\n');
        write_atomic(&self.path, text.as_bytes()).map_err(write_error)?;
        *progress = merged.settled();
        Ok(())
    }

    /// Loads, changes and saves in one step (for commands that record one thing, like `lab check`).
    pub fn update(&self, change: impl FnOnce(&mut Progress)) -> Result<(), StoreError> {
        let mut progress = self.load().progress;
        change(&mut progress);
        self.save(&mut progress)
    }
}

/// Why a progress file cannot be used.
enum Unusable {
    /// Written by a newer seccoach: left alone, never overwritten.
    Newer(u32),
    /// Not a progress file this build can read: moved aside.
    Corrupt(String),
}

/// Parses a progress file. Unknown fields are ignored, so a file from a slightly newer build
/// of the same format still loads.
fn parse(bytes: &[u8]) -> Result<Progress, Unusable> {
    #[derive(Deserialize)]
    struct Header {
        version: u32,
    }
    let header: Header =
        serde_json::from_slice(bytes).map_err(|e| Unusable::Corrupt(e.to_string()))?;
    if header.version > VERSION {
        return Err(Unusable::Newer(header.version));
    }
    if header.version != VERSION {
        return Err(Unusable::Corrupt(format!(
            "format {} is not supported (this seccoach reads format {VERSION})",
            header.version
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| Unusable::Corrupt(e.to_string()))
}

/// Output formats of `seccoach progress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
    Markdown,
}

/// Lessons read per track: (track id, track title, read, total), in curriculum order.
pub fn track_progress(
    catalog: &Catalog,
    progress: &Progress,
) -> Vec<(String, String, usize, usize)> {
    let lessons = catalog.lessons();
    catalog
        .tracks()
        .iter()
        .map(|track| {
            let in_track: Vec<_> = lessons.iter().filter(|l| l.track == track.id).collect();
            let read = in_track.iter().filter(|l| progress.is_read(&l.id)).count();
            (track.id.clone(), track.title.clone(), read, in_track.len())
        })
        .filter(|(_, _, _, total)| *total > 0)
        .collect()
}

/// `seccoach lessons`: every lesson with its track, length and whether it is done.
pub fn lessons_listing(catalog: &Catalog, progress: &Progress, json: bool) -> String {
    let lessons = catalog.lessons();
    if json {
        let rows: Vec<serde_json::Value> = lessons
            .iter()
            .map(|l| {
                serde_json::json!({
                    "id": l.id,
                    "title": l.title,
                    "track": l.track,
                    "minutes": l.minutes,
                    "level": l.level,
                    "done": progress.is_read(&l.id),
                    "quiz": progress.quiz_scores.get(&l.id),
                })
            })
            .collect();
        let mut text = crate::display::json(&rows, true);
        text.push('\n');
        return text;
    }
    let id_width = lessons.iter().map(|l| l.id.len()).max().unwrap_or(2).max(2);
    let track_width = lessons
        .iter()
        .map(|l| l.track.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!(
        "DONE  {:<id_width$}  {:<track_width$}  MIN  TITLE\n",
        "ID", "TRACK"
    );
    for lesson in &lessons {
        let done = if progress.is_read(&lesson.id) {
            "yes"
        } else {
            "-"
        };
        out.push_str(&format!(
            "{done:<4}  {:<id_width$}  {:<track_width$}  {:>3}  {}\n",
            lesson.id,
            crate::display::sanitize(&lesson.track),
            lesson.minutes,
            crate::display::sanitize(&lesson.title)
        ));
    }
    let read = lessons.iter().filter(|l| progress.is_read(&l.id)).count();
    out.push_str(&format!(
        "\n{read} of {} lessons done. `seccoach learn <id>` opens one.\n",
        lessons.len()
    ));
    out
}

/// `seccoach progress`: the onboarding plan's completion (when the repository has one),
/// lessons read per track, quiz scores, findings reviewed, labs solved. The JSON and Markdown
/// exports are for sharing: they hold only that, nothing about the machine (the text view for
/// oneself also says where progress is stored and the last lesson opened).
pub fn summary(
    catalog: &Catalog,
    progress: &Progress,
    store: &Path,
    format: SummaryFormat,
    plan: Option<&crate::plan::Status>,
) -> String {
    let tracks = track_progress(catalog, progress);
    let read: usize = tracks.iter().map(|t| t.2).sum();
    let total: usize = tracks.iter().map(|t| t.3).sum();
    let title_of = |id: &str| {
        catalog.lesson(id).map_or_else(
            || crate::display::sanitize(id).into_owned(),
            |l| crate::display::sanitize(&l.title).into_owned(),
        )
    };
    match format {
        SummaryFormat::Json => {
            let value = serde_json::json!({
                "version": progress.version,
                "plan": plan,
                "lessons_read": read,
                "lessons_total": total,
                "tracks": tracks.iter().map(|(id, title, read, total)| serde_json::json!({
                    "id": id, "title": title, "read": read, "total": total,
                })).collect::<Vec<_>>(),
                "lessons": progress.lessons_read,
                "quiz_scores": progress.quiz_scores,
                "findings_reviewed": progress.reviewed.len(),
                "findings_fixed": progress.findings_fixed.len(),
                "labs_solved": progress.labs_solved,
            });
            let mut text = crate::display::json(&value, true);
            text.push('\n');
            text
        }
        SummaryFormat::Markdown => {
            let mut out = String::from("# seccoach progress\n\n");
            if let Some(plan) = plan {
                out.push_str(&plan.markdown("##"));
                out.push('\n');
            }
            out.push_str(&format!("{read} of {total} lessons read.\n\n"));
            out.push_str("| Track | Read | Lessons |\n|---|---:|---:|\n");
            for (_, title, read, total) in &tracks {
                out.push_str(&format!(
                    "| {} | {read} | {total} |\n",
                    crate::display::sanitize(title).replace('|', "\\|")
                ));
            }
            if !progress.quiz_scores.is_empty() {
                out.push_str("\n## Quiz scores\n\n");
                for (lesson, score) in &progress.quiz_scores {
                    out.push_str(&format!(
                        "- {} (`{}`): {}/{} (best {}/{})\n",
                        title_of(lesson),
                        crate::display::sanitize(lesson).replace('`', "'"),
                        score.correct,
                        score.total,
                        score.best,
                        score.total
                    ));
                }
            }
            out.push_str(&format!(
                "\nFindings reviewed: {}\nFindings fixed in the coach: {}\n",
                progress.reviewed.len(),
                progress.findings_fixed.len()
            ));
            if !progress.labs_solved.is_empty() {
                let labs: Vec<String> = progress
                    .labs_solved
                    .iter()
                    .map(|l| format!("`{}`", crate::display::sanitize(l).replace('`', "'")))
                    .collect();
                out.push_str(&format!("\nLabs solved: {}\n", labs.join(", ")));
            }
            out
        }
        SummaryFormat::Text => {
            let mut out = plan.map(|p| p.text() + "\n").unwrap_or_default();
            out.push_str(&format!("{read} of {total} lessons read\n\n"));
            let width = tracks
                .iter()
                .map(|t| t.1.chars().count())
                .max()
                .unwrap_or(0);
            for (_, title, read, total) in &tracks {
                let title = crate::display::sanitize(title);
                let filled = (read * 10).checked_div(*total).unwrap_or(0);
                out.push_str(&format!(
                    "  {title:<width$}  {}{}  {read}/{total}\n",
                    "#".repeat(filled),
                    ".".repeat(10 - filled)
                ));
            }
            if !progress.quiz_scores.is_empty() {
                out.push_str("\nQuiz scores\n");
                for (lesson, score) in &progress.quiz_scores {
                    out.push_str(&format!(
                        "  {}: {}/{} (best {}/{})\n",
                        title_of(lesson),
                        score.correct,
                        score.total,
                        score.best,
                        score.total
                    ));
                }
            }
            out.push_str(&format!(
                "\nFindings reviewed: {}\nFindings fixed in the coach: {}\n",
                progress.reviewed.len(),
                progress.findings_fixed.len()
            ));
            if !progress.labs_solved.is_empty() {
                let labs: Vec<String> = progress
                    .labs_solved
                    .iter()
                    .map(|l| crate::display::sanitize(l).into_owned())
                    .collect();
                out.push_str(&format!("Labs solved: {}\n", labs.join(", ")));
            }
            if let Some(last) = &progress.last_lesson {
                out.push_str(&format!("Last lesson: {}\n", title_of(last)));
            }
            out.push_str(&format!(
                "\nStored in {}\n",
                crate::display::sanitize(&store.display().to_string())
            ));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_the_best_score() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        let mut progress = store.load().progress;
        progress
            .lessons_read
            .insert("secrets/how-secrets-leak".into());
        progress.record_quiz("secrets/how-secrets-leak", 3, 4);
        progress.record_quiz("secrets/how-secrets-leak", 1, 4);
        progress.reviewed.insert("abc".into());
        store.save(&mut progress).unwrap();
        let loaded = store.load();
        assert!(loaded.warning.is_none());
        let score = loaded.progress.quiz_scores["secrets/how-secrets-leak"];
        assert_eq!((score.correct, score.best, score.total), (1, 3, 4));
        assert_eq!(loaded.progress, progress);
    }

    #[test]
    fn saving_merges_with_another_process() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        let mut first = Progress::default();
        first.lessons_read.insert("a/one".into());
        let mut second = Progress::default();
        second.lessons_read.insert("a/two".into());
        store.save(&mut first).unwrap();
        store.save(&mut second).unwrap();
        let read = store.load().progress.lessons_read;
        assert!(read.contains("a/one") && read.contains("a/two"));
    }

    #[test]
    fn newer_files_are_left_alone_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        std::fs::write(store.path(), r#"{"version": 99}"#).unwrap();
        let loaded = store.load();
        assert!(loaded.warning.unwrap().contains("newer seccoach"));
        assert!(matches!(
            store.save(&mut loaded.progress.clone()),
            Err(StoreError::Newer { version: 99, .. })
        ));
        assert_eq!(
            std::fs::read_to_string(store.path()).unwrap(),
            r#"{"version": 99}"#
        );
    }

    #[test]
    fn unknown_fields_are_tolerated_and_old_formats_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        std::fs::write(store.path(), r#"{"version": 1, "future": true}"#).unwrap();
        assert!(store.load().warning.is_none());
        std::fs::write(store.path(), r#"{"version": 0}"#).unwrap();
        assert!(store.load().warning.unwrap().contains("moved it to"));
        assert!(!store.path().exists());
    }

    #[test]
    fn unmarking_a_finding_as_reviewed_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        let mut progress = store.load().progress;
        progress.reviewed.insert("fp-1".into());
        progress.reviewed.insert("fp-2".into());
        store.save(&mut progress).unwrap();
        progress.reviewed.remove("fp-1");
        store.save(&mut progress).unwrap();
        let saved = store.load().progress.reviewed;
        assert!(!saved.contains("fp-1"), "the removal was lost: {saved:?}");
        assert!(saved.contains("fp-2"));
    }

    #[test]
    fn a_removal_here_and_an_addition_elsewhere_both_survive() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        let mut setup = Progress::default();
        setup.reviewed.insert("fp-old".into());
        store.save(&mut setup).unwrap();
        // Two coaches load the same state.
        let mut here = store.load().progress;
        let mut there = store.load().progress;
        there.lessons_read.insert("a/one".into());
        store.save(&mut there).unwrap();
        here.reviewed.remove("fp-old");
        store.save(&mut here).unwrap();
        // The other coach saves again without having seen the removal: it must not resurrect it.
        there.labs_solved.insert("lab".into());
        store.save(&mut there).unwrap();
        let saved = store.load().progress;
        assert!(!saved.reviewed.contains("fp-old"), "{saved:?}");
        assert!(saved.lessons_read.contains("a/one"));
        assert!(saved.labs_solved.contains("lab"));
        // And each process now holds what the others saved.
        assert_eq!(here.lessons_read, saved.lessons_read);
    }

    #[test]
    fn concurrent_updates_from_threads_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_dir(dir.path());
        std::thread::scope(|scope| {
            for writer in 0..6 {
                let store = store.clone();
                scope.spawn(move || {
                    store
                        .update(|p| {
                            p.labs_solved.insert(format!("lab-{writer}"));
                        })
                        .unwrap();
                });
            }
        });
        let solved = store.load().progress.labs_solved;
        assert_eq!(solved.len(), 6, "{solved:?}");
    }
}
