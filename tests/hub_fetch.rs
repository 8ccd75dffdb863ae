//! The bundle's dataset fetcher (`datasets/fetch.py` with its
//! `datasets.json`), run for real with `python3` against a file server on
//! 127.0.0.1: it downloads, checks and unpacks; a second run downloads
//! nothing; an interrupted download resumes with a range request; a SHA-256
//! or size mismatch stops that dataset with an error naming the file, and the
//! others are still fetched. Every target carries this same fetcher. Needs
//! `zip` to make the sample (skipped with `ATLASOD_SKIP_EXTERNAL=1` when
//! missing).
#![allow(clippy::unwrap_used)] // helpers of the tests: a failure is a test failure

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{LoopbackServer, repo, tool};

struct Server {
    server: LoopbackServer,
    log: PathBuf,
}

impl Server {
    fn start(root: &Path, log: PathBuf) -> Self {
        let mut command = Command::new("python3");
        command
            .arg(repo().join("tests/tools/range_server.py"))
            .arg(root)
            .arg(&log);
        Self {
            server: LoopbackServer::start(command),
            log,
        }
    }

    /// The GET requests since the last call, then forgets them.
    fn gets(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let _ = std::fs::remove_file(&self.log);
        text.lines()
            .filter(|l| l.starts_with("GET"))
            .map(str::to_owned)
            .collect()
    }
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// Renders the local bundle of a spec with the given `datasets:` block and
/// returns its fetch script (the list it reads is beside it).
fn fetch_script(dir: &Path, datasets: &str) -> PathBuf {
    let built = atlasod::program::build(
        atlasod::SourceFile::new("fetch-test.yaml", spec(datasets)),
        atlasod::Target::Local,
    )
    .unwrap_or_else(|e| panic!("the test spec does not build: {e:?}"));
    let _ = std::fs::remove_dir_all(dir);
    atlasod::bundle::write_files(&built.bundle, dir).unwrap();
    dir.join("datasets/fetch.py")
}

fn spec(datasets: &str) -> String {
    format!(
        "version: 1\nname: fetch-test\nusers:\n  count: 1\nauth:\n  method: dummy\nhub:\n  https: off\ndatasets:\n{datasets}"
    )
}

fn run(script: &Path, data: &Path) -> Output {
    Command::new("python3")
        .arg(script)
        .env_remove("ATLASOD_DATASETS")
        .env("ATLASOD_DATA_DIR", data)
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Writes the files to serve: a zip of two files and a plain file; returns
/// the zip's size and the plain file's SHA-256.
fn make_samples(files: &Path) -> (u64, String) {
    std::fs::create_dir_all(files.join("src/sample")).unwrap();
    // a zip of two files, and a plain file known by its SHA-256
    for (name, size) in [("a.root", 40_000), ("b.root", 60_000)] {
        let bytes: Vec<u8> = (0..size)
            .map(|i| u8::try_from(i * 7 % 251).unwrap())
            .collect();
        std::fs::write(files.join("src/sample").join(name), bytes).unwrap();
    }
    let zipped = Command::new("zip")
        .current_dir(files.join("src"))
        .args(["-q", "-0", "-r", "../sample.zip", "sample"])
        .status()
        .unwrap();
    assert!(zipped.success());
    let mut skim = std::fs::File::create(files.join("skim.root")).unwrap();
    for i in 0..5000u32 {
        writeln!(skim, "event {i}").unwrap();
    }
    drop(skim);
    (
        std::fs::metadata(files.join("sample.zip")).unwrap().len(),
        sha256_hex(&files.join("skim.root")),
    )
}

#[test]
fn datasets_download_once_resume_and_fail_loudly() {
    if tool("python3").is_none() || tool("zip").is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hub-fetch");
    let _ = std::fs::remove_dir_all(&root);
    let files = root.join("served");
    let (zip_size, skim_sha) = make_samples(&files);
    let server = Server::start(&files, root.join("requests.log"));
    let base = format!("http://127.0.0.1:{}", server.server.port);
    // sizes in the spec are rounded figures, like a trainer writes them (here, 1 % off)
    #[allow(clippy::cast_precision_loss)]
    let written_size = format!("{:.6}MB", zip_size as f64 * 1.01 / 1e6);
    let good = format!(
        "  - name: sample\n    url: {base}/sample.zip\n    size: {written_size}\n  - name: skim\n    url: {base}/skim.root\n    sha256: \"{skim_sha}\"\n"
    );
    let script = fetch_script(&root.join("bundle"), &good);
    let data = root.join("data");

    // 1. first run: downloads, verifies, unpacks
    let first = run(&script, &data);
    assert!(
        first.status.success(),
        "first run failed:\n{}",
        text(&first)
    );
    assert_eq!(
        std::fs::read(data.join("sample/sample/b.root")).unwrap(),
        std::fs::read(files.join("src/sample/b.root")).unwrap()
    );
    assert_eq!(sha256_hex(&data.join("skim/skim.root")), skim_sha);
    assert!(
        !data.join("sample/sample.zip").exists(),
        "the zip was kept after unpacking"
    );
    assert!(
        !data.join(".atlasod-partial").exists(),
        "partial downloads were left behind"
    );
    assert_eq!(server.gets().len(), 2, "one GET per file");

    // 2. second run: nothing downloaded
    let second = run(&script, &data);
    assert!(
        second.status.success(),
        "second run failed:\n{}",
        text(&second)
    );
    assert!(text(&second).contains("sample: already in place"));
    assert_eq!(
        server.gets(),
        Vec::<String>::new(),
        "a complete dataset was downloaded again"
    );

    // 3. an interrupted download resumes where it stopped
    std::fs::remove_dir_all(data.join("skim")).unwrap();
    let partial = data.join(".atlasod-partial/skim");
    std::fs::create_dir_all(&partial).unwrap();
    let whole = std::fs::read(files.join("skim.root")).unwrap();
    std::fs::write(partial.join("skim.root"), &whole[..whole.len() / 3]).unwrap();
    let resumed = run(&script, &data);
    assert!(
        resumed.status.success(),
        "resume failed:\n{}",
        text(&resumed)
    );
    let gets = server.gets();
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert!(
        gets[0].ends_with(&format!("range={}-", whole.len() / 3)),
        "not resumed: {gets:?}"
    );
    assert_eq!(sha256_hex(&data.join("skim/skim.root")), skim_sha);

    // 4. a wrong SHA-256 stops with an error naming the file, and keeps nothing
    let bad_sha = good.replace(&skim_sha, &"a".repeat(64));
    let script = fetch_script(&root.join("bundle-bad-sha"), &bad_sha);
    let data = root.join("data-bad-sha");
    let failed = run(&script, &data);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(
        text(&failed).contains("skim: skim.root does not have the SHA-256"),
        "{}",
        text(&failed)
    );
    assert!(!data.join("skim").exists());

    // 5. a size far from the one written stops with an error naming the file
    let bad_size = good.replace(&written_size, "2MB");
    let script = fetch_script(&root.join("bundle-bad-size"), &bad_size);
    let data = root.join("data-bad-size");
    let failed = run(&script, &data);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(
        text(&failed).contains(&format!(
            "sample: sample.zip has {zip_size} bytes, expected 1800000 to 2200000"
        )),
        "{}",
        text(&failed)
    );
    assert!(!data.join("sample").exists());
    // ... and does not keep the datasets after it from their users: `skim` is in place,
    // and the last line names what is missing
    assert_eq!(sha256_hex(&data.join("skim/skim.root")), skim_sha);
    assert!(
        text(&failed).contains("error: not in place: sample (the others are)"),
        "{}",
        text(&failed)
    );
}

/// A 2020 collection (`atlas-2020-13tev-4lep`) unpacks to `/data/<id>/` and is linked, a
/// relative symlink, at the catalogue's `layout` (`OutreachDatasets/2020-01-22/4lep`, its
/// path below `/eos/opendata/atlas/`), where `set_release(R, local_path=/data)` reads it.
/// Idempotent: a second run changes nothing and downloads nothing; a link removed is put
/// back without a download. The listing is the bundle's, with the zip's URL and size those
/// of the loopback copy.
#[test]
fn a_2020_collection_is_linked_where_set_release_reads_it() {
    if tool("python3").is_none() || tool("zip").is_none() {
        return;
    }
    let root = support::bundles::scratch(&["hub-fetch-2020"]);
    let served = root.join("served");
    let collection = served.join("src/4lep");
    for (dir, file) in [
        ("Data", "data_A.4lep.root"),
        ("MC", "mc_345060.ggH125_ZZ4lep.4lep.root"),
    ] {
        std::fs::create_dir_all(collection.join(dir)).unwrap();
        std::fs::write(collection.join(dir).join(file), format!("ntuple {file}")).unwrap();
    }
    let zipped = Command::new("zip")
        .current_dir(served.join("src"))
        .args(["-q", "-r", "../4lep.zip", "4lep"])
        .status()
        .unwrap();
    assert!(zipped.success());
    let http = Server::start(&served, root.join("requests.log"));
    let script = fetch_script(&root.join("bundle"), "  - atlas-2020-13tev-4lep\n");
    let built = std::fs::read_to_string(script.with_file_name("datasets.json")).unwrap();
    assert!(
        built.contains("\"layout\": \"OutreachDatasets/2020-01-22/4lep\""),
        "{built}"
    );
    let listing = root.join("datasets.json");
    std::fs::write(
        &listing,
        support::bundles::loopback_listing(
            &script.with_file_name("datasets.json"),
            &format!("http://127.0.0.1:{}", http.server.port),
            &served,
        ),
    )
    .unwrap();
    let data = root.join("data");
    let fetch = || {
        let mut command = Command::new("python3");
        command
            .arg(&script)
            .env("ATLASOD_DATASETS", &listing)
            .env("ATLASOD_DATA_DIR", &data)
            .env_remove("http_proxy")
            .env("NO_PROXY", "127.0.0.1");
        command.output().unwrap()
    };
    let linked = data.join("OutreachDatasets/2020-01-22/4lep");
    let check = |out: &Output| {
        assert!(out.status.success(), "{}", text(out));
        assert_eq!(
            std::fs::read_link(&linked).unwrap(),
            Path::new("../../atlas-2020-13tev-4lep/4lep"),
            "{}",
            text(out)
        );
        assert_eq!(
            std::fs::read_to_string(linked.join("Data/data_A.4lep.root")).unwrap(),
            "ntuple data_A.4lep.root"
        );
    };

    let first = fetch();
    check(&first);
    assert!(
        text(&first).contains(
            "atlas-2020-13tev-4lep: linked at OutreachDatasets/2020-01-22/4lep for set_release"
        ),
        "{}",
        text(&first)
    );
    assert_eq!(http.gets().len(), 1);

    let second = fetch();
    check(&second);
    assert!(!text(&second).contains("linked at"), "{}", text(&second));
    assert!(http.gets().is_empty(), "downloaded again");

    std::fs::remove_file(&linked).unwrap();
    let third = fetch();
    check(&third);
    assert!(text(&third).contains("linked at"), "{}", text(&third));
    assert!(http.gets().is_empty(), "downloaded again");
}
