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
    /// A hands-on lab: its goal, the learner's copy and what is left to fix.
    Lab,
    /// Everything the last scan could not do (checks that did not run, files skipped).
    Notes,
    /// The project's pipeline layer map.
    Layers,
    Help,
    Prompt,
    Confirm,
    /// The preview of an automatic fix, waiting for a yes.
    Fix,
    /// The bulk actions on one group of the findings list.
    Group,
}

/// The screens (as opposed to overlays): bindings shared by all of them use this.
const SCREENS: &[Ctx] = &[
    Ctx::Home,
    Ctx::Lesson,
    Ctx::Quiz,
    Ctx::Findings,
    Ctx::Detail,
    Ctx::Lab,
    Ctx::Notes,
    Ctx::Layers,
];
/// The screens under home other than the findings list (whose Esc first clears its filters).
const SUB_SCREENS_BUT_FINDINGS: &[Ctx] = &[
    Ctx::Lesson,
    Ctx::Quiz,
    Ctx::Detail,
    Ctx::Lab,
    Ctx::Notes,
    Ctx::Layers,
];
const LISTS: &[Ctx] = &[Ctx::Home, Ctx::Findings];
/// Every screen scrolls.
const SCROLLING: &[Ctx] = SCREENS;
/// Every context, for Ctrl-C and the tests.
pub const ALL: &[Ctx] = &[
    Ctx::Home,
    Ctx::Lesson,
    Ctx::Quiz,
    Ctx::Findings,
    Ctx::Detail,
    Ctx::Lab,
    Ctx::Notes,
    Ctx::Layers,
    Ctx::Help,
    Ctx::Prompt,
    Ctx::Confirm,
    Ctx::Fix,
    Ctx::Group,
];

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
    /// Scroll the lesson's code blocks right or left (their long lines are clipped).
    CodeRight,
    CodeLeft,
    /// Copy the code block on screen, as written, through the terminal.
    CopyCode,
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
    ShowNotes,
    ShowHistory,
    /// Open the pipeline layer map.
    ShowLayers,
    ToggleReviewed,
    Edit,
    Suppress,
    NextFinding,
    PrevFinding,
    OpenLesson,
    /// Preview the automatic fix of the finding.
    PreviewFix,
    /// Undo the last fix applied from the coach.
    UndoFix,
    /// Open the lesson's hands-on lab.
    OpenLab,
    /// Resume checking an existing copy of the lab.
    StartLab,
    /// Re-check the lab folder now.
    CheckLab,
    /// Show the lab's next hint.
    Hint,
    Confirm,
    Cancel,
    /// Open the bulk actions on the selected row's group.
    GroupActions,
    /// Mark every finding of the group reviewed (or, when all are, not reviewed).
    GroupReviewed,
    /// Open the lesson on the group's rule.
    GroupLesson,
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
    /// What the footer shows, `KEYS what` (the help overlay shows every binding in full).
    pub footer: Option<&'static str>,
}

const fn bind(
    keys: &'static [Key],
    label: &'static str,
    what: &'static str,
    command: Command,
    contexts: &'static [Ctx],
    footer: Option<&'static str>,
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
#[rustfmt::skip] // reason: a table reads best one binding per line
pub const BINDINGS: &[Binding] = &[
    // Overlays first: they capture keys.
    bind(&[key('y'), code(KeyCode::Enter)], "y/Enter", "write the suppression", Command::Confirm, &[Ctx::Confirm], Some("y write it")),
    bind(&[key('n'), code(KeyCode::Esc)], "n/Esc", "cancel", Command::Cancel, &[Ctx::Confirm], Some("n/Esc cancel")),
    bind(&[key('y'), code(KeyCode::Enter)], "y/Enter", "apply the fix", Command::Confirm, &[Ctx::Fix], Some("y apply")),
    bind(&[key('n'), code(KeyCode::Esc), key('q')], "n/Esc", "cancel (nothing is written)", Command::Cancel, &[Ctx::Fix], Some("n/Esc cancel")),
    bind(&[key('k'), code(KeyCode::Up)], "k/↑", "scroll the diff up", Command::Up, &[Ctx::Fix], Some("↑↓ scroll")),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "scroll the diff down", Command::Down, &[Ctx::Fix], None),
    bind(&[code(KeyCode::PageUp), ctrl('u')], "PgUp", "page up", Command::PageUp, &[Ctx::Fix], None),
    bind(&[code(KeyCode::PageDown), ctrl('d'), key(' ')], "PgDn/Space", "page down", Command::PageDown, &[Ctx::Fix], None),
    bind(&[key('r')], "r", "mark the whole group reviewed (again: not reviewed)", Command::GroupReviewed, &[Ctx::Group], Some("r reviewed")),
    bind(&[key('l')], "l", "open the lesson on the group's rule", Command::GroupLesson, &[Ctx::Group], Some("l lesson")),
    bind(&[code(KeyCode::Esc), key('q'), key('b')], "Esc", "close", Command::Cancel, &[Ctx::Group], Some("Esc close")),
    bind(&[code(KeyCode::Enter)], "Enter", "accept", Command::Submit, &[Ctx::Prompt], Some("Enter accept")),
    bind(&[code(KeyCode::Esc)], "Esc", "cancel", Command::Cancel, &[Ctx::Prompt], Some("Esc cancel")),
    bind(&[key('?'), code(KeyCode::Esc), key('q')], "?/Esc", "close help", Command::Help, &[Ctx::Help], Some("?/Esc close help")),
    // Quiz.
    bind(&[key('1'), key('2'), key('3'), key('4'), key('5'), key('6'), key('7'), key('8'), key('9')], "1-9", "answer", Command::Answer, &[Ctx::Quiz], Some("1-9 answer")),
    bind(&[key('k'), code(KeyCode::Up)], "k/↑", "previous choice", Command::Up, &[Ctx::Quiz], Some("↑↓ choose")),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "next choice", Command::Down, &[Ctx::Quiz], None),
    bind(&[code(KeyCode::Enter)], "Enter", "answer / next question", Command::Submit, &[Ctx::Quiz], Some("Enter answer/next")),
    bind(&[key('r')], "r", "retake the quiz", Command::Retake, &[Ctx::Quiz], None),
    // Moving around.
    bind(&[key('k'), code(KeyCode::Up)], "k/↑", "move up", Command::Up, LISTS, Some("↑↓ move")),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "move down", Command::Down, LISTS, None),
    bind(&[key('k'), code(KeyCode::Up)], "k/↑", "scroll up", Command::Up, &[Ctx::Lesson, Ctx::Detail, Ctx::Lab, Ctx::Notes, Ctx::Layers], Some("↑↓ scroll")),
    bind(&[key('j'), code(KeyCode::Down)], "j/↓", "scroll down", Command::Down, &[Ctx::Lesson, Ctx::Detail, Ctx::Lab, Ctx::Notes, Ctx::Layers], None),
    bind(&[code(KeyCode::PageUp), ctrl('u')], "PgUp", "page up", Command::PageUp, SCROLLING, None),
    bind(&[code(KeyCode::PageDown), ctrl('d'), key(' ')], "PgDn/Space", "page down", Command::PageDown, SCROLLING, None),
    bind(&[key('g'), code(KeyCode::Home)], "g/Home", "go to the top", Command::Top, SCROLLING, None),
    bind(&[key('G'), code(KeyCode::End)], "G/End", "go to the end", Command::Bottom, SCROLLING, None),
    // Home.
    bind(&[code(KeyCode::Enter)], "Enter", "open the lesson", Command::Open, &[Ctx::Home], Some("Enter open")),
    bind(&[key('c')], "c", "continue where you left off", Command::Continue, &[Ctx::Home], Some("c continue")),
    bind(&[key('f')], "f", "walk through your project's findings", Command::Findings, &[Ctx::Home], Some("f findings")),
    // Lesson reader.
    bind(&[key('t')], "t", "take the quiz", Command::TakeQuiz, &[Ctx::Lesson], Some("t take the quiz")),
    bind(&[key('f')], "f", "show this lesson's checks in my project", Command::ShowChecks, &[Ctx::Lesson], Some("f in my project")),
    bind(&[key('n'), code(KeyCode::Right)], "n/→", "next lesson", Command::NextLesson, &[Ctx::Lesson], Some("n/p next/prev")),
    bind(&[key('p'), code(KeyCode::Left)], "p/←", "previous lesson", Command::PrevLesson, &[Ctx::Lesson], None),
    bind(&[key('l')], "l", "start this lesson's hands-on lab", Command::OpenLab, &[Ctx::Lesson], None),
    bind(&[key('>')], ">", "scroll code blocks right (long lines end in »)", Command::CodeRight, &[Ctx::Lesson], Some("<> code")),
    bind(&[key('<')], "<", "scroll code blocks left", Command::CodeLeft, &[Ctx::Lesson], None),
    bind(&[key('y')], "y", "copy the code block on screen (OSC 52)", Command::CopyCode, &[Ctx::Lesson], None),
    // Lab.
    bind(&[code(KeyCode::Enter)], "Enter", "resume checking your copy", Command::StartLab, &[Ctx::Lab], None),
    bind(&[key('h')], "h", "show the next hint", Command::Hint, &[Ctx::Lab], Some("h hint")),
    bind(&[key('c')], "c", "check the folder again now", Command::CheckLab, &[Ctx::Lab], Some("c check")),
    // Findings list.
    bind(&[code(KeyCode::Enter)], "Enter", "show the finding in full", Command::Open, &[Ctx::Findings], Some("Enter details")),
    bind(&[key('/')], "/", "search", Command::Search, &[Ctx::Findings], Some("/ search")),
    bind(&[key('s')], "s", "severity filter", Command::CycleSeverity, &[Ctx::Findings], Some("s severity")),
    bind(&[key('a')], "a", "area filter", Command::CycleArea, &[Ctx::Findings], None),
    bind(&[code(KeyCode::Tab)], "Tab", "group by severity, file or rule", Command::ToggleGrouping, &[Ctx::Findings], Some("Tab group")),
    bind(&[key('b')], "b", "act on the selected row's whole group", Command::GroupActions, &[Ctx::Findings], Some("b bulk…")),
    bind(&[key('x')], "x", "clear filters", Command::ClearFilters, &[Ctx::Findings], None),
    bind(&[key('n')], "n", "all the scan's notes", Command::ShowNotes, &[Ctx::Home, Ctx::Findings], None),
    bind(&[key('H')], "H", "secrets in the git history (reads every commit)", Command::ShowHistory, &[Ctx::Home, Ctx::Findings], None),
    bind(&[key('m')], "m", "the pipeline layer map of this project", Command::ShowLayers, &[Ctx::Home], None),
    // Finding detail.
    bind(&[key('n'), code(KeyCode::Right)], "n/→", "next finding", Command::NextFinding, &[Ctx::Detail], Some("n/p next/prev")),
    bind(&[key('p'), code(KeyCode::Left)], "p/←", "previous finding", Command::PrevFinding, &[Ctx::Detail], None),
    bind(&[key('l')], "l", "open the lesson that teaches it", Command::OpenLesson, &[Ctx::Detail], Some("l lesson")),
    bind(&[key('>')], ">", "scroll the example's long lines right (they end in »)", Command::CodeRight, &[Ctx::Detail], None),
    bind(&[key('<')], "<", "scroll the example's long lines left", Command::CodeLeft, &[Ctx::Detail], None),
    // Actions on a finding (list and detail).
    bind(&[key('e')], "e", "open the file at the line in $EDITOR", Command::Edit, &[Ctx::Findings, Ctx::Detail], Some("e edit")),
    bind(&[key('i')], "i", "suppress, with a reason (adds a comment)", Command::Suppress, &[Ctx::Findings, Ctx::Detail], Some("i ignore…")),
    bind(&[key('r')], "r", "mark as reviewed (or not)", Command::ToggleReviewed, &[Ctx::Findings, Ctx::Detail], Some("r reviewed")),
    bind(&[key('f')], "f", "preview the automatic fix, if the rule has one", Command::PreviewFix, &[Ctx::Findings, Ctx::Detail], None),
    bind(&[key('u')], "u", "undo the last fix applied here", Command::UndoFix, &[Ctx::Home, Ctx::Findings, Ctx::Detail], None),
    bind(&[key('R')], "R", "rescan the project", Command::Rescan, &[Ctx::Home, Ctx::Findings], None),
    // Everywhere.
    bind(&[code(KeyCode::Esc), key('q')], "Esc/q", "back", Command::Back, SUB_SCREENS_BUT_FINDINGS, Some("Esc back")),
    bind(&[code(KeyCode::Esc), key('q')], "Esc/q", "clear filters, back", Command::Back, &[Ctx::Findings], Some("Esc back")),
    bind(&[key('?')], "?", "this help", Command::Help, SCREENS, Some("? help")),
    bind(&[key('q')], "q", "quit", Command::Quit, &[Ctx::Home], Some("q quit")),
    bind(&[ctrl('c')], "Ctrl-C", "quit from anywhere", Command::Quit, ALL, None),
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
    applicable(ctx).filter(|b| b.footer.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_context_offers_help_or_a_way_out() {
        for &ctx in ALL {
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
        assert_eq!(
            lookup(Ctx::Home, &q).map(|b| b.command),
            Some(Command::Quit)
        );
        assert_eq!(
            lookup(Ctx::Lesson, &q).map(|b| b.command),
            Some(Command::Back)
        );
        assert_eq!(
            lookup(Ctx::Detail, &q).map(|b| b.command),
            Some(Command::Back)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for &ctx in ALL {
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
