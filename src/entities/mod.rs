//! TEMPORARY interface stub (replaced by the entities branch): extraction and alias table API.

use serde::{Deserialize, Serialize};

use crate::article::{Entity, EntityKind};

pub struct Extractor;
impl Default for Extractor {
    fn default() -> Self {
        Extractor
    }
}
impl Extractor {
    pub fn new() -> Extractor {
        Extractor
    }
    pub fn extract(&self, _title: Option<&str>, _body: &str) -> Vec<Entity> {
        Vec::new()
    }
}

#[derive(Default, Serialize, Deserialize)]
pub struct EntityTable {}
impl EntityTable {
    pub fn new() -> Self {
        EntityTable {}
    }
    pub fn observe(&mut self, _entities: &[Entity]) {}
    pub fn forget(&mut self, _entities: &[Entity]) {}
    pub fn canonical(&self, kind: EntityKind, name: &str) -> (EntityKind, String) {
        (kind, name.to_string())
    }
    pub fn resolve(&self, _query: &str) -> Vec<(EntityKind, String)> {
        Vec::new()
    }
    pub fn members(&self, _kind: EntityKind, canonical: &str) -> Vec<String> {
        vec![canonical.to_string()]
    }
    pub fn aliases(&self, _kind: EntityKind, _canonical: &str) -> Vec<String> {
        Vec::new()
    }
    pub fn variants(&self, _word: &str) -> Vec<String> {
        Vec::new()
    }
}
