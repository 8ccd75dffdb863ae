//! The schema's `pattern`s, matched without a regex engine's compile cost.
//!
//! A spec reaches a few of the schema's patterns once each, so what a pattern
//! costs is mostly its compile: `regex-lite` spent about a million
//! instructions on them (it expands `{0,61}` and `{0,127}` into copies of the
//! class, through its general compiler), half of every `check`. The patterns
//! are simple: anchored, literal characters, classes, groups with
//! alternatives and the greedy quantifiers. [`Pattern::new`] reads that subset
//! (and says `None` to anything else) into a small program, and
//! [`Pattern::is_match`] searches it: a depth-first walk that visits each
//! (instruction, position) pair at most once, so a match costs at most the
//! program's length times the text's, whatever the pattern (no exponential
//! backtracking).
//!
//! The meaning is the `regex` crate's, which jsonschema would use: a search
//! (a pattern need not match the whole text), `^` the start of the text, `$`
//! its end (not before a final newline), classes of Unicode characters.
//! `validate::schema::tests::both_engines_agree_on_every_pattern` holds the
//! two to the same answer on every pattern of the schema.

/// A pattern read into a program; see the module's documentation.
#[derive(Debug)]
pub struct Pattern {
    program: Vec<Step>,
    classes: Vec<Class>,
    /// The pattern starts with `^`: only a match from the text's start counts.
    anchored: bool,
}

/// One instruction of a [`Pattern`]'s program.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// One character of the class with this index.
    Char(u16),
    /// From `min` to `max` characters of the class, every count tried (a quantified class,
    /// `[a-z0-9-]{0,61}`, in one step instead of 61 copies).
    Run {
        class: u16,
        min: u32,
        max: u32,
    },
    /// Go on at both (the first is the greedy way).
    Split(u32, u32),
    Jump(u32),
    /// `$`: only at the end of the text.
    End,
    Match,
}

/// A character class: its ASCII members as a bitmap, the rest as ranges.
#[derive(Debug, Default)]
struct Class {
    ascii: u128,
    /// Inclusive ranges above ASCII (before negation).
    ranges: Vec<(char, char)>,
    negated: bool,
}

impl Class {
    fn add(&mut self, low: char, high: char) {
        for c in low..=high.min('\u{7f}') {
            self.ascii |= 1 << (c as u32);
        }
        if high > '\u{7f}' {
            self.ranges.push((low.max('\u{80}'), high));
        }
    }

    fn contains(&self, c: char) -> bool {
        let member = if c.is_ascii() {
            self.ascii & (1 << (c as u32)) != 0
        } else {
            self.ranges.iter().any(|&(low, high)| low <= c && c <= high)
        };
        member != self.negated
    }
}

/// A pattern read into a tree, before it becomes a program.
enum Node {
    Class(u16),
    Concat(Vec<Node>),
    Alternatives(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// Programs longer than this are left to a regex engine (a group under `{1000}`
/// would make one of a thousand copies).
const MAX_PROGRAM: usize = 4096;

impl Pattern {
    /// The pattern read into a program, or `None` when it uses anything
    /// beyond the subset this reads (the caller then asks a regex engine).
    pub fn new(source: &str) -> Option<Self> {
        let mut reader = Reader {
            chars: source.chars().collect(),
            at: 0,
            classes: Vec::new(),
        };
        let anchored = reader.eat('^');
        let tree = reader.alternatives()?;
        let ends = reader.eat('$');
        // `^a|b` is `(^a)|b` and `a|b$` is `a|(b$)`: anchors beside top-level alternatives
        // are not read here.
        let split_anchor = (anchored || ends) && matches!(tree, Node::Alternatives(_));
        if reader.at != reader.chars.len() || split_anchor {
            return None;
        }
        let mut program = Vec::new();
        emit(&tree, &mut program)?;
        if ends {
            program.push(Step::End);
        }
        program.push(Step::Match);
        (program.len() <= MAX_PROGRAM).then_some(Self {
            program,
            classes: reader.classes,
            anchored,
        })
    }

    /// Whether the pattern matches somewhere in `text` (at its start when anchored).
    pub fn is_match(&self, text: &str) -> bool {
        let width = text.len() + 1;
        let mut seen = vec![0u64; (self.program.len() * width).div_ceil(64)];
        let mut todo: Vec<(u32, usize)> = Vec::new();
        if self.anchored {
            todo.push((0, 0));
        } else {
            todo.extend(text.char_indices().map(|(at, _)| (0, at)));
            todo.push((0, text.len()));
        }
        while let Some((pc, at)) = todo.pop() {
            let state = pc as usize * width + at;
            let (word, bit) = (state / 64, 1u64 << (state % 64));
            if seen[word] & bit != 0 {
                continue;
            }
            seen[word] |= bit;
            match self.program[pc as usize] {
                Step::Char(class) => {
                    if let Some(c) = text[at..].chars().next() {
                        if self.classes[usize::from(class)].contains(c) {
                            todo.push((pc + 1, at + c.len_utf8()));
                        }
                    }
                }
                Step::Run { class, min, max } => {
                    let class = &self.classes[usize::from(class)];
                    let mut end = at;
                    let mut count = 0;
                    loop {
                        if count >= min {
                            todo.push((pc + 1, end));
                        }
                        if count == max {
                            break;
                        }
                        match text[end..].chars().next() {
                            Some(c) if class.contains(c) => {
                                end += c.len_utf8();
                                count += 1;
                            }
                            _ => break,
                        }
                    }
                }
                Step::Split(first, second) => {
                    todo.push((second, at));
                    todo.push((first, at));
                }
                Step::Jump(to) => todo.push((to, at)),
                Step::End => {
                    if at == text.len() {
                        todo.push((pc + 1, at));
                    }
                }
                Step::Match => return true,
            }
        }
        false
    }
}

/// Appends the program of `node`; `None` when it grows past [`MAX_PROGRAM`].
fn emit(node: &Node, program: &mut Vec<Step>) -> Option<()> {
    if program.len() > MAX_PROGRAM {
        return None;
    }
    let here = |program: &Vec<Step>| u32::try_from(program.len()).ok();
    match node {
        Node::Class(class) => program.push(Step::Char(*class)),
        Node::Concat(nodes) => {
            for node in nodes {
                emit(node, program)?;
            }
        }
        Node::Alternatives(nodes) => {
            // Split(a, next) a Jump(end) next: Split(b, next') b Jump(end) ... last
            let mut jumps = Vec::new();
            for (i, node) in nodes.iter().enumerate() {
                if i + 1 < nodes.len() {
                    let split = program.len();
                    let first = here(program)? + 1;
                    program.push(Step::Split(first, 0));
                    emit(node, program)?;
                    jumps.push(program.len());
                    program.push(Step::Jump(0));
                    program[split] = Step::Split(first, here(program)?);
                } else {
                    emit(node, program)?;
                }
            }
            let end = here(program)?;
            for jump in jumps {
                program[jump] = Step::Jump(end);
            }
        }
        Node::Repeat { node, min, max } => {
            if let Node::Class(class) = **node {
                program.push(Step::Run {
                    class,
                    min: *min,
                    max: max.unwrap_or(u32::MAX),
                });
                return Some(());
            }
            for _ in 0..*min {
                emit(node, program)?;
            }
            match max {
                None => {
                    // loop: Split(body, exit) body Jump(loop) exit:
                    let start = program.len();
                    let body = here(program)? + 1;
                    program.push(Step::Split(body, 0));
                    emit(node, program)?;
                    program.push(Step::Jump(body - 1));
                    program[start] = Step::Split(body, here(program)?);
                }
                Some(max) => {
                    // (max - min) times: Split(body, exit) body; all to the same exit.
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push((program.len(), here(program)? + 1));
                        program.push(Step::Split(0, 0));
                        emit(node, program)?;
                    }
                    let exit = here(program)?;
                    for (split, body) in splits {
                        program[split] = Step::Split(body, exit);
                    }
                }
            }
        }
    }
    Some(())
}

/// Reads a pattern's text into a [`Node`] tree, collecting its classes.
struct Reader {
    chars: Vec<char>,
    at: usize,
    classes: Vec<Class>,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let here = self.peek() == Some(c);
        self.at += usize::from(here);
        here
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn class(&mut self, class: Class) -> Option<Node> {
        self.classes.push(class);
        u16::try_from(self.classes.len() - 1).ok().map(Node::Class)
    }

    /// `a|b|c`, up to a `)` or the pattern's end (or a final `$`).
    fn alternatives(&mut self) -> Option<Node> {
        let mut options = vec![self.concat()?];
        while self.eat('|') {
            options.push(self.concat()?);
        }
        Some(if options.len() == 1 {
            options.pop()?
        } else {
            Node::Alternatives(options)
        })
    }

    fn concat(&mut self) -> Option<Node> {
        let mut nodes = Vec::new();
        loop {
            match self.peek() {
                None | Some('|' | ')') => break,
                // `$` is read only as the pattern's last character, by `Pattern::new`.
                Some('$') if self.at + 1 == self.chars.len() => break,
                _ => {}
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Some(Node::Concat(nodes))
    }

    fn atom(&mut self) -> Option<Node> {
        match self.next()? {
            '(' => {
                if self.peek() == Some('?') {
                    return None;
                }
                let inner = self.alternatives()?;
                self.eat(')').then_some(inner)
            }
            '[' => {
                let class = self.bracket()?;
                self.class(class)
            }
            '\\' => {
                let c = self.escape()?;
                let mut class = Class::default();
                class.add(c, c);
                self.class(class)
            }
            // Anything with a meaning this does not read: `.`, `^` or `$` inside, a stray quantifier.
            '.' | '^' | '$' | '*' | '+' | '?' | '{' | '}' | ']' => None,
            c => {
                let mut class = Class::default();
                class.add(c, c);
                self.class(class)
            }
        }
    }

    /// After `\`: a character that stands for itself, or `uXXXX`.
    fn escape(&mut self) -> Option<char> {
        match self.next()? {
            'u' => {
                let digits: String = (0..4).map(|_| self.next()).collect::<Option<_>>()?;
                if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
            }
            // The meta characters, and a few more that stand for themselves escaped.
            c if "\\.+*?()|[]{}^$-/\"'#&~".contains(c) => Some(c),
            // `\d`, `\w`, `\s`, `\b`, `\<`, `\n`, ...: classes and assertions of their own.
            _ => None,
        }
    }

    /// After `[`: the class up to its `]`.
    fn bracket(&mut self) -> Option<Class> {
        let mut class = Class {
            negated: self.eat('^'),
            ..Class::default()
        };
        let mut first = true;
        loop {
            let low = match self.next()? {
                ']' if !first => return Some(class),
                // Nested classes and set operations (`[a[b]]`, `&&`, `--`, `~~`) are the regex
                // crate's own syntax: not read here.
                '[' => return None,
                '\\' => self.escape()?,
                c => c,
            };
            first = false;
            if matches!(
                (low, self.peek()),
                ('&', Some('&')) | ('-', Some('-')) | ('~', Some('~'))
            ) {
                return None;
            }
            let range = self.peek() == Some('-') && self.chars.get(self.at + 1) != Some(&']');
            let high = if range {
                self.at += 1;
                match self.next()? {
                    '\\' => self.escape()?,
                    '[' => return None,
                    c => c,
                }
            } else {
                low
            };
            if high < low {
                return None;
            }
            class.add(low, high);
        }
    }

    /// `node` with the quantifier that follows it, if any: `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`.
    fn quantified(&mut self, node: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.at += 1;
                let min = self.number()?;
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if !self.eat('}') || max.is_some_and(|max| max < min) {
                    return None;
                }
                self.at -= 1;
                (min, max)
            }
            _ => return Some(node),
        };
        self.at += 1;
        // A lazy (`*?`) or repeated (`a**`) quantifier: not read here.
        if matches!(self.peek(), Some('?' | '*' | '+' | '{')) {
            return None;
        }
        Some(Node::Repeat {
            node: Box::new(node),
            min,
            max,
        })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        let digits: String = self.chars[start..self.at].iter().collect();
        digits.parse().ok().filter(|n| *n <= 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn agree(pattern: &str, texts: &[&str]) {
        let ours = Pattern::new(pattern).unwrap_or_else(|| panic!("{pattern} not read"));
        let theirs = regex::Regex::new(pattern).unwrap();
        for text in texts {
            assert_eq!(
                ours.is_match(text),
                theirs.is_match(text),
                "{pattern} on {text:?}"
            );
        }
    }

    #[test]
    fn the_subset_means_what_regex_means() {
        let texts = [
            "", "a", "ab", "abc", "aab", "ba", "a\n", "\na", "a-b", "ab-", "-", "é", "aé", "{n}",
            "x{n}y", "a.b", "a|b", "ssh-rsa", "12", "123", "1234",
        ];
        for pattern in [
            "a",
            "^a",
            "a$",
            "^a$",
            "^ab?$",
            "^a*b",
            "^(a|b)+$",
            "^[a-z]{2,3}$",
            "^[^a]*$",
            "^[a-]+$",
            "^[-a]+$",
            "b",
            "^$",
            "^(ab|a)(c|b)?$",
            "^a{2}$",
            "^a{1,}$",
            "^[é]$",
            "^\\{n\\}$",
            "\\{n\\}",
            "^a\\.b$",
            "^(a?)*$",
            "^((a|b)c?)*$",
            "^[\\u0061-\\u0062]+$",
            "^[^\\u0000-\\u001f]*$",
            "^(ssh-(rsa|dss)|x)$",
            "[0-9]{3}",
        ] {
            agree(pattern, &texts);
        }
    }

    #[test]
    fn what_it_does_not_read_it_leaves_to_a_regex_engine() {
        for pattern in [
            "a.b", "\\d", "(?i)a", "a*?", "[a[b]]", "[a&&b]", "a^", "$a", "a{2000}", "(a", "[a",
            "a{2,1}", "\\x41", "[z-a]",
        ] {
            assert!(Pattern::new(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn a_match_costs_at_most_the_program_times_the_text() {
        // Exponential for a plain backtracker; each (instruction, position) pair once here.
        let pattern = Pattern::new("^(a|a)*(a|a)*(a|a)*b$").unwrap();
        assert!(!pattern.is_match(&"a".repeat(5_000)));
        assert!(pattern.is_match(&format!("{}b", "a".repeat(5_000))));
    }

    #[test]
    fn random_patterns_mean_what_regex_means() {
        let atom = r"([ab\-é]|\\\.|\[\^?a(-c)?b?\]|\((a|b)(\|b?c)?\))";
        let quantifier = r"([*+?]|\{[0-2](,[0-3]?)?\})?";
        let pattern = format!(r"\^?({atom}{quantifier}){{0,5}}\$?");
        proptest::proptest!(|(pattern in pattern.as_str(), texts in proptest::collection::vec("[abc.é-]{0,7}", 12))| {
            if let Some(ours) = Pattern::new(&pattern) {
                let theirs = regex::Regex::new(&pattern);
                proptest::prop_assert!(theirs.is_ok(), "{} read here, refused by regex", pattern);
                let theirs = theirs.unwrap();
                for text in &texts {
                    proptest::prop_assert_eq!(ours.is_match(text), theirs.is_match(text), "{} on {:?}", pattern, text);
                }
            }
        });
    }
}
