//! The login sheet: one card per student, to print and hand out.
//!
//! Input: the workshop's title, the hub's URL, the login method and the roster
//! (with the passwords of `atlasod accounts` for `native`). Output: one
//! self-contained HTML document: inline CSS, the QR code of the URL as inline
//! SVG (the `qrcode` crate), no script, nothing fetched. Cards come ten to a
//! page (two columns of five, 92 x 48 mm), sized to fit inside the printable
//! area of both A4 and Letter with 10 mm margins; each page of cards is its own
//! block that ends with a page break, and a card never breaks inside, so no
//! card is ever split. The last pages list everyone for the trainer.

use std::fmt::Write as _;

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::Error;
use crate::spec::{AuthMethod, Student};

/// Cards per printed page: 2 columns x 5 rows.
pub const CARDS_PER_PAGE: usize = 10;

/// The paper the sheet is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    const fn css(self) -> &'static str {
        match self {
            Self::A4 => "A4",
            Self::Letter => "letter",
        }
    }
}

/// One card's account.
#[derive(Debug, Clone)]
pub struct Card<'a> {
    pub student: &'a Student,
    /// The password, for `native`.
    pub password: Option<&'a str>,
}

/// Everything the sheet shows.
#[derive(Debug, Clone)]
pub struct Sheet<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub method: AuthMethod,
    pub cards: Vec<Card<'a>>,
    pub paper: Paper,
}

/// The QR code of `text` as an inline `<svg>` element.
pub fn qr_svg(text: &str) -> Result<String, Error> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|e| Error::Usage(format!("the hub's URL cannot be a QR code: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // The renderer writes a standalone document; inline, only its `<svg>` element.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].to_owned())
}

/// `&`, `<`, `>`, `"` and `'` as HTML entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// How a student logs in, besides the username.
fn login_line(method: AuthMethod, password: Option<&str>) -> String {
    match (method, password) {
        (AuthMethod::Native, Some(p)) => {
            format!("<dt>Password</dt><dd class=\"secret\">{}</dd>", escape(p))
        }
        (AuthMethod::Native, None) => "<dt>Password</dt><dd>ask your trainer</dd>".to_owned(),
        (AuthMethod::SharedPassword, _) => {
            "<dt>Password</dt><dd>the workshop password, from your trainer</dd>".to_owned()
        }
        (AuthMethod::Github, _) => "<dt>Log in</dt><dd>with your GitHub account</dd>".to_owned(),
        (AuthMethod::Gitlab, _) => "<dt>Log in</dt><dd>with your GitLab account</dd>".to_owned(),
        (AuthMethod::Oidc, _) => {
            "<dt>Log in</dt><dd>with your institution's account</dd>".to_owned()
        }
        (AuthMethod::Dummy, _) => "<dt>Password</dt><dd>none needed</dd>".to_owned(),
    }
}

const STYLE: &str = r"
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font-family: 'DejaVu Sans', Arial, Helvetica, sans-serif; color: #000; }
.page { display: grid; grid-template-columns: 92mm 92mm; grid-auto-rows: 48mm; gap: 3mm 4mm; break-after: page; page-break-after: always; }
.card { break-inside: avoid; page-break-inside: avoid; border: 0.3mm dashed #555; padding: 3mm; display: flex; gap: 3mm; overflow: hidden; }
.card .qr { flex: 0 0 28mm; }
.card .qr svg { width: 28mm; height: 28mm; display: block; }
.card .text { flex: 1; min-width: 0; display: flex; flex-direction: column; gap: 1mm; }
.card h2 { font-size: 10pt; margin: 0; line-height: 1.2; }
.card .url { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; overflow-wrap: anywhere; }
.card .who { font-size: 8pt; color: #333; }
.card dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0.5mm 2mm; font-size: 9pt; }
.card dt { font-weight: bold; }
.card dd { margin: 0; font-family: 'DejaVu Sans Mono', monospace; overflow-wrap: anywhere; }
.card dd.secret { font-size: 10pt; white-space: nowrap; }
.admin h1 { font-size: 14pt; margin: 0 0 2mm; }
.admin p { font-size: 9pt; margin: 0 0 3mm; }
.admin table { border-collapse: collapse; width: 100%; font-size: 9pt; }
.admin th, .admin td { border: 0.2mm solid #888; padding: 1mm 2mm; text-align: left; }
.admin td.mono { font-family: 'DejaVu Sans Mono', monospace; }
.admin tr { break-inside: avoid; page-break-inside: avoid; }
";

/// The sheet as one HTML document.
pub fn render(sheet: &Sheet<'_>) -> Result<String, Error> {
    let qr = qr_svg(sheet.url)?;
    let title = escape(sheet.title);
    let url = escape(sheet.url);
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}: login cards</title>\n<style>\n@page {{ size: {}; margin: 10mm; }}{STYLE}</style>\n</head>\n<body>\n",
        sheet.paper.css()
    );
    for page in sheet.cards.chunks(CARDS_PER_PAGE) {
        html.push_str("<section class=\"page\">\n");
        for card in page {
            let s = card.student;
            let who = s
                .name
                .as_deref()
                .map(|n| format!("<div class=\"who\">{}</div>", escape(n)))
                .unwrap_or_default();
            let _ = writeln!(
                html,
                "<div class=\"card\" data-username=\"{user}\"><div class=\"qr\">{qr}</div><div class=\"text\"><h2>{title}</h2>{who}<div class=\"url\">{url}</div><dl><dt>Username</dt><dd>{user}</dd>{login}</dl></div></div>",
                user = escape(&s.username),
                login = login_line(sheet.method, card.password),
            );
        }
        html.push_str("</section>\n");
    }
    let _ = write!(
        html,
        "<section class=\"admin\">\n<h1>{title}: everyone ({n})</h1>\n<p>For the trainer. Hub: <span class=\"mono\">{url}</span>. Keep this page; shred the cards that were not handed out.</p>\n<table>\n<thead><tr><th>Username</th><th>Name</th><th>E-mail</th><th>Group</th>{pw}</tr></thead>\n<tbody>\n",
        n = sheet.cards.len(),
        pw = if sheet.method == AuthMethod::Native {
            "<th>Password</th>"
        } else {
            ""
        },
    );
    for card in &sheet.cards {
        let s = card.student;
        let cell = |v: Option<&String>| v.map(|v| escape(v)).unwrap_or_default();
        let _ = write!(
            html,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(&s.username),
            cell(s.name.as_ref()),
            cell(s.email.as_ref()),
            cell(s.group.as_ref())
        );
        if sheet.method == AuthMethod::Native {
            let _ = write!(
                html,
                "<td class=\"mono\">{}</td>",
                escape(card.password.unwrap_or(""))
            );
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n</section>\n</body>\n</html>\n");
    Ok(html)
}

/// A headless Chromium on this machine: `$ATLASOD_CHROMIUM`, else the first of the usual
/// names on `PATH`.
pub fn find_chromium() -> Option<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("ATLASOD_CHROMIUM") {
        return Some(path.into());
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// Prints `html` to the PDF `output` with the headless `chromium`.
pub fn print_pdf(
    chromium: &std::path::Path,
    html: &str,
    output: &std::path::Path,
) -> Result<(), Error> {
    let work = std::env::temp_dir().join(format!("atlasod-sheet-{}", std::process::id()));
    let write_err = |source| Error::Write {
        path: work.clone(),
        source,
    };
    std::fs::create_dir_all(&work).map_err(write_err)?;
    let page = work.join("sheet.html");
    std::fs::write(&page, html).map_err(write_err)?;
    let absolute = std::path::absolute(output).map_err(|source| Error::Write {
        path: output.to_path_buf(),
        source,
    })?;
    let result = std::process::Command::new(chromium)
        .arg("--headless")
        // The page is our own file, without script or network; Chromium refuses to run as root
        // (containers, CI) with its sandbox on.
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", absolute.display()))
        .arg(page.as_os_str())
        .output();
    let _ = std::fs::remove_dir_all(&work);
    let output_run =
        result.map_err(|e| Error::Usage(format!("cannot run `{}`: {e}", chromium.display())))?;
    if !output_run.status.success() || !absolute.is_file() {
        return Err(Error::Usage(format!(
            "`{}` did not print the PDF ({}):\n{}",
            chromium.display(),
            output_run.status,
            String::from_utf8_lossy(&output_run.stderr).trim()
        )));
    }
    Ok(())
}
