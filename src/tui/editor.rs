//! Opening a file at a line in the user's editor (`$VISUAL`, then `$EDITOR`, then `vi`). Most
//! terminal editors take `+LINE FILE`; a few GUI editors want `FILE:LINE` instead.

use std::ffi::OsString;
use std::path::Path;

/// The program and arguments that open `file` at `line`.
pub fn command(editor: &str, file: &Path, line: u32) -> (OsString, Vec<OsString>) {
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let mut args: Vec<OsString> = words.map(OsString::from).collect();
    let name = Path::new(program)
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let with_line = {
        let mut s = file.as_os_str().to_owned();
        s.push(format!(":{line}"));
        s
    };
    match name.as_str() {
        "code" | "code-insiders" | "codium" | "cursor" | "windsurf" => {
            if !args.iter().any(|a| a == "-w" || a == "--wait") {
                args.push("--wait".into());
            }
            args.push("--goto".into());
            args.push(with_line);
        }
        "subl" | "sublime_text" | "zed" | "hx" | "helix" => args.push(with_line),
        _ => {
            args.push(format!("+{line}").into());
            args.push(file.as_os_str().to_owned());
        }
    }
    (program.into(), args)
}

/// The editor the user chose.
pub fn from_env() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Runs the editor and waits for it. The caller suspends the TUI around this.
pub fn open(file: &Path, line: u32) -> Result<(), String> {
    let editor = from_env();
    let (program, args) = command(&editor, file, line);
    match std::process::Command::new(&program).args(&args).status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{editor} exited with {status}")),
        Err(e) => Err(format!(
            "could not start `{editor}` ({e}); set $EDITOR to your editor"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(editor: &str) -> Vec<String> {
        let (program, args) = command(editor, Path::new("src/app.py"), 12);
        std::iter::once(program)
            .chain(args)
            .map(|s| s.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn terminal_editors_get_plus_line() {
        assert_eq!(strings("vim"), ["vim", "+12", "src/app.py"]);
        assert_eq!(
            strings("/usr/bin/nano"),
            ["/usr/bin/nano", "+12", "src/app.py"]
        );
        assert_eq!(strings("emacs -nw"), ["emacs", "-nw", "+12", "src/app.py"]);
    }

    #[test]
    fn gui_editors_get_file_colon_line() {
        assert_eq!(
            strings("code"),
            ["code", "--wait", "--goto", "src/app.py:12"]
        );
        assert_eq!(
            strings("code -w"),
            ["code", "-w", "--goto", "src/app.py:12"]
        );
        assert_eq!(strings("hx"), ["hx", "src/app.py:12"]);
    }
}
