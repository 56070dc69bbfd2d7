//! Owning the terminal: raw mode, the alternate screen and mouse capture, always given back. The
//! guard's `Drop` restores the terminal on every way out of the coach (quit, error, Ctrl-C,
//! SIGTERM), the panic hook restores it before the panic message prints, and `suspend`/`resume`
//! hand it to the editor and take it back.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{Stdout, stdout};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;

pub type Backend = CrosstermBackend<Stdout>;

/// The terminal, in raw mode on the alternate screen for as long as this lives.
pub struct TerminalGuard {
    pub terminal: Terminal<Backend>,
}

impl TerminalGuard {
    pub fn enter() -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        // Restores whatever was done so far if a later step fails.
        let guard = RestoreOnDrop;
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        let terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
        std::mem::forget(guard);
        Ok(TerminalGuard { terminal })
    }

    /// Gives the terminal back (for the editor).
    pub fn suspend(&mut self) -> std::io::Result<()> {
        restore()
    }

    /// Takes the terminal again and forces a full redraw.
    pub fn resume(&mut self) -> std::io::Result<()> {
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        self.terminal.clear()
    }
}

impl TerminalGuard {
    /// Asks the terminal to put `text` on the system clipboard (OSC 52). Terminals that do not
    /// support it ignore the sequence; nothing else reads it.
    pub fn copy_to_clipboard(&mut self, text: &str) -> std::io::Result<()> {
        use std::io::Write as _;
        let backend = self.terminal.backend_mut();
        backend.write_all(osc52(text).as_bytes())?;
        backend.flush()
    }
}

/// The OSC 52 sequence that sets the clipboard to `text`. The text travels base64-encoded, so
/// control characters in a lesson cannot act on the terminal.
pub fn osc52(text: &str) -> String {
    use base64::Engine as _;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        let _ = restore();
        release_panic_hook();
    }
}

struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        let _ = restore();
        release_panic_hook();
    }
}

/// Leaves raw mode, mouse capture and the alternate screen. Safe to call more than once.
pub fn restore() -> std::io::Result<()> {
    let raw = disable_raw_mode();
    let screen = execute!(
        stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    raw.and(screen)
}

/// The thread that draws, while the coach owns the terminal.
static UI_THREAD: Mutex<Option<ThreadId>> = Mutex::new(None);

/// Restores the terminal before the default panic message prints (installed once per process).
/// A panic on another thread (a scan worker) while the coach runs leaves the terminal alone and
/// prints nothing over the screen; the scan thread reports it as a failed scan instead.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    if let Ok(mut ui) = UI_THREAD.lock() {
        *ui = Some(std::thread::current().id());
    }
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ui = UI_THREAD.lock().ok().and_then(|ui| *ui);
            match ui {
                Some(id) if id != std::thread::current().id() => {}
                _ => {
                    let _ = restore();
                    previous(info);
                }
            }
        }));
    });
}

/// Forgets the UI thread once the terminal is restored: panics print normally again.
fn release_panic_hook() {
    if let Ok(mut ui) = UI_THREAD.lock() {
        *ui = None;
    }
}

#[cfg(test)]
mod tests {
    use super::osc52;

    #[test]
    fn osc52_carries_the_text_base64_encoded() {
        assert_eq!(osc52("ls -l\n"), "\x1b]52;c;bHMgLWwK\x07");
        // An escape sequence in the text is encoded, never sent to the terminal as such.
        let hostile = osc52("echo \x1b]0;pwned\x07");
        assert_eq!(hostile.matches('\x1b').count(), 1);
        assert_eq!(hostile.matches('\x07').count(), 1);
    }
}
