//! The notebooks read the workshop's copy of ATLAS Open Data, unchanged: the
//! bundle's `sitecustomize.py` hook, run by the real `atlasopenmagic` 1.10.1
//! from PyPI (venv `data` of `.ci/install-tools.sh`) against a loopback stub
//! of its API (`tests/tools/atlas_api_stub.py`, the response shape of that
//! version). With the hook on `PYTHONPATH`, as every target's single-user
//! environment has it, `set_release(R)` then `get_urls(...)` gives the local
//! path of every file of `R` that is under the datasets root (`ATLASOD_DATA`,
//! here a temporary folder) and the remote URL of every other one, and one
//! line on stdout says which. Without the hook, the same program streams. The same for
//! a release set only by `ATLAS_RELEASE` (no `set_release` call: the first `get_urls`
//! decides), and for the 2020 release, whose zip the bundle's fetcher unpacks and links
//! at `OutreachDatasets/2020-01-22/<collection>`.
//! Also: every target carries the very same hook and puts it on `PYTHONPATH`;
//! and the bundle's fetcher, for a catalogue skim such as
//! `atlas-2025e-13tev-beta/GamGam`, lists its files from that API at apply
//! time, downloads them from a loopback file server, refuses a file whose
//! published Adler-32 does not match, and lays them out where the hook (and
//! `set_release(R, local_path=/data)`) finds them.
#![allow(clippy::unwrap_used)] // helpers of the tests: a failure is a test failure

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{LoopbackServer, repo, tool, tools_dir};

const RELEASE: &str = "2025e-13tev-beta";
const EOS: &str = "root://eospublic.cern.ch:1094//eos/opendata/atlas/rucio/opendata/";
const DATA_FILES: [&str; 2] = [
    "ODEO_FEB2025_v0_GamGam_data15_periodE.GamGam.root",
    "ODEO_FEB2025_v0_GamGam_data16_periodA.GamGam.root",
];
const MC_FILE: &str =
    "ODEO_FEB2025_v0_GamGam_mc_343981.PhPy8EG_PDF4LHC15_NNLOPS_ggH125_gamgam.GamGam.root";

/// What the notebook does: the calls of the course notebooks, then the URLs as JSON lines.
const NOTEBOOK: &str = r#"
import json
import atlasopenmagic as atom
atom.set_release("2025e-13tev-beta")
print("URLS " + json.dumps(atom.get_urls("data", skim="GamGam")))
print("URLS " + json.dumps(atom.get_urls("343981", skim="GamGam", protocol="https")))
"#;

type Stub = LoopbackServer;

/// `tests/tools/<script> <args>`, which prints its port first, stopped on drop.
fn serve(python: &Path, script: &str, args: &[&Path]) -> Stub {
    let mut command = Command::new(python);
    command
        .arg(repo().join("tests/tools").join(script))
        .args(args)
        .stderr(Stdio::null());
    LoopbackServer::start(command)
}

/// The API stub over `datasets` (a JSON file in the API's response shape).
fn api_stub(python: &Path, datasets: &Path) -> Stub {
    serve(python, "atlas_api_stub.py", &[datasets])
}

/// The release as the API serves it: collision data (two files) and one MC sample (one
/// file), each with the GamGam skim, in atlasopenmagic 1.10.1's response shape.
fn datasets_json() -> String {
    api_datasets(EOS, &DATA_FILES, MC_FILE)
}

/// The release's metadata, its files' URLs starting with `base`.
fn api_datasets(base: &str, data_files: &[&str], mc_file: &str) -> String {
    let skim = |number: &str, files: &[&str]| {
        serde_json::json!({
            "id": 1,
            "skim_type": "GamGam",
            "file_list": files.iter().map(|f| format!("{base}{f}")).collect::<Vec<_>>(),
            "description": "At least two photons",
            "dataset_number": number,
            "release_name": RELEASE,
        })
    };
    serde_json::json!([
        {
            "dataset_number": "data",
            "physics_short": null,
            "file_list": [format!("{base}ODEO_FEB2025_v0_data15_periodD.root")],
            "release": { "name": RELEASE },
            "skims": [skim("data", data_files)],
        },
        {
            "dataset_number": "343981",
            "physics_short": "PhPy8EG_PDF4LHC15_NNLOPS_ggH125_gamgam",
            "e_tag": "e5607",
            "cross_section_pb": 0.1,
            "genFiltEff": 1.0,
            "kFactor": 1.0,
            "keywords": ["Higgs"],
            "file_list": [format!("{base}ODEO_FEB2025_v0_mc_343981.root")],
            "release": { "name": RELEASE },
            "skims": [skim("343981", &[mc_file])],
        },
    ])
    .to_string()
}

fn python() -> Option<PathBuf> {
    let venv = tools_dir().join("venvs/data/bin/python");
    if venv.is_file() {
        return Some(venv);
    }
    tool("python-data")
}

struct Ran {
    lines: Vec<String>,
    urls: Vec<Vec<String>>,
}

/// Runs the notebook's calls with `hook` (a folder holding `sitecustomize.py`, or none)
/// first on `PYTHONPATH` and the datasets root `data`.
fn run(python: &Path, stub: &Stub, hook: Option<&Path>, data: &Path) -> Ran {
    run_code(python, stub, hook, data, NOTEBOOK, None)
}

/// Runs `code` so, with `ATLAS_RELEASE` set to `release` (else unset).
fn run_code(
    python: &Path,
    stub: &Stub,
    hook: Option<&Path>,
    data: &Path,
    code: &str,
    release: Option<&str>,
) -> Ran {
    let mut command = Command::new(python);
    command
        .args(["-c", code])
        .env(
            "ATLAS_API_BASE_URL",
            format!("http://127.0.0.1:{}", stub.port),
        )
        .env("ATLASOD_DATA", data)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ATLAS_RELEASE");
    if let Some(release) = release {
        command.env("ATLAS_RELEASE", release);
    }
    match hook {
        Some(dir) => command.env("PYTHONPATH", dir),
        None => command.env_remove("PYTHONPATH"),
    };
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the notebook's calls failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ran {
        lines: stdout
            .lines()
            .filter(|l| l.starts_with("atlasod:"))
            .map(str::to_owned)
            .collect(),
        urls: stdout
            .lines()
            .filter_map(|l| l.strip_prefix("URLS "))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    }
}

/// The hook as the local bundle writes it, in a folder of its own.
fn bundle_hook(dir: &Path) -> PathBuf {
    let built = atlasod::program::build(
        atlasod::SourceFile::new("data-hook.yaml", SPEC),
        atlasod::Target::Local,
    )
    .unwrap_or_else(|e| panic!("the test spec does not build: {e:?}"));
    let hook = dir.join("hook");
    std::fs::create_dir_all(&hook).unwrap();
    std::fs::write(
        hook.join("sitecustomize.py"),
        support::bundles::text(&built.bundle, "singleuser/sitecustomize.py"),
    )
    .unwrap();
    hook
}

const SPEC: &str =
    "version: 1\nname: data-hook\nusers:\n  count: 1\nauth:\n  method: dummy\nhub:\n  https: off\n";

#[test]
fn set_release_reads_the_workshop_copy_when_its_files_are_there() {
    let Some(python) = python() else { return };
    let root = support::bundles::scratch(&["data-hook"]);
    let hook = bundle_hook(&root);
    let datasets = root.join("datasets.json");
    std::fs::write(&datasets, datasets_json()).unwrap();
    let stub = api_stub(&python, &datasets);
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let remote_data: Vec<String> = DATA_FILES.iter().map(|f| format!("{EOS}{f}")).collect();
    let remote_mc = vec![format!(
        "simplecache::https://opendata.cern.ch/eos/opendata/atlas/rucio/opendata/{MC_FILE}"
    )];

    // No copy: the notebook streams, and says so.
    let ran = run(&python, &stub, Some(&hook), &data);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release {RELEASE} streams from CERN (no copy in {})",
            data.display()
        )]
    );
    assert_eq!(ran.urls, [remote_data.clone(), remote_mc.clone()]);

    // The GamGam collision data in the layout `set_release(R, local_path=...)` reads: those
    // two files are read from the copy, the MC file that is not there streams.
    let local = data.join("rucio/opendata");
    std::fs::create_dir_all(&local).unwrap();
    for f in DATA_FILES {
        std::fs::write(local.join(f), b"root").unwrap();
    }
    let ran = run(&python, &stub, Some(&hook), &data);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release {RELEASE} reads the workshop copy in {} (2 of 5 files there, the rest streams)",
            data.display()
        )]
    );
    let local_data: Vec<String> = DATA_FILES
        .iter()
        .map(|f| local.join(f).display().to_string())
        .collect();
    assert_eq!(ran.urls, [local_data, remote_mc.clone()]);

    // The same program without the hook: atlasopenmagic as published streams everything.
    let ran = run(&python, &stub, None, &data);
    assert!(ran.lines.is_empty(), "{:?}", ran.lines);
    assert_eq!(ran.urls, [remote_data, remote_mc]);
}

/// One hook for every target: the compose image (local, and inside every cloud VM) copies it
/// onto `PYTHONPATH`, and so does the Kubernetes bundle's optional image; the Kubernetes pods
/// mount the same text there.
#[test]
fn every_target_puts_the_same_hook_first_on_pythonpath() {
    let hook = std::fs::read_to_string(repo().join("targets/sitecustomize.py")).unwrap();
    let layer = "COPY --chmod=0644 sitecustomize.py /opt/atlasod/python/sitecustomize.py\n\
                 ENV PYTHONPATH=/opt/atlasod/python${PYTHONPATH:+:${PYTHONPATH}}\n";
    for spec in support::specs::examples() {
        for (what, bundle, dir) in [
            ("local", spec.build_local().1, "singleuser"),
            ("vm", spec.build_vm(), "singleuser"),
        ] {
            let text = |f: &str| support::bundles::text(&bundle, &format!("{dir}/{f}")).to_owned();
            assert_eq!(text("sitecustomize.py"), hook, "{} {what}", spec.name);
            assert!(text("Dockerfile").contains(layer), "{} {what}", spec.name);
        }
        if !spec.declares(atlasod::Target::Kubernetes) {
            continue;
        }
        let bundle = spec.build(atlasod::Target::Kubernetes).bundle;
        assert_eq!(
            support::bundles::text(&bundle, "image/sitecustomize.py"),
            hook
        );
        assert!(support::bundles::text(&bundle, "image/Dockerfile").contains(layer));
        let values = support::bundles::text(&bundle, "values.yaml");
        assert!(
            values.contains("    PYTHONPATH: /opt/atlasod/python\n"),
            "{}",
            spec.name
        );
        // the mounted text is the hook, line by line (indented in its block scalar)
        let (_, mounted) = values
            .split_once("      mountPath: /opt/atlasod/python/sitecustomize.py\n      mode: 292 # 0444\n      stringData: |\n")
            .unwrap();
        let mounted: Vec<&str> = mounted
            .lines()
            .take_while(|l| l.is_empty() || l.starts_with("        "))
            .map(|l| l.get(8..).unwrap_or(""))
            .collect();
        let mounted = mounted.join("\n");
        assert_eq!(mounted.trim_end(), hook.trim_end(), "{}", spec.name);
    }
}

/// The GamGam file whose size and Adler-32 the catalogue knows (record 93915).
const KNOWN_FILE: &str = "ODEO_FEB2025_v0_GamGam_data15_periodD.GamGam.root";

fn fetch(python: &Path, script: &Path, api: &Stub, data: &Path) -> (bool, String) {
    let out = Command::new(python)
        .arg(script)
        .env_remove("ATLASOD_DATASETS")
        .env("ATLASOD_DATA_DIR", data)
        .env(
            "ATLAS_API_BASE_URL",
            format!("http://127.0.0.1:{}", api.port),
        )
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_fetcher_lists_a_skim_at_apply_time_and_lays_it_out_for_the_hook() {
    let Some(python) = python() else { return };
    let root = support::bundles::scratch(&["data-hook-fetch"]);
    let bundle = local_bundle(&root, "atlas-2025e-13tev-beta/GamGam");
    let script = bundle.join("datasets/fetch.py");
    let hook = bundle.join("singleuser");

    // the files, served over HTTP below /eos/opendata/atlas/ as opendata.cern.ch serves them
    let served = root.join("served");
    let below = served.join("eos/opendata/atlas/rucio/opendata");
    std::fs::create_dir_all(&below).unwrap();
    for (i, f) in DATA_FILES.iter().chain([&MC_FILE, &KNOWN_FILE]).enumerate() {
        std::fs::write(below.join(f), format!("ntuple {i} {f}").repeat(100 + i)).unwrap();
    }
    let files = serve(
        &python,
        "range_server.py",
        &[&served, &root.join("served.log")],
    );
    let base = format!(
        "http://127.0.0.1:{}/eos/opendata/atlas/rucio/opendata/",
        files.port
    );

    // A release whose GamGam list holds the file the catalogue knows, with other bytes
    // than the record publishes: refused, named, and the dataset is not in place.
    let listing = root.join("tampered.json");
    std::fs::write(&listing, api_datasets(&base, &[KNOWN_FILE], MC_FILE)).unwrap();
    let api = api_stub(&python, &listing);
    let data = root.join("data-tampered");
    let (ok, text) = fetch(&python, &script, &api, &data);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "{KNOWN_FILE} does not have the published Adler-32 037f48e7"
        )),
        "{text}"
    );
    assert!(!data.join("atlas-2025e-13tev-beta/GamGam").exists());
    drop(api);

    // The release as listed: three GamGam files, fetched and linked where the hook looks.
    let listing = root.join("release.json");
    std::fs::write(&listing, api_datasets(&base, &DATA_FILES, MC_FILE)).unwrap();
    let api = api_stub(&python, &listing);
    let data = root.join("data");
    let (ok, text) = fetch(&python, &script, &api, &data);
    assert!(ok, "{text}");
    assert!(text.contains("3 files in the release's list"), "{text}");
    for f in DATA_FILES.iter().chain([&MC_FILE]) {
        let copy = data.join("atlas-2025e-13tev-beta/GamGam").join(f);
        let linked = data.join("rucio/opendata").join(f);
        assert!(
            std::fs::symlink_metadata(&linked)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read(&linked).unwrap(),
            std::fs::read(below.join(f)).unwrap(),
            "{f}"
        );
        assert_eq!(
            std::fs::read(copy).unwrap(),
            std::fs::read(below.join(f)).unwrap()
        );
    }
    // a second run finds it in place and downloads nothing
    let _ = std::fs::remove_file(root.join("served.log"));
    let (ok, text) = fetch(&python, &script, &api, &data);
    assert!(ok && text.contains("already in place"), "{text}");
    assert!(!root.join("served.log").exists(), "downloaded again");

    // The notebook's calls, with the bundle's hook, read the fetched copy.
    let ran = run(&python, &api, Some(&hook), &data);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release {RELEASE} reads the workshop copy in {} (3 of 5 files there, the rest streams)",
            data.display()
        )]
    );
    let linked = |f: &str| data.join("rucio/opendata").join(f).display().to_string();
    assert_eq!(
        ran.urls,
        [
            DATA_FILES.iter().map(|f| linked(f)).collect::<Vec<_>>(),
            vec![linked(MC_FILE)],
        ]
    );
}

/// The 2020 release as the API serves it (UNCONFIRMED beyond the shape: see the catalogue's
/// sources): the collision data and one MC sample, each with the skim `4lep`, its files
/// below `OutreachDatasets/2020-01-22/4lep/`.
const EOS_2020: &str =
    "root://eospublic.cern.ch:1094//eos/opendata/atlas/OutreachDatasets/2020-01-22/4lep/";
const DATA_2020: [&str; 2] = ["Data/data_A.4lep.root", "Data/data_B.4lep.root"];
const MC_2020: &str = "MC/mc_345060.ggH125_ZZ4lep.4lep.root";

fn datasets_2020_json() -> String {
    let skim = |number: &str, files: &[&str]| {
        serde_json::json!({
            "id": 7,
            "skim_type": "4lep",
            "file_list": files.iter().map(|f| format!("{EOS_2020}{f}")).collect::<Vec<_>>(),
            "description": "At least four leptons",
            "dataset_number": number,
            "release_name": "2020e-13tev",
        })
    };
    serde_json::json!([
        {
            "dataset_number": "data",
            "physics_short": null,
            "file_list": [],
            "release": { "name": "2020e-13tev" },
            "skims": [skim("data", &DATA_2020)],
        },
        {
            "dataset_number": "345060",
            "physics_short": "ggH125_ZZ4lep",
            "cross_section_pb": 0.006,
            "file_list": [],
            "release": { "name": "2020e-13tev" },
            "skims": [skim("345060", &[MC_2020])],
        },
    ])
    .to_string()
}

/// The calls of a 2020 notebook: `set_release` (unless `ATLAS_RELEASE` sets it), then the
/// data and the Higgs signal of the 4lep collection.
const NOTEBOOK_2020: &str = r#"
import json
import atlasopenmagic as atom
atom.set_release("2020e-13tev")
print("URLS " + json.dumps(atom.get_urls("data", skim="4lep")))
print("URLS " + json.dumps(atom.get_urls("345060", skim="4lep", protocol="https")))
"#;

/// The local bundle of [`SPEC`] with the catalogue's `dataset`, written to `root/bundle`.
fn local_bundle(root: &Path, dataset: &str) -> PathBuf {
    let spec = format!("{SPEC}datasets:\n  - {dataset}\n");
    let built = atlasod::program::build(
        atlasod::SourceFile::new("data-hook.yaml", spec),
        atlasod::Target::Local,
    )
    .unwrap_or_else(|e| panic!("a spec with {dataset} does not build: {e:?}"));
    let bundle = root.join("bundle");
    support::bundles::write(&built.bundle, &bundle);
    bundle
}

/// The bundle's fetcher puts the 2020 4lep zip (here holding the collision data only) in
/// place: `data/atlas-2020-13tev-4lep/4lep/...`, linked at `OutreachDatasets/2020-01-22/4lep`.
fn fetch_2020(python: &Path, root: &Path) -> (PathBuf, PathBuf) {
    let bundle = local_bundle(root, "atlas-2020-13tev-4lep");
    let served = root.join("served");
    std::fs::create_dir_all(&served).unwrap();
    let made = Command::new(python)
        .args(["-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    for f in sys.argv[2:]:\n        z.writestr('4lep/' + f, 'ntuple ' + f)\n"])
        .arg(served.join("4lep.zip"))
        .args(DATA_2020)
        .status()
        .unwrap();
    assert!(made.success());
    let files = serve(
        python,
        "range_server.py",
        &[&served, &root.join("served.log")],
    );
    let listing = root.join("datasets.json");
    std::fs::write(
        &listing,
        support::bundles::loopback_listing(
            &bundle.join("datasets/datasets.json"),
            &format!("http://127.0.0.1:{}", files.port),
            &served,
        ),
    )
    .unwrap();
    let data = root.join("data");
    let out = Command::new(python)
        .arg(bundle.join("datasets/fetch.py"))
        .env("ATLASOD_DATASETS", &listing)
        .env("ATLASOD_DATA_DIR", &data)
        .env("NO_PROXY", "127.0.0.1")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (bundle.join("singleuser"), data)
}

/// `set_release("2020e-13tev")` reads the unpacked 2020 collection the fetcher linked into
/// the layout `set_release(R, local_path=/data)` reads, for the files the zip held, and
/// streams the others; without a copy it streams everything.
#[test]
fn set_release_2020_reads_the_unpacked_collection() {
    let Some(python) = python() else { return };
    let root = support::bundles::scratch(&["data-hook-2020"]);
    let datasets = root.join("api.json");
    std::fs::write(&datasets, datasets_2020_json()).unwrap();
    let stub = api_stub(&python, &datasets);
    let remote_data: Vec<String> = DATA_2020.iter().map(|f| format!("{EOS_2020}{f}")).collect();
    let remote_mc = vec![format!(
        "simplecache::https://opendata.cern.ch/eos/opendata/atlas/OutreachDatasets/2020-01-22/4lep/{MC_2020}"
    )];

    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let hook = bundle_hook(&root);
    let ran = run_code(&python, &stub, Some(&hook), &empty, NOTEBOOK_2020, None);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release 2020e-13tev streams from CERN (no copy in {})",
            empty.display()
        )]
    );
    assert_eq!(ran.urls, [remote_data, remote_mc.clone()]);

    let (hook, data) = fetch_2020(&python, &root);
    let ran = run_code(&python, &stub, Some(&hook), &data, NOTEBOOK_2020, None);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release 2020e-13tev reads the workshop copy in {} (2 of 3 files there, the rest streams)",
            data.display()
        )]
    );
    let layout = data.join("OutreachDatasets/2020-01-22/4lep");
    let local: Vec<String> = DATA_2020
        .iter()
        .map(|f| layout.join(f).display().to_string())
        .collect();
    assert_eq!(ran.urls, [local.clone(), remote_mc]);
    for (path, f) in local.iter().zip(DATA_2020) {
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            format!("ntuple {f}")
        );
    }
}

/// A notebook that never calls `set_release`, its release set by `ATLAS_RELEASE` alone (as
/// a hub's environment may set it): its first `get_urls` looks the release up as
/// `set_release` would, one printed line, and reads the workshop copy the same way.
#[test]
fn a_release_set_by_atlas_release_alone_is_hooked_too() {
    const CALLS: &str = r#"
import json
import atlasopenmagic as atom
print("URLS " + json.dumps(atom.get_urls("data", skim="4lep")))
print("URLS " + json.dumps(atom.get_urls("345060", skim="4lep", protocol="https")))
"#;
    let Some(python) = python() else { return };
    let root = support::bundles::scratch(&["data-hook-atlas-release"]);
    let datasets = root.join("api.json");
    std::fs::write(&datasets, datasets_2020_json()).unwrap();
    let stub = api_stub(&python, &datasets);
    let (hook, data) = fetch_2020(&python, &root);
    let release = Some("2020e-13tev");
    let layout = data.join("OutreachDatasets/2020-01-22/4lep");
    let local: Vec<String> = DATA_2020
        .iter()
        .map(|f| layout.join(f).display().to_string())
        .collect();
    let remote_data: Vec<String> = DATA_2020.iter().map(|f| format!("{EOS_2020}{f}")).collect();
    let remote_mc = vec![format!(
        "simplecache::https://opendata.cern.ch/eos/opendata/atlas/OutreachDatasets/2020-01-22/4lep/{MC_2020}"
    )];

    let ran = run_code(&python, &stub, Some(&hook), &data, CALLS, release);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release 2020e-13tev reads the workshop copy in {} (2 of 3 files there, the rest streams)",
            data.display()
        )]
    );
    assert_eq!(ran.urls, [local, remote_mc.clone()]);

    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let ran = run_code(&python, &stub, Some(&hook), &empty, CALLS, release);
    assert_eq!(
        ran.lines,
        [format!(
            "atlasod: release 2020e-13tev streams from CERN (no copy in {})",
            empty.display()
        )]
    );
    assert_eq!(ran.urls, [remote_data.clone(), remote_mc.clone()]);

    // without the hook, the same calls stream even with the copy there
    let ran = run_code(&python, &stub, None, &data, CALLS, release);
    assert!(ran.lines.is_empty(), "{:?}", ran.lines);
    assert_eq!(ran.urls, [remote_data, remote_mc]);
}
