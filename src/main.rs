//! The `atlasod` binary: everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    atlasod::cli::main()
}
