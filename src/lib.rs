//! seccoach: a security coach in the terminal. Short lessons paired with live checks on the
//! developer's own project.
//!
//! The flow runs one way: the [`catalog`] (rules and lessons, what we know) feeds the [`scan`]
//! (what is true of this repository), which produces a [`report::Report`] of
//! [`finding::Finding`]s, which a printer in [`output`] or the TUI shows.

#![forbid(unsafe_code)]

pub mod analyzers;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod display;
pub mod edit;
pub mod finding;
pub mod fix;
pub mod helm;
pub mod history;
pub mod init;
pub mod lab;
pub mod layers;
pub mod markdown;
#[cfg(test)]
mod mutate;
pub mod osv;
pub mod output;
pub mod pattern;
pub mod persist;
pub mod plan;
pub mod progress;
pub mod redact;
pub mod regular;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod syntax;
pub mod tui;
pub mod watch;
pub mod yaml;
