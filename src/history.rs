//! `seccoach scan --history`: secrets anywhere in a repository's history. Every blob reachable
//! from the refs is read once (a blob kept unchanged across commits is one blob), through
//! gitoxide alone (no `git` binary), with the secrets rules and `repo/private-key-file`,
//! `repo/env-file-committed`. Each secret is reported once, at the oldest commit (in topological
//! order, oldest first) whose tree added it, with the path it had there and whether HEAD still
//! holds it.
//!
//! What could not be read (a shallow clone's missing past, a partial clone's missing blobs, a
//! ref pointing at a missing object) is said in notes and counted; it never stops the scan.

use crate::analyzers::repo::{ENV_FILE, PRIVATE_KEY_FILE};
use crate::display::sanitize;
use crate::finding::Finding;
use crate::report::{Report, SkipReason};
use crate::scan::{Checked, Scanner};
use crate::source::{FileKind, Source};
use gix::ObjectId;
use gix::objs::{CommitRefIter, Find, Kind, TagRefIter, TreeRefIter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

/// A set of object ids, hashed the way gitoxide hashes them (ids are already uniform).
type IdSet = gix::hashtable::HashSet<ObjectId>;

/// Commits named in a note about refs or objects that could not be read.
const NAMED: usize = 5;

/// Which refs the walk starts from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Every ref (stashes and their reflog, notes, pull-request refs…), not only `HEAD`,
    /// branches, remote-tracking branches and tags.
    pub all_refs: bool,
    /// Only commits made at or after this time.
    pub since: Option<jiff::Timestamp>,
    /// Only commits not reachable from this revision (a ref name or a full commit id).
    pub since_commit: Option<String>,
}

/// Where a history finding came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The full id of the commit that introduced the blob.
    pub commit: String,
    /// Its committer date, RFC 3339 (UTC).
    pub commit_date: String,
    /// Whether the same secret is still in a file at HEAD.
    pub in_head: bool,
}

/// What a history scan read, and the origin of each finding (`origins[i]` is that of the
/// report's `findings[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub commits: u64,
    pub blobs: u64,
    pub refs: u64,
    /// Objects the walk needed and the repository does not have (a partial or damaged clone).
    pub missing_objects: u64,
    /// The clone is shallow: commits before its boundary were not read.
    pub shallow: bool,
    /// The commit HEAD names, and its branch (none when detached or before the first commit).
    pub head: Option<String>,
    pub branch: Option<String>,
    /// The repository as a URI: its `origin` remote without any credentials, else the local
    /// folder as a `file://` URI.
    pub repository_uri: String,
    pub origins: Vec<Origin>,
}

impl History {
    /// "read 12 commits and 30 blobs from 3 refs": what every format's summary says.
    pub fn summary(&self) -> String {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut text = format!(
            "history: read {} and {} from {}",
            plural(self.commits, "commit", "commits"),
            plural(self.blobs, "blob", "blobs"),
            plural(self.refs, "ref", "refs")
        );
        if self.missing_objects > 0 {
            text.push_str(&format!(
                "; {} missing",
                plural(self.missing_objects, "object", "objects")
            ));
        }
        if self.shallow {
            text.push_str("; shallow clone, older history not read");
        }
        text
    }
}

/// What to do about a secret in history, in order: the text output and the coach show it.
/// Rotation comes first because it is the only step that makes the leaked value useless; the
/// rewrite follows git-filter-repo's documented `--replace-text` use and GitHub's guide to
/// removing sensitive data (clones and forks made before keep the old commits).
pub const CLEANUP: &str = "A secret in a commit stays readable by anyone with a clone, even after \
the file is fixed or deleted:
  1. Rotate it first: revoke the secret at its provider and issue a new one (only this makes \
the leak harmless).
  2. Rewrite the history: put `literal:<the secret>==>REMOVED` in a file (say \
replacements.txt), then run `git filter-repo --replace-text replacements.txt`.
  3. Force-push every branch and tag: `git push origin --force --all` and `git push origin \
--force --tags`; ask collaborators to re-clone (old clones and forks keep the secret).
Lesson: seccoach learn secrets/keeping-secrets-out";

/// True for the rules a history scan runs: the secrets area, and committed env and key files.
pub fn is_history_rule(rule: &str) -> bool {
    rule.starts_with("secrets/") || rule == ENV_FILE || rule == PRIVATE_KEY_FILE
}

/// Every rule of `catalog` a history scan leaves out (added to the scan options' `disabled`).
pub fn other_rules(catalog: &crate::catalog::Catalog) -> impl Iterator<Item = String> + '_ {
    catalog
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !is_history_rule(id))
        .map(str::to_owned)
}

/// One commit of the walk.
struct Commit {
    id: ObjectId,
    tree: ObjectId,
    time: i64,
    /// Indices (in the walk's list) of its parents that were read.
    parents: Vec<usize>,
}

/// A blob to read: its id, the path it had where it was first met, and that commit (index in
/// topological order).
struct Job {
    blob: ObjectId,
    path: String,
    commit: usize,
}

/// Notes and counts gathered while walking.
#[derive(Default)]
struct Trouble {
    missing: BTreeSet<String>,
    unreadable_refs: Vec<String>,
    notes: Vec<String>,
}

impl Trouble {
    fn missing(&mut self, what: &str, id: &ObjectId) {
        self.missing.insert(format!("{what} {id}"));
    }
}

/// Opens the repository at (or above) `root`, bare or not.
fn open(root: &Path) -> anyhow::Result<gix::Repository> {
    gix::discover(root)
        .map(|mut r| {
            r.object_cache_size_if_unset(4 << 20);
            r
        })
        .map_err(|e| {
            anyhow::anyhow!(
                "{} is not in a git repository ({}); --history reads a repository's commits",
                root.display(),
                e
            )
        })
}

/// Memory each repository handle keeps for objects rebuilt from delta chains.
const PACK_CACHE_BYTES: usize = 12 << 20;

/// Sets the caches a blob worker wants on its repository handle. A packed object is stored as a
/// chain of deltas against a newer version; gitoxide keeps each object it rebuilt, and uses it
/// when a later read's chain passes through it. Blobs are read newest first (see
/// [`read_blobs`]), so each read applies one delta to the version read before it instead of
/// rebuilding the whole chain.
fn tune(repo: &mut gix::Repository) {
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            PACK_CACHE_BYTES,
        ))
    });
    repo.object_cache_size_if_unset(4 << 20);
}

/// Scans the history of the repository at `root` with `scanner` (built with the non-history
/// rules disabled, see [`other_rules`]).
pub fn scan(scanner: &Scanner, root: &Path, options: &HistoryOptions) -> anyhow::Result<Report> {
    let repo = open(root)?;
    let mut trouble = Trouble::default();
    let (tips, refs) = tips(&repo, options.all_refs, &mut trouble);
    let stop = match &options.since_commit {
        Some(rev) => {
            let id = resolve(&repo, rev)?;
            ancestors(&repo, id, &mut Trouble::default())
        }
        None => IdSet::default(),
    };
    let shallow: IdSet = match repo.shallow_commits() {
        Ok(Some(commits)) => commits.iter().copied().collect(),
        _ => IdSet::default(),
    };
    let since = options.since.map(|t| t.as_second());
    let (commits, boundary) = walk(&repo, &tips, &stop, since, &shallow, &mut trouble);
    let order = topological(&commits);

    let mut seen_trees = IdSet::default();
    let mut seen_blobs = IdSet::default();
    let excludes = exclude_matcher(&scanner.options().exclude);
    // What the commits outside the walk already had is not new in it.
    let mut buf = Vec::new();
    for id in &boundary {
        if let Some(tree) = commit_tree(&repo, id, &mut buf) {
            let mut ignore = Vec::new();
            collect(
                &repo,
                tree,
                usize::MAX,
                &mut seen_trees,
                &mut seen_blobs,
                &excludes,
                &mut ignore,
                &mut trouble,
            );
        }
    }
    let head = head_paths(&repo, &mut trouble);
    let head_blobs: IdSet = head.values().copied().collect();
    let mut symlinks = 0u64;
    // The trees are walked here while the workers check the blobs already found.
    let read = {
        let trouble = &mut trouble;
        let symlinks = &mut symlinks;
        read_blobs(scanner, &repo, |send| {
            let mut jobs = Vec::new();
            for (position, &index) in order.iter().enumerate() {
                collect(
                    &repo,
                    commits[index].tree,
                    position,
                    &mut seen_trees,
                    &mut seen_blobs,
                    &excludes,
                    &mut jobs,
                    trouble,
                );
                for job in jobs.drain(..) {
                    // A link's blob is its target's name: counted, never read as text.
                    if job.path.is_empty() {
                        *symlinks += 1;
                    } else {
                        send(job);
                    }
                }
            }
        })
    };
    drop(seen_trees);
    drop(seen_blobs);

    let mut report = Report::default();
    report.stats.rules = scanner.rule_count();
    if symlinks > 0 {
        *report.stats.skipped.entry(SkipReason::Symlink).or_default() += symlinks;
    }
    // Each secret once: at its oldest commit; in HEAD if any blob holding it is.
    let mut found: Vec<(usize, Finding, [u8; 32], bool)> = Vec::new();
    let mut blobs_read = IdSet::default();
    let blob_count = read.len() as u64;
    for (job, outcome) in read {
        blobs_read.insert(job.blob);
        let Some((mut outcome, identities)) = outcome else {
            trouble.missing("blob", &job.blob);
            continue;
        };
        let in_head = head_blobs.contains(&job.blob);
        for (finding, identity) in outcome.checked.findings.drain(..).zip(identities) {
            found.push((job.commit, finding, identity, in_head));
        }
        scanner.absorb(&mut report, &mut outcome);
    }
    let mut in_head: HashSet<(String, [u8; 32])> = HashSet::new();
    for (_, finding, identity, head) in &found {
        if *head {
            in_head.insert((finding.rule.to_string(), *identity));
        }
    }
    // A limited walk did not read what HEAD kept from before it: those blobs are read too
    // (only to say whether a secret is still there), when a finding needs the answer.
    let limited = options.since.is_some() || options.since_commit.is_some();
    if limited
        && found
            .iter()
            .any(|(_, f, identity, _)| !in_head.contains(&(f.rule.to_string(), *identity)))
    {
        let extra = read_blobs(scanner, &repo, |send| {
            for (path, id) in &head {
                if !blobs_read.contains(id) {
                    send(Job {
                        blob: *id,
                        path: path.clone(),
                        commit: 0,
                    });
                }
            }
        });
        for (outcome, identities) in extra.into_iter().filter_map(|(_, outcome)| outcome) {
            for (finding, identity) in outcome.checked.findings.iter().zip(identities) {
                in_head.insert((finding.rule.to_string(), identity));
            }
        }
    }
    found.sort_by_key(|(commit, ..)| *commit);
    let mut reported: HashSet<(String, [u8; 32])> = HashSet::new();
    let mut kept: Vec<(usize, Finding, bool)> = Vec::new();
    for (commit, finding, identity, _) in found {
        let key = (finding.rule.to_string(), identity);
        if reported.insert(key.clone()) {
            kept.push((commit, finding, in_head.contains(&key)));
        }
    }
    // Newest commit first, then as a working-tree report sorts.
    kept.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.sort_key().cmp(&b.1.sort_key()))
    });
    let mut history = History {
        head: repo.head_id().ok().map(|id| id.to_string()),
        branch: repo
            .head_name()
            .ok()
            .flatten()
            .map(|name| name.shorten().to_string()),
        repository_uri: repository_uri(&repo),
        commits: commits.len() as u64,
        blobs: blob_count,
        refs,
        shallow: !shallow.is_empty() || boundary_is_shallow(&commits, &shallow),
        ..History::default()
    };
    for (position, finding, head) in kept {
        let commit = &commits[order[position]];
        history.origins.push(Origin {
            commit: commit.id.to_string(),
            commit_date: date(commit.time),
            in_head: head,
        });
        report.findings.push(finding);
    }
    history.missing_objects = trouble.missing.len() as u64;
    report.notes.append(&mut trouble.notes);
    if !trouble.unreadable_refs.is_empty() {
        report.notes.push(format!(
            "history: {} could not be read and {} not walked: {}",
            count(trouble.unreadable_refs.len(), "ref"),
            if trouble.unreadable_refs.len() == 1 {
                "was"
            } else {
                "were"
            },
            named(&trouble.unreadable_refs)
        ));
    }
    if !trouble.missing.is_empty() {
        let missing: Vec<String> = trouble.missing.iter().cloned().collect();
        report.notes.push(format!(
            "history: {} the walk needed {} not in the repository (a partial or damaged \
             clone), so what {} held was not checked: {}",
            count(missing.len(), "object"),
            if missing.len() == 1 { "is" } else { "are" },
            if missing.len() == 1 { "it" } else { "they" },
            named(&missing)
        ));
    }
    if history.shallow {
        report.notes.push(format!(
            "history: this is a shallow clone ({} at its boundary): commits before them were \
             not read; `git fetch --unshallow` fetches the rest",
            count(shallow.len().max(1), "commit")
        ));
    }
    report.notes.sort();
    report.notes.dedup();
    report.history = Some(history);
    Ok(report)
}

/// The repository's `origin` remote as a URI with any user name and password left out, or the
/// repository's folder as a `file://` URI.
fn repository_uri(repo: &gix::Repository) -> String {
    let remote = repo
        .config_snapshot()
        .string("remote.origin.url")
        .map(|url| url.to_string());
    if let Some(url) = remote.as_deref().and_then(clean_remote) {
        return url;
    }
    let dir = repo.workdir().unwrap_or_else(|| repo.git_dir());
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut uri = String::from("file://");
    for byte in dir.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// A URL with a user name and password before its host keeps only the host and path;
/// `git@host:o/r.git` becomes `ssh://host/o/r.git`. `None` for anything else (a local path).
fn clean_remote(url: &str) -> Option<String> {
    let url = url.trim();
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+')
        {
            return None;
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        return (!host.is_empty()).then(|| format!("{scheme}://{host}{path}"));
    }
    let (user_host, path) = url.split_once(':')?;
    let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
    (host.len() > 1 && !user_host.contains('/') && !path.is_empty())
        .then(|| format!("ssh://{host}/{}", path.trim_start_matches('/')))
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Up to [`NAMED`] items, and how many more.
fn named(items: &[String]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(NAMED)
        .map(|s| sanitize(s).into_owned())
        .collect();
    let more = items.len().saturating_sub(NAMED);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A commit time as RFC 3339 in UTC.
fn date(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| seconds.to_string())
}

fn boundary_is_shallow(commits: &[Commit], shallow: &IdSet) -> bool {
    commits.iter().any(|c| shallow.contains(&c.id))
}

/// The configured excludes, matched against paths in commits.
fn exclude_matcher(patterns: &[String]) -> ignore::gitignore::Gitignore {
    let mut builder = crate::config::exclude_builder(Path::new("/"));
    for pattern in patterns {
        // Patterns were checked when the config or command line was read.
        let _ = builder.add_line(None, pattern);
    }
    builder
        .build()
        .unwrap_or_else(|_| ignore::gitignore::Gitignore::empty())
}

/// The commits the walk starts from, and how many refs named them. Tags are peeled; a ref to
/// something that is not a commit, or to a missing object, is noted.
fn tips(repo: &gix::Repository, all_refs: bool, trouble: &mut Trouble) -> (Vec<ObjectId>, u64) {
    let mut tips = Vec::new();
    let mut refs = 0u64;
    let mut buf = Vec::new();
    let mut add = |name: String, id: ObjectId, trouble: &mut Trouble, refs: &mut u64| {
        *refs += 1;
        match peel(repo, id, &mut buf) {
            Ok(Some(commit)) => tips.push(commit),
            Ok(None) => {}
            Err(why) => trouble.unreadable_refs.push(format!("{name} ({why})")),
        }
    };
    if let Ok(head) = repo.head_id() {
        add("HEAD".to_owned(), head.detach(), trouble, &mut refs);
    }
    let platform = match repo.references() {
        Ok(platform) => platform,
        Err(e) => {
            trouble
                .notes
                .push(format!("history: the refs could not be listed ({e})"));
            return (tips, refs);
        }
    };
    let Ok(iter) = platform.all() else {
        trouble
            .notes
            .push("history: the refs could not be listed".to_owned());
        return (tips, refs);
    };
    for reference in iter {
        let reference = match reference {
            Ok(r) => r,
            Err(e) => {
                trouble.unreadable_refs.push(format!("a ref ({e})"));
                continue;
            }
        };
        let name = reference.name().as_bstr().to_string();
        let default = ["refs/heads/", "refs/remotes/", "refs/tags/"]
            .iter()
            .any(|p| name.starts_with(p));
        if !(default || all_refs) {
            continue;
        }
        // A symbolic ref (refs/remotes/origin/HEAD) names another ref, walked on its own.
        let Some(id) = reference.inner().target.try_id().map(ToOwned::to_owned) else {
            continue;
        };
        if all_refs && name == "refs/stash" {
            // Every stash, not only the newest: the stash's reflog.
            let mut log = reference.log_iter();
            if let Ok(Some(lines)) = log.all() {
                for line in lines.flatten() {
                    let Ok(entry) = ObjectId::from_hex(line.new_oid) else {
                        continue;
                    };
                    if entry != id {
                        add(format!("{name} (reflog)"), entry, trouble, &mut refs);
                    }
                }
            }
        }
        add(name, id, trouble, &mut refs);
    }
    tips.sort();
    tips.dedup();
    (tips, refs)
}

/// The commit `id` names, peeling tags. `Ok(None)` for a tree or blob (nothing to walk).
fn peel(
    repo: &gix::Repository,
    mut id: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Option<ObjectId>, String> {
    for _ in 0..16 {
        let data = match repo.objects.try_find(&id, buf) {
            Ok(Some(data)) => data,
            Ok(None) => return Err(format!("{id} is missing")),
            Err(e) => return Err(format!("{id}: {e}")),
        };
        match data.kind {
            Kind::Commit => return Ok(Some(id)),
            Kind::Tag => {
                id = TagRefIter::from_bytes(data.data, data.object_hash)
                    .target_id()
                    .map_err(|e| format!("tag {id}: {e}"))?;
            }
            Kind::Tree | Kind::Blob => return Ok(None),
        }
    }
    Err(format!("{id}: tags nested too deep"))
}

/// The commit a `--since-commit` revision names: a full id, or a ref name as git shortens it
/// (`main`, `origin/main`, `v1.0`).
fn resolve(repo: &gix::Repository, rev: &str) -> anyhow::Result<ObjectId> {
    let mut buf = Vec::new();
    let id = match ObjectId::from_hex(rev.as_bytes()) {
        Ok(id) => id,
        Err(_) => repo
            .find_reference(rev)
            .ok()
            .and_then(|mut r| r.peel_to_id().ok().map(|id| id.detach()))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--since-commit {}: no such ref in this repository (give a branch, tag or \
                     remote-tracking branch, or a full commit id)",
                    sanitize(rev)
                )
            })?,
    };
    match peel(repo, id, &mut buf) {
        Ok(Some(commit)) => Ok(commit),
        Ok(None) => anyhow::bail!("--since-commit {}: not a commit", sanitize(rev)),
        Err(why) => anyhow::bail!("--since-commit {}: {why}", sanitize(rev)),
    }
}

/// Every commit reachable from `id`, itself included.
fn ancestors(repo: &gix::Repository, id: ObjectId, trouble: &mut Trouble) -> IdSet {
    let mut seen = IdSet::default();
    let mut stack = vec![id];
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == Kind::Commit => {
                stack.extend(CommitRefIter::from_bytes(data.data, data.object_hash).parent_ids());
            }
            _ => trouble.missing("commit", &id),
        }
    }
    seen
}

/// Every commit reachable from `tips`, minus `stop` and (with `since`) those made before it,
/// and the commits outside the walk whose children are in it (their trees are not new).
fn walk(
    repo: &gix::Repository,
    tips: &[ObjectId],
    stop: &IdSet,
    since: Option<i64>,
    shallow: &IdSet,
    trouble: &mut Trouble,
) -> (Vec<Commit>, Vec<ObjectId>) {
    let mut index: gix::hashtable::HashMap<ObjectId, usize> = Default::default();
    let mut commits: Vec<Commit> = Vec::new();
    let mut parents_of: Vec<Vec<ObjectId>> = Vec::new();
    let mut boundary: BTreeSet<ObjectId> = BTreeSet::new();
    let mut excluded = IdSet::default();
    let mut stack: Vec<ObjectId> = tips.iter().rev().copied().collect();
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if index.contains_key(&id) || excluded.contains(&id) {
            continue;
        }
        if stop.contains(&id) {
            excluded.insert(id);
            continue;
        }
        let data = match repo.objects.try_find(&id, &mut buf) {
            Ok(Some(data)) if data.kind == Kind::Commit => data,
            _ => {
                trouble.missing("commit", &id);
                excluded.insert(id);
                continue;
            }
        };
        let mut tree = None;
        let mut parents = Vec::new();
        let mut time = 0;
        for token in CommitRefIter::from_bytes(data.data, data.object_hash) {
            use gix::objs::commit::ref_iter::Token;
            match token {
                Ok(Token::Tree { id }) => tree = Some(id),
                Ok(Token::Parent { id }) => parents.push(id),
                Ok(Token::Committer { signature }) => {
                    time = signature.seconds();
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let Some(tree) = tree else {
            trouble.missing("commit", &id);
            excluded.insert(id);
            continue;
        };
        if since.is_some_and(|since| time < since) {
            excluded.insert(id);
            continue;
        }
        // A shallow clone's boundary commits list parents the clone does not have.
        if shallow.contains(&id) {
            parents.clear();
        }
        index.insert(id, commits.len());
        commits.push(Commit {
            id,
            tree,
            time,
            parents: Vec::new(),
        });
        stack.extend(parents.iter().copied());
        parents_of.push(parents);
    }
    for (i, parents) in parents_of.into_iter().enumerate() {
        for parent in parents {
            match index.get(&parent) {
                Some(&p) => commits[i].parents.push(p),
                None if excluded.contains(&parent)
                    && !trouble.missing.contains(&format!("commit {parent}")) =>
                {
                    boundary.insert(parent);
                }
                None => {}
            }
        }
    }
    (commits, boundary.into_iter().collect())
}

/// The walk's commits in topological order, parents first, the oldest first among those ready.
fn topological(commits: &[Commit]) -> Vec<usize> {
    let mut waiting: Vec<usize> = commits.iter().map(|c| c.parents.len()).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
    for (i, commit) in commits.iter().enumerate() {
        for &p in &commit.parents {
            children[p].push(i);
        }
    }
    let mut ready: BinaryHeap<std::cmp::Reverse<(i64, ObjectId, usize)>> = commits
        .iter()
        .enumerate()
        .filter(|(i, _)| waiting[*i] == 0)
        .map(|(i, c)| std::cmp::Reverse((c.time, c.id, i)))
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some(std::cmp::Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &child in &children[i] {
            waiting[child] -= 1;
            if waiting[child] == 0 {
                let c = &commits[child];
                ready.push(std::cmp::Reverse((c.time, c.id, child)));
            }
        }
    }
    order
}

fn commit_tree(repo: &gix::Repository, id: &ObjectId, buf: &mut Vec<u8>) -> Option<ObjectId> {
    match repo.objects.try_find(id, buf) {
        Ok(Some(data)) if data.kind == Kind::Commit => {
            CommitRefIter::from_bytes(data.data, data.object_hash)
                .tree_id()
                .ok()
        }
        _ => None,
    }
}

/// Adds a job for every blob of `tree` not met before, skipping trees met before (all their
/// blobs were). A link's blob is a job with an empty path (counted, never read); submodules
/// are other repositories.
#[allow(clippy::too_many_arguments)]
fn collect(
    repo: &gix::Repository,
    tree: ObjectId,
    commit: usize,
    seen_trees: &mut IdSet,
    seen_blobs: &mut IdSet,
    excludes: &ignore::gitignore::Gitignore,
    jobs: &mut Vec<Job>,
    trouble: &mut Trouble,
) {
    let mut stack: Vec<(ObjectId, String)> = vec![(tree, String::new())];
    let mut buf = Vec::new();
    while let Some((tree, dir)) = stack.pop() {
        if !seen_trees.insert(tree) {
            continue;
        }
        let data = match repo.objects.try_find(&tree, &mut buf) {
            Ok(Some(data)) if data.kind == Kind::Tree => data,
            _ => {
                trouble.missing("tree", &tree);
                continue;
            }
        };
        for entry in TreeRefIter::from_bytes(data.data, data.object_hash) {
            let Ok(entry) = entry else {
                trouble.missing("tree", &tree);
                break;
            };
            let mode = entry.mode;
            let id = entry.oid.to_owned();
            // Most entries of a new tree were met before: decided by id, before any path is made.
            let is_tree = mode.is_tree();
            if is_tree {
                if seen_trees.contains(&id) {
                    continue;
                }
            } else if !(mode.is_blob() || mode.is_link()) || seen_blobs.contains(&id) {
                continue;
            }
            let name = path_name(entry.filename);
            let path = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            if !excludes.is_empty() && excludes.matched(&path, is_tree).is_ignore() {
                continue;
            }
            if is_tree {
                stack.push((id, path));
            } else {
                seen_blobs.insert(id);
                if commit != usize::MAX {
                    jobs.push(Job {
                        blob: id,
                        path: if mode.is_link() { String::new() } else { path },
                        commit,
                    });
                }
            }
        }
    }
}

/// A name in a tree as a path part: bytes that are not UTF-8 as `\xNN`, as the working-tree
/// scan writes them.
fn path_name(name: &[u8]) -> String {
    let mut out = String::new();
    for chunk in name.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// A blob's outcome and, for each finding, the identity of what it matched (a hash, held in
/// memory only, so that one secret kept across many versions of a file is reported once).
type BlobOutcome = Option<(crate::scan::FileOutcome, Vec<[u8; 32]>)>;

/// Blobs handed to the workers at a time: the walk goes on while they read.
const BATCH: usize = 2048;

/// Reads and checks the blobs `feed` hands over, on the scan's workers, while `feed` goes on
/// finding more (a history's trees are walked while its blobs are checked). Returns each job
/// with its outcome, in the order fed; `None` for a blob that could not be read.
///
/// Each worker takes the blobs of some paths (the versions of one file are one delta chain in a
/// pack), in batches, each newest first: the order in which each read builds on the one before.
fn read_blobs(
    scanner: &Scanner,
    repo: &gix::Repository,
    feed: impl FnOnce(&mut dyn FnMut(Job)),
) -> Vec<(Job, BlobOutcome)> {
    type Batch = Vec<(usize, Job)>;
    let threads = scanner.threads().max(1);
    let results: Mutex<Vec<(usize, Job, BlobOutcome)>> = Mutex::new(Vec::new());
    let git_dir = repo.git_dir().to_path_buf();
    std::thread::scope(|scope| {
        let mut senders = Vec::with_capacity(threads);
        for _ in 0..threads {
            // Bounded: a walk far ahead of the workers waits rather than queue without limit.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
            senders.push(tx);
            let (git_dir, results) = (&git_dir, &results);
            scope.spawn(move || {
                // Each worker its own handle on the repository (gitoxide's are not shared
                // between threads without its `parallel` feature). A worker that cannot open
                // it reports its blobs unread.
                let repo = gix::open_opts(git_dir, gix::open::Options::isolated())
                    .ok()
                    .map(|mut r| {
                        tune(&mut r);
                        r
                    });
                let mut buf = Vec::new();
                let mut local = Vec::new();
                for mut batch in rx {
                    while let Some((i, job)) = batch.pop() {
                        let outcome = repo
                            .as_ref()
                            .and_then(|repo| read_blob(scanner, repo, &job, &mut buf));
                        local.push((i, job, outcome));
                        if buf.capacity() > 8 << 20 {
                            buf = Vec::new();
                        }
                    }
                }
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .append(&mut local);
            });
        }
        let mut pending: Vec<Batch> = (0..threads).map(|_| Vec::new()).collect();
        let mut held = 0;
        let mut n = 0;
        // A send fails only when its worker panicked, and the scope then passes the panic on.
        let hand_over = |pending: &mut Vec<Batch>| {
            for (tx, batch) in senders.iter().zip(pending.iter_mut()) {
                if !batch.is_empty() {
                    let _ = tx.send(std::mem::take(batch));
                }
            }
        };
        feed(&mut |job| {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            job.path.hash(&mut hasher);
            pending[(hasher.finish() % threads as u64) as usize].push((n, job));
            n += 1;
            held += 1;
            if held == BATCH {
                hand_over(&mut pending);
                held = 0;
            }
        });
        hand_over(&mut pending);
        drop(senders);
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_by_key(|(i, ..)| *i);
    results
        .into_iter()
        .map(|(_, job, outcome)| (job, outcome))
        .collect()
}

fn read_blob(
    scanner: &Scanner,
    repo: &gix::Repository,
    job: &Job,
    buf: &mut Vec<u8>,
) -> BlobOutcome {
    use crate::scan::FileOutcome;
    let limit = scanner.options().max_file_size;
    // The size first: a blob over the limit is never inflated.
    let header = repo.try_find_header(job.blob).ok()??;
    if header.size() > limit {
        return Some((
            FileOutcome {
                skipped: Some(SkipReason::TooLarge),
                ..FileOutcome::default()
            },
            Vec::new(),
        ));
    }
    let data = repo.objects.try_find(&job.blob, buf).ok()??;
    let bytes = data.data;
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Some((
            FileOutcome {
                skipped: Some(SkipReason::Binary),
                ..FileOutcome::default()
            },
            Vec::new(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let kind = FileKind::detect(&job.path, &bytes[..bytes.len().min(256)]);
    let source = Source::new(&job.path, kind, bytes);
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scanner.check(&source)))
        .unwrap_or_else(|_| {
            let mut checked = Checked::default();
            checked.crashed.push(format!(
                "seccoach crashed on {} in blob {}, so it was not fully checked; the rest of \
                 the scan went on. Please report this at seccoach's issue tracker",
                sanitize(&job.path),
                job.blob
            ));
            checked
        });
    let identities = checked
        .findings
        .iter()
        .map(|f| identity(&source, f))
        .collect();
    Some((
        FileOutcome {
            checked,
            bytes: bytes.len() as u64,
            ..FileOutcome::default()
        },
        identities,
    ))
}

/// What a finding matched, hashed: the same secret in another version of the file (or another
/// file) has the same identity.
fn identity(source: &Source, finding: &Finding) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let start = source.offset_of(finding.line, finding.column);
    let end = source
        .offset_of(finding.end_line, finding.end_column)
        .max(start)
        .min(source.bytes.len());
    let mut hash = Sha256::new();
    hash.update(finding.rule.as_str().as_bytes());
    hash.update([0]);
    hash.update(&source.bytes[start.min(end)..end]);
    hash.finalize().into()
}

/// `seccoach scan --staged`: checks what the next commit would hold, the content in git's
/// index, not the working-tree file. Only staged changes are read (entries whose blob differs
/// from HEAD's at the same path, every entry before the first commit), with every per-file rule;
/// paths are relative to the top of the work tree.
pub fn scan_staged(scanner: &Scanner, root: &Path) -> anyhow::Result<Report> {
    let repo = open(root)?;
    let index = repo.open_index().map_err(|e| {
        anyhow::anyhow!(
            "could not read the git index of {} ({e})",
            repo.git_dir().display()
        )
    })?;
    let mut trouble = Trouble::default();
    let head = head_paths(&repo, &mut trouble);
    let excludes = exclude_matcher(&scanner.options().exclude);
    let mut jobs = Vec::new();
    let mut links = 0u64;
    for entry in index.entries() {
        use gix::index::entry::{Mode, Stage};
        if matches!(entry.mode, Mode::COMMIT | Mode::DIR) || entry.stage() != Stage::Unconflicted {
            continue;
        }
        let path = path_name(entry.path(&index));
        if head.get(&path) == Some(&entry.id) || excludes.matched(&path, false).is_ignore() {
            continue;
        }
        if entry.mode == Mode::SYMLINK {
            links += 1;
            continue;
        }
        jobs.push(Job {
            blob: entry.id,
            path,
            commit: 0,
        });
    }
    let read = read_blobs(scanner, &repo, |send| jobs.into_iter().for_each(send));
    let mut report = Report::default();
    report.stats.rules = scanner.rule_count();
    if links > 0 {
        *report.stats.skipped.entry(SkipReason::Symlink).or_default() += links;
    }
    for (job, outcome) in read {
        match outcome {
            Some((mut outcome, _)) => {
                for finding in &mut outcome.checked.findings {
                    finding.path.clone_from(&job.path);
                }
                scanner.absorb(&mut report, &mut outcome);
            }
            None => trouble.missing("blob", &job.blob),
        }
    }
    if !trouble.missing.is_empty() {
        let missing: Vec<String> = trouble.missing.iter().cloned().collect();
        report.notes.push(format!(
            "staged: {} not in the repository, so not checked: {}",
            count(missing.len(), "object"),
            named(&missing)
        ));
    }
    crate::finding::sort(&mut report.findings);
    report.notes.sort();
    report.notes.dedup();
    Ok(report)
}

/// Path → blob of HEAD's tree (empty before the first commit).
fn head_paths(repo: &gix::Repository, trouble: &mut Trouble) -> HashMap<String, ObjectId> {
    let mut paths = HashMap::new();
    let Ok(head) = repo.head_id() else {
        return paths;
    };
    let mut buf = Vec::new();
    let Some(tree) = peel(repo, head.detach(), &mut buf)
        .ok()
        .flatten()
        .and_then(|c| commit_tree(repo, &c, &mut buf))
    else {
        return paths;
    };
    let mut stack = vec![(tree, String::new())];
    while let Some((tree, dir)) = stack.pop() {
        let data = match repo.objects.try_find(&tree, &mut buf) {
            Ok(Some(data)) if data.kind == Kind::Tree => data,
            _ => {
                trouble.missing("tree", &tree);
                continue;
            }
        };
        for entry in TreeRefIter::from_bytes(data.data, data.object_hash).flatten() {
            let name = path_name(entry.filename);
            let path = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), path));
            } else if entry.mode.is_blob() || entry.mode.is_link() {
                paths.insert(path, entry.oid.to_owned());
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_lose_their_credentials() {
        let with_password = format!("https://user:{}@github.com/o/r.git", "hunter".repeat(2));
        assert_eq!(
            clean_remote(&with_password).as_deref(),
            Some("https://github.com/o/r.git")
        );
        assert_eq!(
            clean_remote("https://github.com/o/r.git").as_deref(),
            Some("https://github.com/o/r.git")
        );
        assert_eq!(
            clean_remote("git@github.com:o/r.git").as_deref(),
            Some("ssh://github.com/o/r.git")
        );
        assert_eq!(clean_remote("/srv/git/r.git"), None);
        assert_eq!(clean_remote("../r"), None);
        assert_eq!(clean_remote("https://x/\u{1b}[31m"), None);
    }

    #[test]
    fn names_that_are_not_utf8_stay_distinguishable() {
        assert_eq!(path_name(b"a\xff.py"), "a\\xff.py");
        assert_ne!(path_name(b"a\xff.py"), path_name(b"a\xfe.py"));
        assert_eq!(path_name("é.py".as_bytes()), "é.py");
    }

    #[test]
    fn parents_come_first_and_the_older_of_two_ready_commits_first() {
        let id = |n: u8| ObjectId::from_bytes_or_panic(&[n; 20]);
        let commit = |n: u8, time: i64, parents: Vec<usize>| Commit {
            id: id(n),
            tree: id(0),
            time,
            parents,
        };
        // 0 ← 1, 0 ← 2, and 3 merges 1 and 2. 1 is older than 2 (its clock is even skewed
        // before its parent's), so it comes first, but never before 0.
        let commits = vec![
            commit(1, 100, vec![]),
            commit(2, 50, vec![0]),
            commit(3, 80, vec![0]),
            commit(4, 300, vec![1, 2]),
        ];
        assert_eq!(topological(&commits), vec![0, 1, 2, 3]);
    }
}
