//! The stable codes of every diagnostic, with a one-line summary each.
//!
//! Codes are part of atlasod's interface: CI scripts match on them and the
//! JSON, GitHub and SARIF outputs carry them. Never rename one; add new ones.
//! Every code has a fixture under `tests/fixtures/invalid/<code>/`.

use std::fmt;

macro_rules! codes {
    ($($variant:ident => $name:literal, $summary:literal;)*) => {
        /// A diagnostic's stable identity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name users see and match on.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// One line saying what the code is about.
            pub const fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }
    };
}

codes! {
    // parse: the file as YAML
    NotUtf8 => "not-utf8", "the file is not valid UTF-8 text";
    EmptyFile => "empty-file", "the file has no content";
    YamlSyntax => "yaml-syntax", "the file is not well-formed YAML";
    TabIndentation => "tab-indentation", "a tab is used for indentation, which YAML forbids";
    DuplicateKey => "duplicate-key", "a key appears twice in the same mapping";
    NotAMapping => "not-a-mapping", "the document is not a mapping of keys to values";
    MultipleDocuments => "multiple-documents", "the file holds more than one YAML document";
    NonStringKey => "non-string-key", "a mapping key is not a plain string";
    YamlTooDeep => "yaml-too-deep", "the document nests deeper or expands larger than a spec can";
    // validate, schema: shape and types
    UnknownKey => "unknown-key", "a key that the spec does not define";
    MissingKey => "missing-key", "a required key is absent";
    WrongType => "wrong-type", "a value of the wrong type";
    InvalidValue => "invalid-value", "a value outside the allowed set";
    InvalidFormat => "invalid-format", "a string that does not have the expected form";
    OutOfRange => "out-of-range", "a number or list length outside its bounds";
    DuplicateItem => "duplicate-item", "a list holds the same item twice";
    InvalidSpec => "invalid-spec", "a value of the right form that atlasod cannot use, such as a size too large to count";
    // validate, meaning: rules across fields and against the catalogues
    ScheduleOrder => "schedule-order", "the schedule ends before it starts";
    UnknownRegion => "unknown-region", "a region the cloud does not have";
    UnknownZone => "unknown-zone", "a zone that is not in the chosen region";
    UnknownInstance => "unknown-instance", "an instance type the cloud does not offer";
    InstanceNotInRegion => "instance-not-in-region", "an instance type not offered in the chosen region, or none there that fits";
    UnpricedRegion => "unpriced-region", "a region without price data: availability and cost are not checked";
    InstanceTooSmall => "instance-too-small", "an instance type too small for the users";
    TooManyUsers => "too-many-users", "more users than one machine should serve";
    MissingCloud => "missing-cloud", "a target is asked for but its cloud block is absent";
    LocalOnly => "local-only", "a setting that is safe only on a laptop, used for a cloud target";
    UnknownDataset => "unknown-dataset", "a dataset id that is not in the catalogue";
    DuplicateDataset => "duplicate-dataset", "two datasets share a name";
    ImageAndPreset => "image-and-preset", "both `environment.image` and `environment.preset` are set";
    AdminNotAllowed => "admin-not-allowed", "an admin name that the auth method cannot log in";
    AuthSettings => "auth-settings", "auth settings that do not fit the auth method";
    HttpsNeedsDomain => "https-needs-domain", "Let's Encrypt is asked for without a domain";
    DiskTooSmall => "disk-too-small", "the data disk cannot hold the homes and datasets";
    SshClosed => "ssh-closed", "an SSH key is given but SSH is not opened to anyone";
    InvalidSshKey => "invalid-ssh-key", "an SSH public key that does not decode as an OpenSSH key of its type";
    OpenLogin => "open-login", "GitHub or GitLab login without `auth.allowed`: every account on the service can log in";
    IdleTimeoutTooShort => "idle-timeout-too-short", "servers would be culled before a student can work";
    ClusterSettings => "cluster-settings", "settings of `cloud.kubernetes.cluster` that do not fit its provider";
    // validate, the roster: the CSV file `users.roster` names
    RosterUnreadable => "roster-unreadable", "the roster file cannot be read as UTF-8 text";
    RosterColumns => "roster-columns", "the roster's header or a row's cells do not fit the roster's columns";
    InvalidUsername => "invalid-username", "a roster username the hub, Docker or the login method cannot use";
    DuplicateUsername => "duplicate-username", "two roster rows give the same username";
    RosterTooLong => "roster-too-long", "the roster has more rows than `users.count`";
    RosterSettings => "roster-settings", "`users.pattern` together with a roster, or without `users.count`";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// The code with this name, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|code| code.as_str() == name)
    }
}
