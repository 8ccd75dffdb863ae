//! The roster: who the users are, from `users.roster` (a CSV beside the spec)
//! or `users.count` names made from `users.pattern`.
//!
//! Input: the spec's tree (for positions in the YAML) and its typed `users`.
//! Output: `users.students` filled in, and every problem found, located in the
//! CSV (file:line:col of the cell) or in the spec. The usernames are the ones
//! the hub sees: lowercase (JupyterHub lowercases every name at login), from
//! JupyterHub's safe characters, valid for the login method, each once.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::parse::csv::{self, Cell, Row};
use crate::parse::{BesideProblem, Parsed, Step, read_beside};
use crate::source::{SourceFile, Span};
use crate::spec::{AuthMethod, Spec, Student};

use super::suggest;

/// The columns a roster may have.
const COLUMNS: &[&str] = &["username", "name", "email", "group"];
/// What spreadsheets also call them.
const SYNONYMS: &[(&str, &str)] = &[
    ("user", "username"),
    ("login", "username"),
    ("e-mail", "email"),
    ("mail", "email"),
    ("full name", "name"),
];

/// Fills `spec.users.students`; returns the problems found.
pub(super) fn resolve(parsed: &Parsed, spec: &mut Spec) -> Diagnostics {
    let mut out = Diagnostics::new();
    let users = &spec.users;
    let at = |path: &[Step<'_>]| parsed.root.find_closest(path).0.node.span;
    if users.count.is_none() && users.roster.is_none() {
        let (found, _) = parsed.root.find_closest(&[Step::Key("users")]);
        let span = found.key_span.unwrap_or(found.node.span);
        out.push(
            Diagnostic::error(
                Code::MissingKey,
                &parsed.file,
                span,
                "missing key `count` or `roster` under `users`",
            )
            .label("`users` needs `count` or `roster`")
            .help("add under `users`: `count: 30`, or `roster: students.csv` (a class list beside the spec)"),
        );
        return out;
    }
    if let Some(pattern) = users.pattern.clone() {
        let span = at(&[Step::Key("users"), Step::Key("pattern")]);
        if users.roster.is_some() {
            out.push(
                Diagnostic::error(
                    Code::RosterSettings,
                    &parsed.file,
                    span,
                    "`users.pattern` and `users.roster` both say who the users are",
                )
                .label("not used with a roster")
                .help("remove `pattern`: the roster's rows are the accounts"),
            );
            return out;
        }
        let Some(count) = users.count else {
            return out;
        };
        spec.users.students = generated(&pattern, count);
        return out;
    }
    let Some(relative) = users.roster.clone() else {
        return out;
    };
    let span = at(&[Step::Key("users"), Step::Key("roster")]);
    let file = match read_beside(&parsed.file, &relative) {
        Ok(file) => file,
        Err(problem) => {
            let (label, help) = match problem {
                BesideProblem::Unreadable(error) => (
                    format!("cannot read it: {error}"),
                    "write the path of the class list relative to this spec's folder, e.g. `students.csv` beside it".to_owned(),
                ),
                BesideProblem::NotUtf8(at) => (
                    format!("not UTF-8 text (byte {at})"),
                    "save the class list as CSV UTF-8 (spreadsheets offer it under Save As or Export)".to_owned(),
                ),
            };
            out.push(
                Diagnostic::error(
                    Code::RosterUnreadable,
                    &parsed.file,
                    span,
                    format!("the roster `{relative}` cannot be read"),
                )
                .label(label)
                .help(help),
            );
            return out;
        }
    };
    let reader = Reader {
        file: &file,
        method: spec.auth.method,
        email_login: spec.auth.method == AuthMethod::Oidc
            && spec
                .auth
                .oidc
                .as_ref()
                .is_some_and(|o| o.username_claim == "email"),
        out: &mut out,
    };
    let (students, rows) = reader.read();
    if let Some(count) = spec.users.count {
        too_long(&file, count, &rows, &mut out);
    }
    spec.users.students = students;
    out
}

/// More rows than `users.count`: the first row too many.
fn too_long(file: &SourceFile, count: u32, rows: &[Row], out: &mut Diagnostics) {
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let Some(first) = rows.get(limit) else {
        return;
    };
    out.push(
        Diagnostic::error(
            Code::RosterTooLong,
            file,
            first.span,
            format!(
                "the roster has {} rows, more than `users.count: {count}`",
                rows.len()
            ),
        )
        .label(format!("row {} of {}: one too many", limit + 1, rows.len()))
        .help(format!(
            "raise `users.count` to {} in the spec, or remove it (it defaults to the roster's length)",
            rows.len()
        ))
        .note("`users.count` sizes the machine: every row is a user who may start a server"),
    );
}

/// `count` accounts named after `pattern`: `{n}` is the number, zero-padded to the
/// width of `count` and at least two digits.
fn generated(pattern: &str, count: u32) -> Vec<Student> {
    let width = count.to_string().len().max(2);
    (1..=count)
        .map(|n| Student {
            username: pattern.replacen("{n}", &format!("{n:0width$}"), 1),
            name: None,
            email: None,
            group: None,
        })
        .collect()
}

struct Reader<'a> {
    file: &'a SourceFile,
    method: AuthMethod,
    /// `oidc` with `username_claim: email`: users log in as their e-mail address.
    email_login: bool,
    out: &'a mut Diagnostics,
}

/// The column index of each known column.
#[derive(Default)]
struct Columns {
    index: BTreeMap<&'static str, usize>,
    len: usize,
}

impl Reader<'_> {
    fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, self.file, span, message)
    }

    /// The students and the data rows they came from.
    fn read(mut self) -> (Vec<Student>, Vec<Row>) {
        let rows = match csv::rows(self.file) {
            Ok(rows) => rows,
            Err(open) => {
                let d = self
                    .error(
                        Code::RosterColumns,
                        open.span,
                        "a quoted field of the roster never ends",
                    )
                    .label("this `\"` opens a field that no `\"` closes")
                    .help("close the field with `\"`, or write a quote inside a field as `\"\"`");
                self.out.push(d);
                return (Vec::new(), Vec::new());
            }
        };
        let Some((header, data)) = rows.split_first() else {
            let d = self
                .error(Code::RosterColumns, Span::new(0, 0), "the roster is empty")
                .label("no header row")
                .help("write a header row, then one row per student:\n  username,name,email\n  ana,Ana Lima,ana@example.org");
            self.out.push(d);
            return (Vec::new(), Vec::new());
        };
        let Some(columns) = self.header(header) else {
            return (Vec::new(), Vec::new());
        };
        if data.is_empty() {
            let d = self
                .error(
                    Code::RosterColumns,
                    header.span,
                    "the roster has a header but no students",
                )
                .label("only the header row")
                .help("add one row per student below the header");
            self.out.push(d);
        }
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut students = Vec::with_capacity(data.len());
        for row in data {
            if let Some(student) = self.row(&columns, row, &mut seen) {
                students.push(student);
            }
        }
        (students, data.to_vec())
    }

    fn header(&mut self, header: &Row) -> Option<Columns> {
        let mut columns = Columns {
            len: header.cells.len(),
            ..Columns::default()
        };
        let mut ok = true;
        for (i, cell) in header.cells.iter().enumerate() {
            let word = cell.text.trim().to_lowercase();
            let known = COLUMNS
                .iter()
                .copied()
                .find(|c| *c == word)
                .or_else(|| SYNONYMS.iter().find(|(s, _)| *s == word).map(|(_, c)| *c));
            let Some(known) = known else {
                let suggestion = suggest::closest(&word, COLUMNS.iter().copied());
                let d = self
                    .error(
                        Code::RosterColumns,
                        cell.span,
                        format!("unknown roster column `{}`", cell.text),
                    )
                    .label(suggestion.map_or_else(
                        || "unknown column".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    ))
                    .help(format!(
                        "name the columns in the header row: `username` or `name`, and optionally `email` and `group`{}",
                        suggestion.map_or_else(String::new, |s| format!(" (rename this one `{s}`)"))
                    ));
                self.out.push(d);
                ok = false;
                continue;
            };
            if let Some(&first) = columns.index.get(known) {
                let d = self
                    .error(
                        Code::RosterColumns,
                        cell.span,
                        format!("the roster has two `{known}` columns"),
                    )
                    .label("second one")
                    .secondary(header.cells[first].span, "first one")
                    .help("keep one of them: each column is read once");
                self.out.push(d);
                ok = false;
                continue;
            }
            columns.index.insert(known, i);
        }
        if ok && !columns.index.contains_key("username") && !columns.index.contains_key("name") {
            let d = self
                .error(
                    Code::RosterColumns,
                    header.span,
                    "the roster has no `username` or `name` column",
                )
                .label("the header row")
                .help("add a `username` column (what each student logs in as), or a `name` column to derive one from");
            self.out.push(d);
            ok = false;
        }
        ok.then_some(columns)
    }

    fn row(
        &mut self,
        columns: &Columns,
        row: &Row,
        seen: &mut BTreeMap<String, Span>,
    ) -> Option<Student> {
        if let Some(extra) = row.cells.get(columns.len) {
            let d = self
                .error(
                    Code::RosterColumns,
                    extra.span,
                    format!(
                        "this row has {} cells, but the header names {} columns",
                        row.cells.len(),
                        columns.len
                    ),
                )
                .label("a cell without a column")
                .help("remove the extra cells, or quote a value that holds a separator: \"Curie, Marie\"");
            self.out.push(d);
            return None;
        }
        let cell = |name: &str| -> Option<&Cell> {
            columns
                .index
                .get(name)
                .and_then(|&i| row.cells.get(i))
                .filter(|c| !c.text.trim().is_empty())
        };
        let name = cell("name");
        let email = cell("email").map(|c| c.text.trim().to_owned());
        let group = cell("group").map(|c| c.text.trim().to_owned());
        let (username, span, derived) = match (cell("username"), name) {
            (Some(u), _) => (u.text.trim().to_owned(), u.span, false),
            (None, Some(n)) => (derive(&n.text), n.span, true),
            (None, None) => {
                let d = self
                    .error(Code::InvalidUsername, row.span, "this row has no username")
                    .label(if columns.index.contains_key("username") {
                        "empty `username`"
                    } else {
                        "empty `name`"
                    })
                    .help("fill in the cell, or remove the row");
                self.out.push(d);
                return None;
            }
        };
        let login = if self.email_login {
            email.clone().unwrap_or_else(|| username.clone())
        } else {
            username.clone()
        };
        if let Some((message, label, help)) = self.problem(&login, derived) {
            let d = self
                .error(Code::InvalidUsername, span, message)
                .label(label)
                .help(help);
            self.out.push(d);
            return None;
        }
        if let Some(&first) = seen.get(&login) {
            let d = self
                .error(
                    Code::DuplicateUsername,
                    span,
                    format!("`{login}` is in the roster twice"),
                )
                .label(if derived {
                    format!("derived from this name: `{login}`")
                } else {
                    "second time".to_owned()
                })
                .secondary(first, "first time")
                .help(if derived {
                    "add a `username` column and give one of them another username".to_owned()
                } else {
                    "give each student a username of their own, or remove the repeated row"
                        .to_owned()
                })
                .note("two rows with one username would share one account, home and password");
            self.out.push(d);
            return None;
        }
        seen.insert(login.clone(), span);
        Some(Student {
            username: login,
            name: name.map(|n| n.text.trim().to_owned()),
            email,
            group,
        })
    }

    /// Why the hub or the login method cannot use `login`: message, label, help.
    fn problem(&self, login: &str, derived: bool) -> Option<(String, String, String)> {
        if login.is_empty() {
            return Some((
                "no username can be derived from this name".to_owned(),
                "no letter or digit a username can use".to_owned(),
                "add a `username` column and write this student's username there".to_owned(),
            ));
        }
        if self.email_login {
            return (!login.contains('@')).then(|| {
                (
                    format!("`{login}` is not an e-mail address, and with `username_claim: email` users log in as theirs"),
                    "not an e-mail address".to_owned(),
                    "add an `email` column with each student's address, or use `username_claim: preferred_username`".to_owned(),
                )
            });
        }
        if let Some(bad) = login.chars().find(|c| !is_safe(*c)) {
            return Some((
                format!("`{login}` cannot be a username: it has `{bad}`"),
                format!("`{bad}` is not allowed"),
                "use letters, digits, `.`, `_`, `@`, `+` and `-`: these reach a URL, a container name and a volume name unchanged".to_owned(),
            ));
        }
        if !login.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Some((
                format!("`{login}` cannot be a username: it must start with a letter or a digit"),
                "starts with a symbol".to_owned(),
                format!(
                    "write `{}`",
                    login.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                ),
            ));
        }
        if login.chars().any(|c| c.is_ascii_uppercase()) && !derived {
            return Some((
                format!(
                    "`{login}` has capital letters, and the hub lowercases every username at login"
                ),
                "has capital letters".to_owned(),
                format!(
                    "write `{}`: `{login}` would never match the account",
                    login.to_lowercase()
                ),
            ));
        }
        if self.method == AuthMethod::Github && !super::rules::is_github_login(login) {
            return Some((
                format!("`{login}` is not a GitHub username"),
                "not a GitHub login".to_owned(),
                "write each student's GitHub login: GitHub usernames have only letters, digits and single hyphens, at most 39 characters".to_owned(),
            ));
        }
        None
    }
}

/// A username from a person's name: lowercase ASCII letters and digits, words joined by `-`
/// (`Marie Skłodowska-Curie` → `marie-sklodowska-curie`).
pub fn derive(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.chars() {
        let folded = fold(c);
        if folded.is_empty() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push('-');
        }
        gap = false;
        out.push_str(folded);
    }
    out
}

/// A letter or digit as lowercase ASCII (accents dropped), or "" for anything else.
fn fold(c: char) -> &'static str {
    const ASCII: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower.is_ascii_alphanumeric() {
        let i = ASCII.find(lower).unwrap_or(0);
        return &ASCII[i..=i];
    }
    match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        _ => "",
    }
}

/// The characters of the schema's `username`: they reach the hub's URLs, DockerSpawner's
/// container and volume names and KubeSpawner's pod names without being mangled into
/// collisions.
fn is_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_usernames() {
        assert_eq!(derive("Marie Skłodowska-Curie"), "marie-sklodowska-curie");
        assert_eq!(derive("  José  Ñúñez "), "jose-nunez");
        assert_eq!(derive("李"), "");
    }

    #[test]
    fn patterns_are_padded_to_the_count() {
        let names: Vec<String> = generated("student-{n}", 100)
            .into_iter()
            .map(|s| s.username)
            .collect();
        assert_eq!(names[0], "student-001");
        assert_eq!(names[99], "student-100");
        assert_eq!(generated("s{n}", 3)[2].username, "s03");
    }
}
