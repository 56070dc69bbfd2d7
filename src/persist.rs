//! Writing files without ever leaving one half-written: write a temporary file beside the
//! target, flush it to disk, then rename it over the target (atomic on the same filesystem).
//! An existing target keeps its permissions; links, devices and FIFOs are never replaced (see
//! [`write_atomic`]). Edits of a user's files add their own checks on top, in [`crate::edit`].
//!
//! An interrupt (Ctrl-C, SIGTERM) must not cut that short either, or the temporary file would
//! be left behind: commands that write call [`exit_on_interrupt`], after which an interrupt
//! ends the process at once, except inside [`uninterrupted`] sections (every atomic write is
//! one), where it waits for the section to finish.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// Interrupt state shared with the signal handlers.
struct Interrupts {
    /// True while no section runs: an interrupt may end the process at once.
    idle: Arc<AtomicBool>,
    /// The signal that arrived during a section (0: none).
    pending: Arc<AtomicUsize>,
    /// Sections running (they may nest, and more than one thread may write).
    depth: Mutex<usize>,
}

static INTERRUPTS: LazyLock<Interrupts> = LazyLock::new(|| Interrupts {
    idle: Arc::new(AtomicBool::new(true)),
    pending: Arc::new(AtomicUsize::new(0)),
    depth: Mutex::new(0),
});

/// From now on SIGINT and SIGTERM end the process (exit status 128 + the signal's number), at
/// once or, during an [`uninterrupted`] section, as soon as it ends. For commands that run to
/// completion; the coach handles its own signals to restore the terminal.
pub fn exit_on_interrupt() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        use signal_hook::flag;
        let state = &*INTERRUPTS;
        for signal in [SIGINT, SIGTERM] {
            flag::register_usize(signal, Arc::clone(&state.pending), signal as usize)?;
            flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&state.idle))?;
        }
    }
    Ok(())
}

/// Runs `work` with interrupts held back until it returns (see [`exit_on_interrupt`]); for
/// work that must not stop half-way, such as replacing a file or copying a lab's folder.
pub fn uninterrupted<T>(work: impl FnOnce() -> T) -> T {
    let _section = Section::enter();
    work()
}

struct Section;

impl Section {
    fn enter() -> Section {
        let state = &*INTERRUPTS;
        let mut depth = state.depth.lock().unwrap_or_else(|e| e.into_inner());
        *depth += 1;
        state.idle.store(false, Ordering::SeqCst);
        Section
    }
}

impl Drop for Section {
    fn drop(&mut self) {
        let state = &*INTERRUPTS;
        let mut depth = state.depth.lock().unwrap_or_else(|e| e.into_inner());
        *depth -= 1;
        if *depth == 0 {
            state.idle.store(true, Ordering::SeqCst);
            // An interrupt that arrived after this point finds `idle` set and exits by itself.
            let signal = state.pending.load(Ordering::SeqCst);
            if signal != 0 {
                std::process::exit(128 + i32::try_from(signal).unwrap_or(0));
            }
        }
    }
}

/// Writes `bytes` to `path` without ever leaving it half-written, and without replacing what
/// must not be replaced:
///
/// - a regular file, or a missing one, is replaced atomically: a temporary file beside it is
///   written, flushed, given the target's mode (and owner, where allowed), renamed over it, and
///   the folder is flushed so the rename survives a crash. A new file gets the permissions the
///   user's umask gives any new file;
/// - a symbolic link stays a link: the file it points to is replaced (created when the link
///   dangles);
/// - a device, a FIFO or a descriptor link (`/dev/null`, `/dev/stdout`, `/dev/fd/N`) is written
///   through in place (appended to), since it cannot be replaced and must not be;
/// - a directory is an error.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    uninterrupted(|| match target(path)? {
        Target::Through => write_through(path, bytes),
        Target::Replace { path, existing } => {
            let temp = temp_beside(&path, bytes, existing.as_ref())?;
            rename_over(temp, &path)
        }
    })
}

/// Where a write to a path goes.
pub(crate) enum Target {
    /// Written in place: a device, a FIFO, a socket or a descriptor link.
    Through,
    /// Replaced by a rename: this path (a link's final target), and its metadata if it exists.
    Replace {
        path: PathBuf,
        existing: Option<std::fs::Metadata>,
    },
}

/// Most links followed to find what a path names (the kernel's own limit is 40).
const MAX_LINKS: usize = 40;

pub(crate) fn target(path: &Path) -> std::io::Result<Target> {
    use std::io::{Error, ErrorKind};
    if is_descriptor_link(path) {
        return Ok(Target::Through);
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::new(ErrorKind::IsADirectory, "is a directory")),
        Ok(meta) if !meta.is_file() => Ok(Target::Through),
        Ok(meta) => {
            let is_link = std::fs::symlink_metadata(path)?.file_type().is_symlink();
            let path = if is_link {
                std::fs::canonicalize(path)?
            } else {
                path.to_path_buf()
            };
            Ok(Target::Replace {
                path,
                existing: Some(meta),
            })
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Target::Replace {
            path: final_link_target(path)?,
            existing: None,
        }),
        Err(e) => Err(e),
    }
}

/// `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1` and the like: the file behind them may be a
/// terminal, a pipe or a file the shell opened for appending, so they are written through.
fn is_descriptor_link(path: &Path) -> bool {
    let Some(text) = path.to_str() else {
        return false;
    };
    matches!(text, "/dev/stdout" | "/dev/stderr" | "/dev/stdin")
        || text.starts_with("/dev/fd/")
        || (text.starts_with("/proc/") && text.contains("/fd/"))
}

/// The path a chain of (dangling) symbolic links ends at; `path` itself when it is no link.
fn final_link_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if next.is_relative() => parent.join(next),
                    _ => next,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// A flushed temporary file holding `bytes` in the folder of `path`, with the mode and owner of
/// `existing` (the file it will replace) or, for a new file, the umask's default permissions.
pub(crate) fn temp_beside(
    path: &Path,
    bytes: &[u8],
    existing: Option<&std::fs::Metadata>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".seccoach-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Created as any new file is (0666 less the umask), not private to its writer.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(folder_of(path))?;
    if let Some(meta) = existing {
        temp.as_file().set_permissions(meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let own = temp.as_file().metadata()?;
            if (own.uid(), own.gid()) != (meta.uid(), meta.gid()) {
                // Only root may give a file away; others keep what they can.
                let _ =
                    std::os::unix::fs::fchown(temp.as_file(), Some(meta.uid()), Some(meta.gid()))
                        .or_else(|_| {
                            std::os::unix::fs::fchown(temp.as_file(), None, Some(meta.gid()))
                        });
                // Changing the owner clears set-id bits: put the mode back.
                temp.as_file().set_permissions(meta.permissions())?;
            }
        }
    }
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Renames `temp` over `path` and flushes the folder, so that the new name survives a crash.
pub(crate) fn rename_over(temp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    temp.persist(path).map_err(|e| e.error)?;
    sync_folder(path);
    Ok(())
}

/// Flushes the folder holding `path`, so that a rename or a new name in it survives a crash.
/// Best effort: some filesystems cannot flush a folder, and the file is in place already.
pub(crate) fn sync_folder(path: &Path) {
    if let Ok(dir) = std::fs::File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let fresh = dir.path().join("new.txt");
            write_atomic(&fresh, b"x").unwrap();
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
            // As any new file: 0666 less this process's umask (read by a child, which shares it).
            let umask = std::process::Command::new("sh")
                .args(["-c", "umask"])
                .output()
                .ok()
                .and_then(|o| {
                    u32::from_str_radix(String::from_utf8_lossy(&o.stdout).trim(), 8).ok()
                })
                .unwrap_or(0o022);
            assert_eq!(mode, 0o666 & !umask, "a new file follows the umask");
        }
    }
}
