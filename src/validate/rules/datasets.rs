//! Rules for `datasets`: catalogue ids exist, and no two datasets share a
//! folder name under `/data`.

use super::Rules;
use crate::data::catalogue::catalogue;
use crate::diagnostic::Code;
use crate::parse::Step;
use crate::spec::DatasetRef;
use crate::validate::suggest::closest;

impl Rules<'_> {
    pub(super) fn datasets(&mut self) {
        if self.spec.datasets.is_empty() {
            return; // and the catalogue is never loaded
        }
        let ids: Vec<&str> = catalogue().ids().collect();
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for (index, dataset) in self.spec.datasets.iter().enumerate() {
            let item = [Step::Key("datasets"), Step::Index(index)];
            if let DatasetRef::Catalogue(id) = dataset {
                if catalogue().get(id).is_none() {
                    let suggestion = closest(id, ids.iter().copied());
                    let diagnostic = self
                        .error(
                            Code::UnknownDataset,
                            self.value(&item),
                            format!("`{id}` is not in the dataset catalogue"),
                        )
                        .label(suggestion.map_or_else(|| "unknown dataset".to_owned(), |s| format!("did you mean `{s}`?")))
                        .help(match suggestion {
                            Some(s) => format!("did you mean `{s}`? `atlasod datasets` lists the catalogue"),
                            None => "`atlasod datasets` lists the catalogue; for a file of your own write `- name: ...` with `url: ...`".to_owned(),
                        });
                    self.out.push(diagnostic);
                }
            }
            let name = dataset.name();
            if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == name) {
                let named = [Step::Key("datasets"), Step::Index(index), Step::Key("name")];
                let diagnostic = self
                    .error(
                        Code::DuplicateDataset,
                        self.value(&named),
                        format!(
                            "two datasets are named `{name}`; each needs its own folder under /data"
                        ),
                    )
                    .label("second dataset with this name")
                    .secondary(
                        self.value(&[Step::Key("datasets"), Step::Index(first), Step::Key("name")]),
                        "first one",
                    )
                    .help("remove the repeat, or give your own dataset another `name`");
                self.out.push(diagnostic);
            } else {
                seen.push((name, index));
            }
        }
    }
}
