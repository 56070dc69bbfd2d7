//! The one key-binding table. Key handling, the `?` help overlay and the footer are all generated
//! from [`BINDINGS`], so a key cannot do one thing and be documented as another.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Where the user is: decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Home,
    Lesson,
    Quiz,
    Findings,
    Detail,
    Help,
    Prompt,
    Confirm,
}

/// The screens (as opposed to overlays): bindings shared by all of them use this.
const SCREENS: &[Ctx] = &[Ctx::Home, Ctx::Lesson, Ctx::Quiz, Ctx::Findings, Ctx::Detail];
const SUB_SCREENS: &[Ctx] = &[Ctx::Lesson, Ctx::Quiz, Ctx::Findings, Ctx::Detail];
const LISTS: &[Ctx] = &[Ctx::Home, Ctx::Findings];
const SCROLLING: &[Ctx] = &[Ctx::Home, Ctx::Lesson, Ctx::Quiz, Ctx::Findings, Ctx::Detail];

/// What a key asks for. Update decides what it means in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    Back,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Continue,
    Findings,
    Rescan,
    NextLesson,
    PrevLesson,
    TakeQuiz,
    ShowChecks,
    /// Pick a quiz answer by its number (the digit comes from the key).
    Answer,
    Submit,
    Retake,
    Search,
    CycleSeverity,
    CycleArea,
    ToggleGrouping,
    ClearFilters,
    ToggleReviewed,
    Edit,
    Suppress,
    NextFinding,
    PrevFinding,
    OpenLesson,
    Confirm,
    Cancel,
}

/// A key as written in the table: a code and whether Ctrl is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in the footer and help ("j/↓").
    pub label: &'static str,
    /// What it does, for the footer (short) and help.
    pub what: &'static str,
    pub command: Command,
    pub contexts: &'static [Ctx],
    /// Shown in the footer (the help overlay shows every binding).
    pub footer: bool,
}

const fn bind(
    keys: &'static [Key],
    label: &'static str,
    what: &'static str,
    command: Command,
    contexts: &'static [Ctx],
    footer: bool,
) -> Binding {
    Binding {
        keys,
        label,
        what,
        command,
        contexts,
        footer,
    }
}

/// Every key binding. Order is the order of the footer and the help overlay; for a key bound
/// twice in one context, the first row wins.
pub const BINDINGS: &[Binding] = &[
    // Overlays first: they capture keys.
    bind(&[key('y'), code(KeyCode::Enter)], "y", "write it", Command::Confirm, &[Ctx::Confirm], true),
    bind(&[key('n'), code(KeyCode::Esc)], "n/Esc", "cancel", Command::Cancel, &[Ctx::Confirm], true),
    bind(&[code(KeyCode::Enter)], "Enter", "accept", Command::Submit, &[Ctx::Prompt], true),
    bind(&[code(KeyCode::Esc)], "Esc", "cancel", Command::Cancel, &[Ctx::Prompt], true),
    bind(&[key('?'), code(KeyCode::Esc), key('q')], "?/Esc", "close help", Command::Help, &[Ctx::Help], true),
    // Quiz.
    bind(&[key('1'), key('2'), key('3'), key('4'), key('5'), key('6'), key('7'), key('8'), key('9')], "1-9", "answer", Command::Answer, &[Ctx::Quiz], true),
    bind(&[key('k'), code(KeyCode::Up)], "↑/↓", "choose", Command::Up, &[Ctx::Quiz], true),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "next choice", Command::Down, &[Ctx::Quiz], false),
    bind(&[code(KeyCode::Enter)], "Enter", "answer / next question", Command::Submit, &[Ctx::Quiz], true),
    bind(&[key('r')], "r", "retake the quiz", Command::Retake, &[Ctx::Quiz], false),
    // Moving around.
    bind(&[key('k'), code(KeyCode::Up)], "↑/↓", "move", Command::Up, LISTS, true),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "move down", Command::Down, LISTS, false),
    bind(&[key('k'), code(KeyCode::Up)], "↑/↓", "scroll", Command::Up, &[Ctx::Lesson, Ctx::Detail], true),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "scroll down", Command::Down, &[Ctx::Lesson, Ctx::Detail], false),
    bind(&[code(KeyCode::PageUp), ctrl('u')], "PgUp", "page up", Command::PageUp, SCROLLING, false),
    bind(&[code(KeyCode::PageDown), ctrl('d'), key(' ')], "PgDn/Space", "page down", Command::PageDown, SCROLLING, false),
    bind(&[key('g'), code(KeyCode::Home)], "g/Home", "go to the top", Command::Top, SCROLLING, false),
    bind(&[key('G'), code(KeyCode::End)], "G/End", "go to the end", Command::Bottom, SCROLLING, false),
    // Home.
    bind(&[code(KeyCode::Enter)], "Enter", "open", Command::Open, &[Ctx::Home], true),
    bind(&[key('c')], "c", "continue", Command::Continue, &[Ctx::Home], true),
    bind(&[key('f')], "f", "findings", Command::Findings, &[Ctx::Home], true),
    // Lesson reader.
    bind(&[key('t')], "t", "take the quiz", Command::TakeQuiz, &[Ctx::Lesson], true),
    bind(&[key('f')], "f", "show in my project", Command::ShowChecks, &[Ctx::Lesson], true),
    bind(&[key('n'), code(KeyCode::Right)], "n/→", "next lesson", Command::NextLesson, &[Ctx::Lesson], true),
    bind(&[key('p'), code(KeyCode::Left)], "p/←", "previous lesson", Command::PrevLesson, &[Ctx::Lesson], false),
    // Findings list.
    bind(&[code(KeyCode::Enter)], "Enter", "details", Command::Open, &[Ctx::Findings], true),
    bind(&[key('/')], "/", "search", Command::Search, &[Ctx::Findings], true),
    bind(&[key('s')], "s", "severity filter", Command::CycleSeverity, &[Ctx::Findings], true),
    bind(&[key('a')], "a", "area filter", Command::CycleArea, &[Ctx::Findings], false),
    bind(&[code(KeyCode::Tab)], "Tab", "group by severity/file", Command::ToggleGrouping, &[Ctx::Findings], true),
    bind(&[key('x')], "x", "clear filters", Command::ClearFilters, &[Ctx::Findings], false),
    // Finding detail.
    bind(&[key('n'), code(KeyCode::Right)], "n/p", "next/previous", Command::NextFinding, &[Ctx::Detail], true),
    bind(&[key('p'), code(KeyCode::Left)], "p/←", "previous finding", Command::PrevFinding, &[Ctx::Detail], false),
    bind(&[key('l')], "l", "lesson", Command::OpenLesson, &[Ctx::Detail], true),
    // Actions on a finding (list and detail).
    bind(&[key('e')], "e", "edit", Command::Edit, &[Ctx::Findings, Ctx::Detail], true),
    bind(&[key('i')], "i", "ignore…", Command::Suppress, &[Ctx::Findings, Ctx::Detail], true),
    bind(&[key('r')], "r", "reviewed", Command::ToggleReviewed, &[Ctx::Findings, Ctx::Detail], true),
    bind(&[key('R')], "R", "rescan the project", Command::Rescan, &[Ctx::Home, Ctx::Findings], false),
    // Everywhere.
    bind(&[code(KeyCode::Esc), key('q')], "Esc", "back", Command::Back, SUB_SCREENS, true),
    bind(&[key('?')], "?", "help", Command::Help, SCREENS, true),
    bind(&[key('q')], "q", "quit", Command::Quit, &[Ctx::Home], true),
    bind(&[ctrl('c')], "Ctrl-C", "quit from anywhere", Command::Quit, &[Ctx::Home, Ctx::Lesson, Ctx::Quiz, Ctx::Findings, Ctx::Detail, Ctx::Help, Ctx::Prompt, Ctx::Confirm], false),
];

/// What a key press means here, if anything.
pub fn lookup(ctx: Ctx, event: &KeyEvent) -> Option<&'static Binding> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    // Shifted letters arrive as the upper-case char (sometimes with SHIFT set).
    let code = match event.code {
        KeyCode::BackTab => KeyCode::Tab,
        other => other,
    };
    BINDINGS.iter().find(|b| {
        b.contexts.contains(&ctx) && b.keys.iter().any(|k| k.code == code && k.ctrl == ctrl)
    })
}

/// The bindings that apply in a context, in table order.
pub fn applicable(ctx: Ctx) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.contexts.contains(&ctx))
}

/// The bindings to show in the footer, in table order.
pub fn footer(ctx: Ctx) -> impl Iterator<Item = &'static Binding> {
    applicable(ctx).filter(|b| b.footer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_context_offers_help_or_a_way_out() {
        for ctx in [
            Ctx::Home,
            Ctx::Lesson,
            Ctx::Quiz,
            Ctx::Findings,
            Ctx::Detail,
            Ctx::Help,
            Ctx::Prompt,
            Ctx::Confirm,
        ] {
            let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
            assert_eq!(
                lookup(ctx, &ctrl_c).map(|b| b.command),
                Some(Command::Quit),
                "{ctx:?}"
            );
            assert!(footer(ctx).next().is_some(), "{ctx:?} has no footer");
        }
    }

    #[test]
    fn q_quits_at_home_and_goes_back_elsewhere() {
        let q = press(KeyCode::Char('q'));
        assert_eq!(lookup(Ctx::Home, &q).map(|b| b.command), Some(Command::Quit));
        assert_eq!(lookup(Ctx::Lesson, &q).map(|b| b.command), Some(Command::Back));
        assert_eq!(lookup(Ctx::Detail, &q).map(|b| b.command), Some(Command::Back));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for ctx in [
            Ctx::Home,
            Ctx::Lesson,
            Ctx::Quiz,
            Ctx::Findings,
            Ctx::Detail,
            Ctx::Help,
            Ctx::Prompt,
            Ctx::Confirm,
        ] {
            let mut seen: Vec<Key> = Vec::new();
            for binding in applicable(ctx) {
                for k in binding.keys {
                    assert!(
                        !seen.contains(k),
                        "{k:?} is bound twice in {ctx:?} (second: {})",
                        binding.what
                    );
                    seen.push(*k);
                }
            }
        }
    }
}
