//! Writing files without ever leaving one half-written: write a temporary file beside the
//! target, flush it to disk, then rename it over the target (atomic on the same filesystem).
//! An existing target keeps its permissions.
//!
//! An interrupt (Ctrl-C, SIGTERM) must not cut that short either, or the temporary file would
//! be left behind: commands that write call [`exit_on_interrupt`], after which an interrupt
//! ends the process at once, except inside [`uninterrupted`] sections (every atomic write is
//! one), where it waits for the section to finish.

use std::io::Write;
use std::path::Path;
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

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    uninterrupted(|| write_atomic_now(path, bytes))
}

fn write_atomic_now(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".seccoach-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    match std::fs::metadata(path) {
        Ok(meta) => temp.as_file().set_permissions(meta.permissions())?,
        // A new file gets the usual permissions of a file a user creates, not the private
        // 0600 of a temporary file.
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
            assert_eq!(mode, 0o644, "a new file is not private to its writer");
        }
    }
}
