//! The OSV advisory database seccoach downloads for itself: `seccoach advisories update`, the
//! only command that touches the network, and the cached copy every scan then reads offline.
//!
//! Each ecosystem's export (`<base>/<Ecosystem>/all.zip`) is kept in the user's cache
//! directory (`SECCOACH_CACHE` overrides it) as `osv/<Ecosystem>/all.zip`, with `state.json`
//! beside it recording where it came from, its ETag, when it was downloaded and when it was last
//! confirmed current. A download goes to a temporary file beside the database, is read back as
//! a zip of OSV records, and only then renamed over the old copy: an interrupted or failed
//! update leaves the previous database as it was.

use crate::analyzers::deps::advisories::AdvisoryDb;
use crate::analyzers::deps::version::Ecosystem;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The public OSV export bucket.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Overrides [`DEFAULT_BASE_URL`] (mirrors, air-gapped teams, tests).
pub const URL_ENV: &str = "SECCOACH_OSV_URL";

/// Overrides the user's cache directory.
pub const CACHE_ENV: &str = "SECCOACH_CACHE";

/// A database older than this gets a note asking for a refresh.
pub const STALE_AFTER_DAYS: i64 = 7;

/// Largest download accepted (OSV's largest export is a few hundred megabytes).
const MAX_DOWNLOAD_BYTES: u64 = 4 << 30;

const ZIP_NAME: &str = "all.zip";
const STATE_NAME: &str = "state.json";

/// The ecosystems seccoach reads lockfiles of, and so can download advisories for.
pub const SUPPORTED: [Ecosystem; 8] = [
    Ecosystem::Npm,
    Ecosystem::PyPI,
    Ecosystem::CratesIo,
    Ecosystem::Go,
    Ecosystem::Maven,
    Ecosystem::RubyGems,
    Ecosystem::Packagist,
    Ecosystem::NuGet,
];

/// Parses an `--ecosystem` value: an OSV ecosystem name, case-insensitively.
pub fn parse_ecosystem(text: &str) -> Result<Ecosystem, String> {
    if let Some(e) = SUPPORTED
        .iter()
        .find(|e| e.as_str().eq_ignore_ascii_case(text.trim()))
    {
        return Ok(*e);
    }
    let names: Vec<&str> = SUPPORTED.iter().map(|e| e.as_str()).collect();
    Err(format!(
        "`{text}` is not an ecosystem seccoach knows (supported: {})",
        names.join(", ")
    ))
}

/// The user's cache directory for seccoach: `$SECCOACH_CACHE`, else the platform's.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "seccoach").map(|d| d.cache_dir().to_path_buf())
}

/// The base URL of the OSV export: `$SECCOACH_OSV_URL`, else the public bucket.
pub fn base_url() -> String {
    std::env::var(URL_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned()
}

fn ecosystem_dir(cache: &Path, ecosystem: Ecosystem) -> PathBuf {
    cache.join("osv").join(ecosystem.as_str())
}

/// What `state.json` records about one ecosystem's database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub url: String,
    #[serde(default)]
    pub etag: Option<String>,
    /// When this copy was downloaded (RFC 3339).
    pub downloaded: String,
    /// When the server last confirmed it current, or it was downloaded (RFC 3339).
    pub checked: String,
}

/// One ecosystem's database in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    pub ecosystem: Ecosystem,
    pub zip: PathBuf,
    /// When it was last known current: the state's `checked`, else the zip's modification time.
    pub checked: jiff::Timestamp,
}

impl Cached {
    /// Whole days since the database was last known current.
    pub fn age_days(&self, now: jiff::Timestamp) -> i64 {
        now.duration_since(self.checked).as_secs().max(0) / 86_400
    }
}

/// The databases present in `cache`, in [`SUPPORTED`] order.
pub fn cached(cache: &Path) -> Vec<Cached> {
    SUPPORTED
        .iter()
        .filter_map(|&ecosystem| {
            let dir = ecosystem_dir(cache, ecosystem);
            let zip = dir.join(ZIP_NAME);
            let meta = std::fs::metadata(&zip).ok().filter(|m| m.is_file())?;
            let checked = read_state(&dir)
                .and_then(|s| s.checked.parse::<jiff::Timestamp>().ok())
                .or_else(|| {
                    meta.modified()
                        .ok()
                        .and_then(|t| jiff::Timestamp::try_from(t).ok())
                })
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
            Some(Cached {
                ecosystem,
                zip,
                checked,
            })
        })
        .collect()
}

fn read_state(dir: &Path) -> Option<State> {
    let bytes = std::fs::read(dir.join(STATE_NAME)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The cached databases, loaded into one [`AdvisoryDb`].
pub fn load(entries: &[Cached]) -> Result<AdvisoryDb, String> {
    let paths: Vec<PathBuf> = entries.iter().map(|c| c.zip.clone()).collect();
    AdvisoryDb::load_all(&paths).map_err(|e| e.to_string())
}

/// What a scan says about the cached databases, given the ecosystems of the lockfiles it saw:
/// which databases it used and how old they are, which are stale, and which lockfiles went
/// unchecked for want of one.
pub fn notes(
    cached: &[Cached],
    lockfile_ecosystems: &std::collections::BTreeSet<Ecosystem>,
    now: jiff::Timestamp,
) -> Vec<String> {
    let mut notes = Vec::new();
    let used: Vec<&Cached> = cached
        .iter()
        .filter(|c| lockfile_ecosystems.contains(&c.ecosystem))
        .collect();
    if !used.is_empty() {
        let ages: Vec<String> = used
            .iter()
            .map(|c| format!("{} ({})", c.ecosystem.as_str(), days_ago(c.age_days(now))))
            .collect();
        notes.push(format!(
            "deps/known-vulnerable used the OSV advisory database updated by `seccoach \
             advisories update`: {}",
            ages.join(", ")
        ));
    }
    let stale: Vec<String> = used
        .iter()
        .filter(|c| c.age_days(now) > STALE_AFTER_DAYS)
        .map(|c| format!("{} ({} days)", c.ecosystem.as_str(), c.age_days(now)))
        .collect();
    if !stale.is_empty() {
        notes.push(format!(
            "the OSV advisory database is more than {STALE_AFTER_DAYS} days old for {}: run \
             `seccoach advisories update` to refresh it",
            stale.join(", ")
        ));
    }
    let missing: Vec<&str> = lockfile_ecosystems
        .iter()
        .filter(|e| !cached.iter().any(|c| c.ecosystem == **e))
        .map(|e| e.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "deps/known-vulnerable did not check the {} lockfiles: no advisories downloaded for \
             them; run `seccoach advisories update`",
            missing.join(", ")
        ));
    }
    notes
}

fn days_ago(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n => format!("{n} days ago"),
    }
}

/// How one ecosystem's update went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new copy was downloaded: its size in bytes and number of records.
    Downloaded { bytes: u64, records: usize },
    /// The server said the copy we have is current (304 Not Modified).
    Unchanged,
}

/// Why one ecosystem's update failed. The previous database, if any, is untouched.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("cannot reach {url}: {reason} (check the network connection, or HTTPS_PROXY)")]
    Unreachable { url: String, reason: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} did not send a zip of OSV records: {reason}")]
    NotAZip { url: String, reason: String },
    #[error("writing {path}: the disk is full")]
    DiskFull { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// An HTTP agent honouring `HTTPS_PROXY` (and `NO_PROXY`), verifying certificates against the
/// system's store; status codes are handled by the caller.
fn agent() -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(tls)
        .proxy(ureq::Proxy::try_from_env())
        .user_agent(concat!("seccoach/", env!("CARGO_PKG_VERSION")))
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .build()
        .new_agent()
}

/// Downloads `ecosystem`'s export from `base` into `cache`, unless the server says the copy
/// there is current.
pub fn update(cache: &Path, base: &str, ecosystem: Ecosystem) -> Result<Outcome, UpdateError> {
    let dir = ecosystem_dir(cache, ecosystem);
    let zip = dir.join(ZIP_NAME);
    let url = format!("{base}/{}/{ZIP_NAME}", ecosystem.as_str());
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source: std::io::Error| write_error(path, source)
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    remove_abandoned_downloads(&dir);
    // The ETag only means something while the copy it describes is there.
    let previous = read_state(&dir).filter(|s| s.url == url && zip.is_file());
    let mut request = agent().get(&url);
    if let Some(etag) = previous.as_ref().and_then(|s| s.etag.as_deref()) {
        request = request.header("If-None-Match", etag);
    }
    let mut response = request.call().map_err(|e| unreachable(&url, e))?;
    let status = response.status().as_u16();
    let now = jiff::Timestamp::now().to_string();
    if status == 304
        && let Some(mut state) = previous
    {
        state.checked = now;
        write_state(&dir, &state).map_err(io(&dir.join(STATE_NAME)))?;
        return Ok(Outcome::Unchanged);
    }
    if status != 200 {
        return Err(UpdateError::Status { url, status });
    }
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut temp = tempfile::Builder::new()
        .prefix(".download-")
        .suffix(".zip")
        .tempfile_in(&dir)
        .map_err(io(&dir))?;
    let mut body = response
        .body_mut()
        .with_config()
        .limit(MAX_DOWNLOAD_BYTES)
        .reader();
    let bytes = copy(&mut body, temp.as_file_mut()).map_err(|e| match e {
        Copy::Read(e) => unreachable(&url, ureq::Error::Io(e)),
        Copy::Write(e) => io(temp.path())(e),
    })?;
    temp.as_file().sync_all().map_err(io(temp.path()))?;
    let db = AdvisoryDb::load(temp.path()).map_err(|e| UpdateError::NotAZip {
        url: url.clone(),
        reason: e
            .to_string()
            .replace(&temp.path().display().to_string(), "the download"),
    })?;
    let state = State {
        url,
        etag,
        downloaded: now.clone(),
        checked: now,
    };
    crate::persist::uninterrupted(|| {
        temp.persist(&zip).map_err(|e| io(&zip)(e.error))?;
        write_state(&dir, &state).map_err(io(&dir.join(STATE_NAME)))
    })?;
    Ok(Outcome::Downloaded {
        bytes,
        records: db.len(),
    })
}

/// Removes what an update killed mid-download left behind (an interrupt ends the process
/// without unwinding). A download still running writes to its file continuously, so only files
/// untouched for an hour go.
fn remove_abandoned_downloads(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let abandoned = entry
            .file_name()
            .to_string_lossy()
            .starts_with(".download-")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(3600));
        if abandoned {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A failed write to `path`, the disk being full said as such.
fn write_error(path: PathBuf, source: std::io::Error) -> UpdateError {
    if source.kind() == std::io::ErrorKind::StorageFull {
        UpdateError::DiskFull { path }
    } else {
        UpdateError::Io { path, source }
    }
}

fn write_state(dir: &Path, state: &State) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(state).map_err(std::io::Error::other)?;
    text.push('\n');
    crate::persist::write_atomic(&dir.join(STATE_NAME), text.as_bytes())
}

enum Copy {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// `std::io::copy`, telling a failed read (the network) from a failed write (the disk).
fn copy(from: &mut impl Read, to: &mut impl Write) -> Result<u64, Copy> {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Copy::Read(e)),
        };
        to.write_all(&buffer[..n]).map_err(Copy::Write)?;
        total += n as u64;
    }
    to.flush().map_err(Copy::Write)?;
    Ok(total)
}

fn unreachable(url: &str, error: ureq::Error) -> UpdateError {
    match error {
        ureq::Error::StatusCode(status) => UpdateError::Status {
            url: url.to_owned(),
            status,
        },
        ureq::Error::BodyExceedsLimit(limit) => UpdateError::NotAZip {
            url: url.to_owned(),
            reason: format!("the download is larger than {limit} bytes"),
        },
        other => UpdateError::Unreachable {
            url: url.to_owned(),
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_parse_by_osv_name() {
        assert_eq!(parse_ecosystem("pypi"), Ok(Ecosystem::PyPI));
        assert_eq!(parse_ecosystem("crates.io"), Ok(Ecosystem::CratesIo));
        assert_eq!(parse_ecosystem("Go"), Ok(Ecosystem::Go));
        assert_eq!(parse_ecosystem("maven"), Ok(Ecosystem::Maven));
        assert_eq!(parse_ecosystem("NUGET"), Ok(Ecosystem::NuGet));
        assert_eq!(parse_ecosystem("RubyGems"), Ok(Ecosystem::RubyGems));
        assert_eq!(parse_ecosystem("packagist"), Ok(Ecosystem::Packagist));
        assert!(
            parse_ecosystem("cobol")
                .unwrap_err()
                .contains("supported: npm")
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_said_as_such() {
        // /dev/full fails every write with ENOSPC, as a full disk does.
        let mut full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("Linux has /dev/full");
        let mut body: &[u8] = &[7u8; 100_000];
        let Err(Copy::Write(e)) = copy(&mut body, &mut full) else {
            panic!("a write to /dev/full fails");
        };
        let error = write_error(PathBuf::from("/cache/osv/npm/.download-1.zip"), e);
        assert!(matches!(error, UpdateError::DiskFull { .. }), "{error}");
        assert_eq!(
            error.to_string(),
            "writing /cache/osv/npm/.download-1.zip: the disk is full"
        );
    }

    #[test]
    fn cached_reads_the_state_and_falls_back_to_the_file_time() {
        let cache = tempfile::tempdir().unwrap();
        assert!(cached(cache.path()).is_empty());
        let npm = ecosystem_dir(cache.path(), Ecosystem::Npm);
        std::fs::create_dir_all(&npm).unwrap();
        std::fs::write(npm.join(ZIP_NAME), b"zip").unwrap();
        let state = State {
            url: "http://x/npm/all.zip".into(),
            etag: Some("\"1\"".into()),
            downloaded: "2026-01-01T00:00:00Z".into(),
            checked: "2026-01-03T00:00:00Z".into(),
        };
        write_state(&npm, &state).unwrap();
        let go = ecosystem_dir(cache.path(), Ecosystem::Go);
        std::fs::create_dir_all(&go).unwrap();
        std::fs::write(go.join(ZIP_NAME), b"zip").unwrap();
        let found = cached(cache.path());
        assert_eq!(
            found.iter().map(|c| c.ecosystem).collect::<Vec<_>>(),
            [Ecosystem::Npm, Ecosystem::Go]
        );
        let later: jiff::Timestamp = "2026-01-10T12:00:00Z".parse().unwrap();
        assert_eq!(found[0].age_days(later), 7);
        assert_eq!(found[1].age_days(jiff::Timestamp::now()), 0);

        let lockfiles = [Ecosystem::Npm, Ecosystem::CratesIo].into_iter().collect();
        let notes = notes(&found, &lockfiles, later);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].ends_with("update`: npm (7 days ago)"), "{notes:?}");
        assert!(
            notes[1].contains("did not check the crates.io lockfiles"),
            "{notes:?}"
        );
        let much_later: jiff::Timestamp = "2026-01-20T00:00:00Z".parse().unwrap();
        let npm_only = [Ecosystem::Npm].into_iter().collect();
        let stale = super::notes(&found, &npm_only, much_later);
        assert!(
            stale[1].contains("more than 7 days old for npm (17 days)"),
            "{stale:?}"
        );
    }
}
