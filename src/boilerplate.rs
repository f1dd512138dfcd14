//! TEMPORARY interface stub (replaced by the passages branch): boilerplate model API.

use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Boilerplate {}
impl Boilerplate {
    pub fn new() -> Self {
        Boilerplate {}
    }
    pub fn observe(&mut self, _outlet: &str, _body: &str) {}
    pub fn is_boilerplate(&self, _outlet: &str, _paragraph: &str) -> bool {
        false
    }
    pub fn strip(&self, _outlet: &str, body: &str) -> String {
        body.to_string()
    }
}
