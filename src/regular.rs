//! Opening files that someone else controls: a repository's files, its `.seccoach/` packs and
//! lessons, a baseline, the progress state, an advisory database. Only regular files are opened,
//! and opening never waits: a FIFO named `.seccoach.toml` would otherwise block the first read
//! until some other process wrote to it, and a device could be read forever.
//!
//! The type is checked before opening, the open itself does not block (`O_NONBLOCK`, which has
//! no effect on a regular file), and the opened file's type is checked again, so a file swapped
//! for a FIFO in between is still refused.

use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// What a file type is, in words, when it is not a regular file; `None` for a regular file.
pub fn special_kind(file_type: &FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
    }
    if file_type.is_file() {
        None
    } else if file_type.is_dir() {
        Some("a directory")
    } else if file_type.is_symlink() {
        Some("a symbolic link")
    } else {
        Some("not a regular file")
    }
}

/// The error for a path that is not a regular file.
fn not_regular(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({what})"),
    )
}

/// True when `err` says the path was not a regular file (see [`open`]).
pub fn is_not_regular(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::InvalidInput && err.to_string().starts_with("not a regular file")
}

/// Opens `path` for reading if it is a regular file, following symbolic links (for files the user
/// points seccoach at: a config, a baseline, the progress state). Never blocks.
pub fn open(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    open_checked(path, &meta.file_type(), false)
}

/// Opens `path` for reading if it is a regular file and not a symbolic link (for files found in
/// a repository, where a link could point anywhere). Never blocks.
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    let meta = std::fs::symlink_metadata(path)?;
    open_checked(path, &meta.file_type(), true)
}

fn open_checked(path: &Path, file_type: &FileType, no_follow: bool) -> io::Result<File> {
    if let Some(what) = special_kind(file_type) {
        return Err(not_regular(what));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if no_follow {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    #[cfg(not(unix))]
    let _ = no_follow;
    let file = options.open(path)?;
    if let Some(what) = special_kind(&file.metadata()?.file_type()) {
        return Err(not_regular(what));
    }
    Ok(file)
}

/// Reads a whole regular file (links followed); see [`open`].
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path)?.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads a regular file (links followed) as UTF-8 text; see [`open`].
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "file is not valid UTF-8"))
}

/// Reads at most `limit` bytes of a regular file that is not a link; an error when it is longer.
pub fn read_no_follow_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_no_follow(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        for result in [
            open(&fifo).map(drop),
            open_no_follow(&fifo).map(drop),
            read(&fifo).map(drop),
        ] {
            let err = result.unwrap_err();
            assert!(is_not_regular(&err), "{err}");
            assert!(err.to_string().contains("a FIFO"), "{err}");
        }
    }

    #[test]
    fn links_are_followed_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("real.toml");
        std::fs::write(&file, "a = 1\n").unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read(&link).unwrap(), b"a = 1\n");
        let err = open_no_follow(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(
            read(dir.path())
                .unwrap_err()
                .to_string()
                .contains("directory")
        );
        assert!(read(Path::new("/dev/null")).is_err());
    }

    #[test]
    fn limited_reads_refuse_longer_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big");
        std::fs::write(&file, "0123456789").unwrap();
        assert_eq!(read_no_follow_limited(&file, 10).unwrap().len(), 10);
        assert!(read_no_follow_limited(&file, 9).is_err());
    }
}
