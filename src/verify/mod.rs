//! `atlasod verify`: the workshop's notebooks run headless on its hub, as a test user, in the
//! workshop's image, against its `/data`, before the students arrive.
//!
//! Input: a [`Request`] (the hub, the token, the notebooks to run, the users' memory); output:
//! a [`Report`] with one [`NotebookResult`] per notebook. One code path for every target: the
//! hub's REST API creates and starts the test user's server ([`hub`]), the server's kernels API
//! and websocket channels run each notebook's code cells in a fresh kernel ([`kernel`]). The
//! kernel itself reports its peak memory and its container's cgroup (limit, OOM kills), and each
//! cell's standard output is searched for the line the `/data` hook prints at `set_release`.
//! Nothing here prints: progress goes to a callback, the report to `crate::report::verify`.

mod hub;
mod kernel;

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use hub::Hub;
use kernel::{Kernel, Outcome};

/// The test user `verify` runs as, unless told otherwise.
pub const DEFAULT_USER: &str = "atlasod-verify";

/// What to verify, and where.
#[derive(Debug, Clone)]
pub struct Request {
    /// The hub's base URL (`https://hub.example.org`).
    pub hub: String,
    /// An admin's API token.
    pub token: String,
    /// The PEM file of the CA the hub's certificate is from, when not a public one (`--cacert`).
    pub cacert: Option<Vec<u8>>,
    pub user: String,
    /// The notebook folders (each repository's folder in the users' work directory), each with
    /// the notebooks to run (paths below it; empty: every `.ipynb` in it).
    pub folders: Vec<(String, Vec<String>)>,
    /// `users.memory`, in bytes: the limit when the container's cgroup does not say.
    pub memory: u64,
    /// How long the server may take to start, and the notebooks' folders to appear in it.
    pub start_timeout: Duration,
    /// How long one notebook may run.
    pub timeout: Duration,
    /// Leave the test user's server running at the end.
    pub keep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// A cell raised an exception.
    Error,
    /// The kernel was killed for memory (the cgroup's OOM kill), or raised `MemoryError`.
    Memory,
    /// The kernel died for another reason.
    Kernel,
    /// The notebook ran longer than the timeout.
    Timeout,
    /// The notebook could not be read or started.
    Setup,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// The failing cell: 1-based, counting every cell of the notebook (markdown too), as a
    /// notebook editor lists them; `None` before the first cell.
    pub cell: Option<usize>,
    /// The cell's first line of code, to recognise it.
    pub source: Option<String>,
    /// What went wrong, in one line (`ZeroDivisionError: division by zero`).
    pub message: String,
    /// The traceback, without colours (errors only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub traceback: String,
}

/// Where the notebook's data came from, by the line the `/data` hook prints at `set_release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DataSource {
    /// `atlasod: release R reads the workshop copy in /data/...`
    Local,
    /// `atlasod: release R streams from CERN (no copy in /data)`
    Streamed,
    /// Both: a partial copy (the rest streams), or releases with and without a copy.
    Mixed,
    /// The notebook never called `set_release` (or the hook is missing from the image).
    Unreported,
}

#[derive(Debug, Clone, Serialize)]
pub struct Data {
    pub source: DataSource,
    /// The hook's lines, as printed.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    /// The kernel's peak resident memory (its own, or its children's when larger), in bytes.
    pub peak_bytes: Option<u64>,
    /// The container's limit (its cgroup's `memory.max`), else `users.memory`.
    pub limit_bytes: u64,
    /// Whether the limit is the cgroup's (`true`) or only the spec's.
    pub limit_from_cgroup: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotebookResult {
    /// The path on the user's server (`folder/sub/notebook.ipynb`).
    pub path: String,
    pub passed: bool,
    pub failure: Option<Failure>,
    /// Wall time from the kernel's start to the last cell's end.
    pub seconds: f64,
    pub cells: usize,
    pub memory: Memory,
    pub data: Data,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub hub: String,
    pub user: String,
    pub notebooks: Vec<NotebookResult>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.notebooks.iter().all(|n| n.passed)
    }
}

/// The kernel's view of its memory and its container's, printed as one line of JSON: its own
/// peak, the container's limit and OOM kills from cgroup v2 (`memory.max`, `memory.events`) or
/// v1 (`memory/memory.limit_in_bytes`, `memory/memory.oom_control`; no limit reads as a huge number).
const PROBE: &str = r"
def _atlasod_probe():
    import json, resource
    def read(path):
        try:
            with open('/sys/fs/cgroup/' + path) as f:
                return f.read().strip()
        except OSError:
            return ''
    def counters(text):
        return dict(line.split(' ', 1) for line in text.splitlines() if ' ' in line)
    if read('memory.max'):
        limit, events = read('memory.max'), counters(read('memory.events'))
    else:
        limit, events = read('memory/memory.limit_in_bytes'), counters(read('memory/memory.oom_control'))
    limit = int(limit) if limit.isdigit() and int(limit) < 1 << 62 else None
    return {
        'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'children': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        'max': limit,
        'oom_kill': int(events['oom_kill']) if events.get('oom_kill', '').isdigit() else None,
    }
print('__atlasod_probe__', __import__('json').dumps(_atlasod_probe()))
del _atlasod_probe
";

#[derive(Debug, Default, Clone, Copy)]
struct Probe {
    peak: Option<u64>,
    limit: Option<u64>,
    oom_kills: Option<u64>,
}

fn parse_probe(stdout: &str) -> Option<Probe> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("__atlasod_probe__ "))?;
    let value: Value = serde_json::from_str(line).ok()?;
    let rss = value["rss"].as_u64();
    let children = value["children"].as_u64();
    Some(Probe {
        peak: rss.max(children),
        limit: value["max"].as_u64(),
        oom_kills: value["oom_kill"].as_u64(),
    })
}

fn probe(kernel: &mut Kernel<'_>) -> Probe {
    match kernel.execute(PROBE, Duration::from_secs(30)) {
        Ok(done) => parse_probe(&done.stdout).unwrap_or_default(),
        Err(_) => Probe::default(),
    }
}

/// The hook's lines in a notebook's output, and what they say.
pub fn data_source(stdout: &str) -> Data {
    let lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("atlasod: release "))
        .map(str::to_owned)
        .collect();
    // the hook's wording (targets/sitecustomize.py): a full or partial copy, a local_path the
    // notebook gave, or no copy at all
    let local = lines.iter().any(|l| {
        l.contains(" reads the workshop copy in ") || l.ends_with(" (the local_path given)")
    });
    let streamed = lines
        .iter()
        .any(|l| l.contains(" streams from ") || l.contains(", the rest streams)"));
    let source = match (local, streamed) {
        (true, true) => DataSource::Mixed,
        (true, false) => DataSource::Local,
        (false, true) => DataSource::Streamed,
        (false, false) => DataSource::Unreported,
    };
    Data { source, lines }
}

/// A notebook's code cells: (1-based index among all cells, source).
pub fn code_cells(notebook: &Value) -> Vec<(usize, String)> {
    let Some(cells) = notebook["cells"].as_array() else {
        return Vec::new();
    };
    cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c["cell_type"] == "code")
        .map(|(i, c)| {
            let source = match &c["source"] {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect(),
                _ => String::new(),
            };
            (i + 1, source)
        })
        .filter(|(_, s)| !s.trim().is_empty())
        .collect()
}

fn first_line(source: &str) -> String {
    let line = source
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let short: String = line.chars().take(80).collect();
    if short.len() < line.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// Every `.ipynb` below `folder` on the server (hidden folders and checkpoints skipped), sorted.
fn list_notebooks(hub: &Hub, server: &str, folder: &str) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    let mut todo = vec![folder.to_owned()];
    while let Some(dir) = todo.pop() {
        let Some(model) = hub.contents(server, &dir)? else {
            continue;
        };
        for entry in model["content"].as_array().into_iter().flatten() {
            let name = entry["name"].as_str().unwrap_or("");
            let path = entry["path"].as_str().unwrap_or("").to_owned();
            if name.starts_with('.') {
                continue;
            }
            match entry["type"].as_str() {
                Some("directory") => todo.push(path),
                Some("notebook") => found.push(path),
                _ => {}
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Waits until `folder` exists on the server (the notebooks are cloned when the server starts).
fn wait_for_folder(
    hub: &Hub,
    server: &str,
    folder: &str,
    timeout: Duration,
) -> Result<bool, Error> {
    let start = Instant::now();
    loop {
        if hub.contents(server, folder)?.is_some() {
            return Ok(true);
        }
        if start.elapsed() > timeout {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// Runs the request: starts the test user's server, runs every notebook, stops the server.
/// `progress` receives a line at each step.
pub fn run(request: &Request, progress: &mut dyn FnMut(&str)) -> Result<Report, Error> {
    let ca = match &request.cacert {
        Some(pem) => hub::read_pem(pem).map_err(|e| Error::Usage(format!("--cacert: {e}")))?,
        None => Vec::new(),
    };
    let hub = Hub::new(&request.hub, &request.token, ca);
    let admin = hub.whoami()?;
    progress(&format!("hub {} answers (token of {admin})", hub.base));
    hub.ensure_user(&request.user)?;
    progress(&format!("starting {}'s server", request.user));
    let started = Instant::now();
    let server = hub.start_server(&request.user, request.start_timeout)?;
    progress(&format!(
        "{}'s server is ready at {server} ({} s)",
        request.user,
        started.elapsed().as_secs()
    ));
    let result = run_all(&hub, &server, request, progress);
    if !request.keep {
        progress(&format!("stopping {}'s server", request.user));
        let _ = hub.stop_server(&request.user);
    }
    result.map(|notebooks| Report {
        hub: hub.base.clone(),
        user: request.user.clone(),
        notebooks,
    })
}

fn run_all(
    hub: &Hub,
    server: &str,
    request: &Request,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<NotebookResult>, Error> {
    let mut paths = Vec::new();
    for (folder, listed) in &request.folders {
        if !wait_for_folder(hub, server, folder, request.start_timeout)? {
            return Err(Error::Hub(format!(
                "the notebook folder `{folder}` did not appear in {}'s work directory within {} s (was the repository cloned? the user's server log says)",
                request.user,
                request.start_timeout.as_secs()
            )));
        }
        if listed.is_empty() {
            paths.extend(list_notebooks(hub, server, folder)?);
        } else {
            paths.extend(
                listed
                    .iter()
                    .map(|p| format!("{folder}/{}", p.trim_start_matches("./"))),
            );
        }
    }
    progress(&format!("{} notebooks to run", paths.len()));
    let mut results = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        progress(&format!("[{}/{}] {path}: running", i + 1, paths.len()));
        let result = run_notebook(hub, server, path, request, progress);
        let verdict = if result.passed {
            "passed".to_owned()
        } else {
            "FAILED".to_owned()
        };
        progress(&format!(
            "[{}/{}] {path}: {verdict} in {:.1} s",
            i + 1,
            paths.len(),
            result.seconds
        ));
        results.push(result);
    }
    Ok(results)
}

fn setup_failure(path: &str, request: &Request, message: String) -> NotebookResult {
    NotebookResult {
        path: path.to_owned(),
        passed: false,
        failure: Some(Failure {
            kind: FailureKind::Setup,
            cell: None,
            source: None,
            message,
            traceback: String::new(),
        }),
        seconds: 0.0,
        cells: 0,
        memory: Memory {
            peak_bytes: None,
            limit_bytes: request.memory,
            limit_from_cgroup: false,
        },
        data: data_source(""),
    }
}

fn run_notebook(
    hub: &Hub,
    server: &str,
    path: &str,
    request: &Request,
    progress: &mut dyn FnMut(&str),
) -> NotebookResult {
    let model = match hub.contents(server, path) {
        Ok(Some(model)) => model,
        Ok(None) => return setup_failure(path, request, format!("`{path}` is not on the server")),
        Err(e) => return setup_failure(path, request, e.to_string()),
    };
    let notebook = &model["content"];
    let cells = code_cells(notebook);
    let kernel_name = notebook["metadata"]["kernelspec"]["name"]
        .as_str()
        .unwrap_or("python3");
    let cwd = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let start = Instant::now();
    let mut kernel = match Kernel::start(hub, server, kernel_name, cwd) {
        Ok(kernel) => kernel,
        Err(e) => return setup_failure(path, request, e.to_string()),
    };
    let before = probe(&mut kernel);
    let mut stdout = String::new();
    let mut failure = None;
    for (index, source) in &cells {
        let remaining = request.timeout.saturating_sub(start.elapsed());
        let done = match kernel.execute(source, remaining) {
            Ok(done) => done,
            Err(e) => kernel::Executed {
                outcome: Outcome::Died(e.to_string()),
                stdout: String::new(),
            },
        };
        stdout.push_str(&done.stdout);
        let fail = |kind, message: String, traceback: String| Failure {
            kind,
            cell: Some(*index),
            source: Some(first_line(source)),
            message,
            traceback,
        };
        match done.outcome {
            Outcome::Ok => continue,
            Outcome::Raised {
                ename,
                evalue,
                traceback,
            } => {
                let kind = if ename == "MemoryError" {
                    FailureKind::Memory
                } else {
                    FailureKind::Error
                };
                let message = if evalue.is_empty() {
                    ename
                } else {
                    format!("{ename}: {evalue}")
                };
                failure = Some(fail(kind, message, traceback));
            }
            Outcome::Died(why) => failure = Some(fail(FailureKind::Kernel, why, String::new())),
            Outcome::TimedOut => {
                failure = Some(fail(
                    FailureKind::Timeout,
                    format!(
                        "still running after {} s (the timeout)",
                        request.timeout.as_secs()
                    ),
                    String::new(),
                ));
            }
        }
        break;
    }
    let seconds = start.elapsed().as_secs_f64();
    let memory = measure(
        hub,
        server,
        kernel,
        kernel_name,
        cwd,
        before,
        &mut failure,
        request,
    );
    if let Some(f) = &failure {
        progress(&format!("  cell {}: {}", f.cell.unwrap_or(0), f.message));
    }
    NotebookResult {
        path: path.to_owned(),
        passed: failure.is_none(),
        failure,
        seconds,
        cells: cells.len(),
        memory,
        data: data_source(&stdout),
    }
}

/// The kernel's peak memory and the container's limit after the notebook, and a kernel death
/// classified as a memory failure when the cgroup counted an OOM kill meanwhile. Shuts the
/// kernel down.
#[allow(clippy::too_many_arguments)]
fn measure(
    hub: &Hub,
    server: &str,
    mut kernel: Kernel<'_>,
    kernel_name: &str,
    cwd: &str,
    before: Probe,
    failure: &mut Option<Failure>,
    request: &Request,
) -> Memory {
    let died = failure
        .as_ref()
        .is_some_and(|f| matches!(f.kind, FailureKind::Kernel | FailureKind::Timeout));
    let after = if died {
        kernel.shutdown();
        // the dead kernel cannot answer: a fresh one reads the same container's cgroup
        match Kernel::start(hub, server, kernel_name, cwd) {
            Ok(mut fresh) => {
                let probe = probe(&mut fresh);
                fresh.shutdown();
                Probe {
                    peak: None,
                    ..probe
                }
            }
            Err(_) => Probe::default(),
        }
    } else {
        let after = probe(&mut kernel);
        kernel.shutdown();
        after
    };
    let limit = after.limit.or(before.limit);
    let memory = Memory {
        peak_bytes: after.peak,
        limit_bytes: limit.unwrap_or(request.memory),
        limit_from_cgroup: limit.is_some(),
    };
    if let (Some(f), Some(b), Some(a)) = (failure.as_mut(), before.oom_kills, after.oom_kills) {
        if a > b && f.kind == FailureKind::Kernel {
            f.kind = FailureKind::Memory;
            f.message = format!(
                "the kernel was killed for memory: the cell went past the container's limit of {} (users.memory)",
                crate::units::fmt_memory(memory.limit_bytes)
            );
        }
    }
    memory
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_paths_keep_only_unreserved_characters() {
        assert_eq!(hub::segment("ana-b.c_d~e"), "ana-b.c_d~e");
        assert_eq!(hub::segment("a b/ü?"), "a%20b%2F%C3%BC%3F");
        assert_eq!(
            hub::path_of("/lessons//sub dir/a.ipynb"),
            "lessons/sub%20dir/a.ipynb"
        );
    }

    #[test]
    fn the_hooks_lines_tell_where_the_data_came_from() {
        let local = data_source(
            "x\natlasod: release 2025e-13tev-beta reads the workshop copy in /data/atlas-2025e\n",
        );
        assert_eq!(local.source, DataSource::Local);
        assert_eq!(local.lines.len(), 1);
        let given = data_source(
            "atlasod: release 2016e-8tev reads /home/jovyan/data (the local_path given)\n",
        );
        assert_eq!(given.source, DataSource::Local);
        let partial = data_source(
            "atlasod: release 2025e-13tev-beta reads the workshop copy in /data (3 of 8 files there, the rest streams)\n",
        );
        assert_eq!(partial.source, DataSource::Mixed);
        let streamed =
            data_source("atlasod: release 2020e-13tev streams from CERN (no copy in /data)\n");
        assert_eq!(streamed.source, DataSource::Streamed);
        assert_eq!(data_source("nothing\n").source, DataSource::Unreported);
        assert_eq!(
            data_source(&format!("{}\n{}\n", local.lines[0], streamed.lines[0])).source,
            DataSource::Mixed
        );
    }

    #[test]
    fn code_cells_are_numbered_among_all_cells() {
        let nb = serde_json::json!({"cells": [
            {"cell_type": "markdown", "source": ["# title"]},
            {"cell_type": "code", "source": ["import x\n", "x.y()"]},
            {"cell_type": "code", "source": "   "},
            {"cell_type": "code", "source": "1/0"},
        ]});
        assert_eq!(
            code_cells(&nb),
            vec![(2, "import x\nx.y()".to_owned()), (4, "1/0".to_owned())]
        );
    }

    #[test]
    fn the_probe_line_is_read_back() {
        let p = parse_probe("a\n__atlasod_probe__ {\"rss\": 100, \"children\": 300, \"max\": 1073741824, \"oom_kill\": 2}\n").unwrap();
        assert_eq!(
            (p.peak, p.limit, p.oom_kills),
            (Some(300), Some(1_073_741_824), Some(2))
        );
        let unlimited = parse_probe(
            "__atlasod_probe__ {\"rss\": 5, \"children\": 0, \"max\": null, \"oom_kill\": null}",
        )
        .unwrap();
        assert_eq!((unlimited.peak, unlimited.limit), (Some(5), None));
        assert!(parse_probe("no probe").is_none());
    }
}
