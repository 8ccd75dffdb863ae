//! The roster's accounts and the login sheet, end to end through the binary:
//! `atlasod accounts` writes private, stable passwords beside the bundle (never
//! into it), and `atlasod sheet --format pdf` prints cards that a real browser
//! (Debian's headless `chromium`) lays out: the page count for 30 and 31
//! students (`pdfinfo`), no card split across pages (each page's text and QR
//! codes, `pdftotext` and `zbarimg` on a `pdftoppm` render), and every QR code
//! decodes to the hub's URL.

// Tests may unwrap (clippy.toml allows it in #[test] functions; this covers their helpers).
#![allow(clippy::unwrap_used)]
// The page counts, timings and QR decodes are the evidence these tests exist for: shown with --nocapture.
#![allow(clippy::print_stderr)]

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use support::{atlasod_in, run, tool};

const URL: &str = "https://hub.example.org";

/// A workshop with `n` students (`name,email` rows) in a new folder.
fn workshop(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("name,email\n");
    for i in 1..=n {
        let _ = writeln!(csv, "Student Number{i},s{i}@example.org");
    }
    std::fs::write(dir.path().join("students.csv"), csv).unwrap();
    std::fs::write(
        dir.path().join("workshop.yaml"),
        "version: 1\nname: sheet-test\ntitle: Masterclass <sheet> & cards\nusers:\n  roster: students.csv\n",
    )
    .unwrap();
    dir
}

/// The (username, password) rows of the local bundle's `accounts.csv`.
fn passwords(dir: &Path) -> Vec<(String, String)> {
    rows(&std::fs::read_to_string(dir.join("bundle/local/accounts.csv")).unwrap())
}

/// The (username, password) rows of an `accounts.csv` (below its comment and header lines).
fn rows(accounts: &str) -> Vec<(String, String)> {
    accounts
        .lines()
        .skip(2)
        .map(|l| {
            let (u, p) = l.split_once(',').unwrap();
            (u.to_owned(), p.to_owned())
        })
        .collect()
}

/// The passwords file is the owner's alone (0600).
fn assert_private(file: &Path, what: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{what}");
}

/// The bundle's `.gitignore` names the passwords file, and its manifest does not.
fn assert_kept_out_of_git_and_manifest(bundle: &Path, what: &str) {
    let gitignore = std::fs::read_to_string(bundle.join(".gitignore")).unwrap();
    assert!(
        gitignore.lines().any(|l| l == "accounts.csv"),
        "{what}: {gitignore}"
    );
    let manifest = std::fs::read_to_string(bundle.join(".atlasod/manifest.json")).unwrap();
    assert!(!manifest.contains("accounts.csv"), "{what}: {manifest}");
}

#[test]
fn accounts_are_private_stable_outside_the_bundle_and_rotate_on_request() {
    let dir = workshop(3);
    let d = dir.path();
    run(atlasod_in(d).args(["build", "--target", "local"])).assert_ok("build");
    run(atlasod_in(d).arg("accounts")).assert_ok("accounts");
    let first = passwords(d);
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].0, "student-number1");
    assert_private(
        &d.join("bundle/local/accounts.csv"),
        "bundle/local/accounts.csv",
    );
    // A rebuild keeps the file; a second run keeps every password.
    run(atlasod_in(d).args(["build", "--target", "local"])).assert_ok("rebuild");
    let again = run(atlasod_in(d).arg("accounts"));
    again.assert_ok("accounts again");
    assert_eq!(passwords(d), first);
    assert!(!again.all().contains(&first[0].1), "a password was printed");
    // No password is in any file of the bundle, nor in its manifest; the .gitignore names the file.
    let bundle = d.join("bundle/local");
    for (path, text) in bundle_files(&bundle) {
        for (user, password) in &first {
            assert!(
                !text.contains(password.as_str()),
                "{user}'s password is in {}",
                path.display()
            );
        }
    }
    assert_kept_out_of_git_and_manifest(&bundle, "local");
    // Rotation: only the named user, then everyone.
    run(atlasod_in(d).args(["accounts", "--rotate", "student-number2"])).assert_ok("rotate");
    let rotated = passwords(d);
    assert_eq!(rotated[0], first[0]);
    assert_ne!(rotated[1], first[1]);
    assert_eq!(rotated[2], first[2]);
    let unknown = run(atlasod_in(d).args(["accounts", "--rotate", "nobody"]));
    assert_eq!(unknown.code, Some(2), "{}", unknown.all());
    assert!(unknown.stderr.contains("`nobody` is not on the roster"));
    run(atlasod_in(d).args(["accounts", "--all"])).assert_ok("rotate all");
    let all = passwords(d);
    assert!(
        all.iter()
            .zip(&rotated)
            .all(|(a, b)| a.0 == b.0 && a.1 != b.1)
    );
    // A student leaves the roster: their line goes.
    std::fs::write(
        d.join("students.csv"),
        "name\nStudent Number1\nStudent Number3\n",
    )
    .unwrap();
    let removed = run(atlasod_in(d).arg("accounts"));
    removed.assert_ok("after a removal");
    assert!(
        removed.stdout.contains("1 removed (student-number2)"),
        "{}",
        removed.stdout
    );
    let names: Vec<String> = passwords(d).into_iter().map(|(u, _)| u).collect();
    assert_eq!(names, ["student-number1", "student-number3"]);
}

/// Every file under `dir` but the passwords file, as text.
fn bundle_files(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "accounts.csv" {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                files.push((path, text));
            }
        }
    }
    files
}

/// The same on every target: `atlasod accounts --target T` writes `bundle/T/accounts.csv` (0600),
/// which a rebuild keeps and no file of any bundle nor its manifest holds; each bundle's root
/// `.gitignore` names it; and `atlasod sheet --target T` prints the cards with the hub's URL (the
/// domain) and those passwords, or says how to give the address when the spec has no domain.
#[test]
fn every_target_keeps_the_passwords_beside_its_bundle_and_prints_them() {
    const TARGETS: [&str; 5] = ["local", "aws", "gcp", "openstack", "kubernetes"];
    let dir = workshop(3);
    let d = dir.path();
    let spec = "version: 1\nname: sheet-test\nusers:\n  roster: students.csv\nhub:\n  domain: hub.example.org\ncloud:\n  local: {}\n  aws:\n    region: eu-central-1\n  gcp:\n    project: my-project\n    region: europe-west1\n  openstack:\n    auth_url: https://keystone.example.org:5000/v3\n    network: my-net\n    floating_ip_pool: public\n  kubernetes: {}\n";
    std::fs::write(d.join("workshop.yaml"), spec).unwrap();
    run(atlasod_in(d).args(["build", "-q"])).assert_ok("build");
    let mut all = Vec::new();
    for target in TARGETS {
        let ran = run(atlasod_in(d).args(["accounts", "--target", target]));
        ran.assert_ok(&format!("accounts --target {target}"));
        let next = if target == "local" {
            "docker compose restart hub"
        } else {
            "terraform apply"
        };
        assert!(ran.stdout.contains(next), "{target}: {}", ran.stdout);
        let file = d.join("bundle").join(target).join("accounts.csv");
        assert_private(&file, target);
        let text = std::fs::read_to_string(&file).unwrap();
        let mine = rows(&text);
        assert_eq!(mine.len(), 3, "{target}: {text}");
        let sheet = format!("sheet-{target}.html");
        run(atlasod_in(d).args(["sheet", "--target", target, "-o", sheet.as_str()]))
            .assert_ok(&format!("sheet --target {target}"));
        let html = std::fs::read_to_string(d.join(&sheet)).unwrap();
        // a laptop rehearses a spec with a domain on localhost
        let url = if target == "local" {
            "https://localhost:8443"
        } else {
            "https://hub.example.org"
        };
        assert!(html.contains(url), "{target}: {url}");
        for (user, password) in &mine {
            assert!(html.contains(password.as_str()), "{target}: {user}");
        }
        all.extend(mine.into_iter().map(|(u, p)| (target, u, p)));
        std::fs::remove_file(d.join(&sheet)).unwrap();
    }
    // A rebuild keeps every passwords file as it is.
    let before: Vec<String> = TARGETS
        .iter()
        .map(|t| std::fs::read_to_string(d.join("bundle").join(t).join("accounts.csv")).unwrap())
        .collect();
    run(atlasod_in(d).args(["build", "-q"])).assert_ok("rebuild");
    for (target, text) in TARGETS.iter().zip(&before) {
        let file = d.join("bundle").join(target).join("accounts.csv");
        assert_eq!(&std::fs::read_to_string(file).unwrap(), text, "{target}");
    }
    for target in TARGETS {
        let bundle = d.join("bundle").join(target);
        let files = bundle_files(&bundle);
        assert!(files.len() > 5, "{target}: {} files", files.len());
        for (path, text) in &files {
            for (of, user, password) in &all {
                assert!(
                    !text.contains(password.as_str()),
                    "{of}'s password of {user} is in {}",
                    path.display()
                );
            }
        }
        assert_kept_out_of_git_and_manifest(&bundle, target);
    }
    // Without a domain a VM's or cluster's address comes from Terraform, after the apply.
    std::fs::write(
        d.join("workshop.yaml"),
        spec.replace("hub:\n  domain: hub.example.org\n", ""),
    )
    .unwrap();
    for target in ["aws", "kubernetes"] {
        let ran = run(atlasod_in(d).args(["sheet", "--target", target, "-o", "x.html"]));
        assert_eq!(ran.code, Some(2), "{target}: {}", ran.all());
        assert!(
            ran.stderr.contains(&format!(
                "terraform -chdir=<bundle>/{target}/terraform output -raw hub_url"
            )),
            "{target}: {}",
            ran.stderr
        );
    }
}

#[test]
fn the_html_sheet_is_self_contained_and_escapes_every_value() {
    let dir = workshop(3);
    let d = dir.path();
    run(atlasod_in(d).arg("accounts")).assert_ok("accounts");
    run(atlasod_in(d).args(["sheet", "--url", URL, "-o", "sheet.html"])).assert_ok("sheet");
    let html = std::fs::read_to_string(d.join("sheet.html")).unwrap();
    assert_eq!(html.matches("class=\"card\"").count(), 3);
    assert!(html.contains("Masterclass &lt;sheet&gt; &amp; cards"));
    assert!(!html.contains("<sheet>"));
    assert_eq!(html.matches("<svg").count(), 3, "one inline QR per card");
    for (_, password) in passwords(d) {
        assert_eq!(
            html.matches(password.as_str()).count(),
            2,
            "card and admin page"
        );
    }
    for fetch in ["src=", "href=", "@import", "url(", "<script", "<link"] {
        assert!(
            !html.contains(fetch),
            "the sheet fetches something: {fetch}"
        );
    }
    assert!(html.contains("@page { size: A4; margin: 10mm; }"));
}

#[test]
fn pdf_without_chromium_says_how_to_get_one() {
    let dir = workshop(1);
    let d = dir.path();
    run(atlasod_in(d).arg("accounts")).assert_ok("accounts");
    let ran = run(atlasod_in(d)
        .env("PATH", "/nonexistent")
        .env_remove("ATLASOD_CHROMIUM")
        .args(["sheet", "--format", "pdf", "-o", "s.pdf"]));
    assert_eq!(ran.code, Some(2), "{}", ran.all());
    assert!(
        ran.stderr.contains("apt-get install chromium"),
        "{}",
        ran.stderr
    );
}

/// Prints the sheet of `n` students with Chromium on `paper`; checks pages, cards and QR codes.
fn printed(n: usize, paper: &str, expected_pages: usize) {
    let (Some(chromium), Some(pdfinfo), Some(pdftoppm), Some(pdftotext), Some(zbarimg)) = (
        tool("chromium"),
        tool("pdfinfo"),
        tool("pdftoppm"),
        tool("pdftotext"),
        tool("zbarimg"),
    ) else {
        return;
    };
    let dir = workshop(n);
    let d = dir.path();
    run(atlasod_in(d).arg("accounts")).assert_ok("accounts");
    let started = std::time::Instant::now();
    run(atlasod_in(d).env("ATLASOD_CHROMIUM", &chromium).args([
        "sheet",
        "--url",
        URL,
        "--paper",
        paper,
        "--format",
        "pdf",
        "-o",
        "sheet.pdf",
    ]))
    .assert_ok("sheet --format pdf");
    eprintln!(
        "{n} students, {paper}: printed in {:.1?}",
        started.elapsed()
    );
    let info = run(Command::new(&pdfinfo).arg(d.join("sheet.pdf")));
    info.assert_ok("pdfinfo");
    let pages: usize = info
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    eprintln!("{n} students, {paper}: {pages} pages");
    assert_eq!(pages, expected_pages, "{n} students on {paper}");
    let size = info
        .stdout
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap();
    let want = if paper == "a4" { "(A4)" } else { "(letter)" };
    assert!(size.contains(want), "{size}");
    let accounts = passwords(d);
    let card_pages = n.div_ceil(10);
    for page in 1..=card_pages {
        let p = page.to_string();
        let text = run(Command::new(&pdftotext)
            .args(["-layout", "-f", &p, "-l", &p])
            .arg(d.join("sheet.pdf"))
            .arg("-"));
        text.assert_ok("pdftotext");
        let on_page = &accounts[(page - 1) * 10..(page * 10).min(n)];
        // Every card of this page is whole on it: its username and its password.
        for (user, password) in on_page {
            assert!(
                text.stdout.contains(user.as_str()),
                "page {page}: no {user}"
            );
            assert!(
                text.stdout.contains(password.as_str()),
                "page {page}: {user}'s password is not beside the username"
            );
        }
        assert_eq!(
            text.stdout.matches("Username").count(),
            on_page.len(),
            "page {page}: cards of other pages, or split ones"
        );
        let png = d.join(format!("page-{page}"));
        run(Command::new(&pdftoppm)
            .args(["-png", "-r", "150", "-singlefile", "-f", &p, "-l", &p])
            .arg(d.join("sheet.pdf"))
            .arg(&png))
        .assert_ok("pdftoppm");
        let decoded = run(Command::new(&zbarimg)
            .args(["-q", "--raw"])
            .arg(png.with_extension("png")));
        let codes: Vec<&str> = decoded.stdout.lines().collect();
        eprintln!(
            "{n} students, {paper}, page {page}: {} QR codes decode to {:?}",
            codes.len(),
            {
                let mut u = codes.clone();
                u.dedup();
                u
            }
        );
        assert_eq!(codes.len(), on_page.len(), "page {page}: {}", decoded.all());
        assert!(codes.iter().all(|c| *c == URL), "{codes:?}");
    }
}

#[test]
fn thirty_students_print_on_three_pages_and_the_list() {
    printed(30, "a4", 4);
}

#[test]
fn thirty_one_students_need_a_fourth_page_of_cards() {
    printed(31, "a4", 5);
    printed(31, "letter", 5);
}
