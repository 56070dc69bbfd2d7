//! The `seccoach` binary: parse arguments, dispatch, map the outcome to an exit code.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    seccoach::cli::main()
}
