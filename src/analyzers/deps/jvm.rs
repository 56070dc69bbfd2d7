//! Maven's `pom.xml` and Gradle's `gradle.lockfile`. Maven packages are named
//! `groupId:artifactId`, as OSV names them.

use super::lockfile::{Locked, lines};
use super::version::Ecosystem;
use crate::analyzers::Unparsed;
use crate::source::Source;
use std::collections::BTreeMap;

/// Deepest chain of `${…}` properties followed (`${a}` → `${b}` → …) before giving up.
const MAX_PROPERTY_HOPS: usize = 8;

/// `gradle.lockfile`: one `group:artifact:version=configurations` line per resolved module.
/// Comments and the `empty=` line are not modules; any other line that does not fit is
/// reported, and the rest still read.
pub(super) fn gradle_lockfile(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let mut problem = None;
    for (start, line) in lines(src.bytes) {
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') || text.starts_with("empty=") {
            continue;
        }
        let coordinates = text.split('=').next().unwrap_or(text);
        let parts: Vec<&str> = coordinates.split(':').collect();
        match parts.as_slice() {
            [group, artifact, version]
                if [group, artifact, version].iter().all(|p| !p.is_empty()) =>
            {
                let indent = line.len() - line.trim_start().len();
                out.push(Locked {
                    ecosystem: Ecosystem::Maven,
                    name: format!("{group}:{artifact}"),
                    version: (*version).to_owned(),
                    span: start + indent..start + indent + coordinates.len(),
                    via: Vec::new(),
                    indirect: false,
                });
            }
            _ if problem.is_none() => {
                let mut note = Unparsed::at(src, start, "not a group:artifact:version line");
                note.partial = true;
                problem = Some(note);
            }
            _ => {}
        }
    }
    problem.map_or(Ok(()), Err)
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn child_text<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name).and_then(|c| c.text()).map(str::trim)
}

/// `pom.xml`: the `<dependency>`s of `<dependencies>` and `<dependencyManagement>`, with a
/// literal `<version>` or one set by a property of this pom (`${jackson.version}`,
/// `${project.version}`). A version range (`[1.0,2.0)`) pins nothing and is left out; a
/// version whose property this pom does not define (a parent's, or a profile's) cannot be
/// checked, and the first such one is reported with its line; so are dependencies without a
/// version (set by a parent pom or an imported BOM).
pub(super) fn pom(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let text = std::str::from_utf8(src.bytes).map_err(|_| Unparsed::not_utf8())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = src.bytes.len() - text.len();
    let doc = roxmltree::Document::parse(text).map_err(|err| {
        let pos = err.pos();
        Unparsed {
            line: Some(pos.row),
            message: format!("line {}, column {}: {err}", pos.row, pos.col),
            partial: false,
        }
    })?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Ok(());
    }
    let mut properties: BTreeMap<String, String> = BTreeMap::new();
    if let Some(props) = child(project, "properties") {
        for prop in props.children().filter(|c| c.is_element()) {
            properties.insert(
                prop.tag_name().name().to_owned(),
                prop.text().unwrap_or("").trim().to_owned(),
            );
        }
    }
    let parent = child(project, "parent");
    let own =
        |name: &str| child_text(project, name).or_else(|| parent.and_then(|p| child_text(p, name)));
    for (key, value) in [
        ("project.version", own("version")),
        ("pom.version", own("version")),
        ("version", own("version")),
        ("project.groupId", own("groupId")),
        (
            "project.parent.version",
            parent.and_then(|p| child_text(p, "version")),
        ),
        (
            "project.parent.groupId",
            parent.and_then(|p| child_text(p, "groupId")),
        ),
    ] {
        if let Some(value) = value {
            properties
                .entry(key.to_owned())
                .or_insert_with(|| value.to_owned());
        }
    }
    let mut lists = Vec::new();
    lists.extend(child(project, "dependencies"));
    lists.extend(child(project, "dependencyManagement").and_then(|m| child(m, "dependencies")));
    let mut problem = None;
    let mut unversioned: Vec<(usize, String)> = Vec::new();
    for list in lists {
        for dep in list
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "dependency")
        {
            let (Some(group), Some(artifact)) =
                (child_text(dep, "groupId"), child(dep, "artifactId"))
            else {
                continue;
            };
            let Some(version_node) = child(dep, "version") else {
                // Managed by a parent pom or an imported BOM, which this file does not show.
                let name = artifact.text().unwrap_or("").trim();
                unversioned.push((dep.range().start, format!("{group}:{name}")));
                continue;
            };
            let artifact_name = artifact.text().unwrap_or("").trim();
            let written = version_node.text().unwrap_or("").trim();
            let (Some(group), Some(version)) =
                (resolve(group, &properties), resolve(written, &properties))
            else {
                if problem.is_none() {
                    let mut note = Unparsed::at(
                        src,
                        offset + version_node.range().start,
                        &format!(
                            "the version of {group}:{artifact_name} uses a property this pom \
                             does not define, so it was not checked"
                        ),
                    );
                    note.partial = true;
                    problem = Some(note);
                }
                continue;
            };
            if artifact_name.is_empty() || version.is_empty() || version.starts_with(['[', '(']) {
                continue;
            }
            out.push(Locked {
                ecosystem: Ecosystem::Maven,
                name: format!("{group}:{artifact_name}"),
                version,
                span: offset + artifact.range().start..offset + version_node.range().end,
                via: Vec::new(),
                indirect: false,
            });
        }
    }
    out.sort_by_key(|l| l.span.start);
    // One managed in this pom's own <dependencyManagement> was checked there.
    unversioned.retain(|(_, name)| !out.iter().any(|l| &l.name == name));
    if problem.is_none()
        && let Some((at, _)) = unversioned.first()
    {
        let unversioned_count = unversioned.len();
        let mut note = Unparsed::at(
            src,
            offset + at,
            &format!(
                "{unversioned_count} dependencies take their version from a parent pom or an \
                 imported BOM, which this file does not show, so they were not checked"
            ),
        );
        note.partial = true;
        problem = Some(note);
    }
    problem.map_or(Ok(()), Err)
}

/// `text` with its `${name}` references replaced by this pom's properties; `None` when one is
/// not defined (or the chain is longer than [`MAX_PROPERTY_HOPS`]).
fn resolve(text: &str, properties: &BTreeMap<String, String>) -> Option<String> {
    let mut current = text.to_owned();
    for _ in 0..MAX_PROPERTY_HOPS {
        let Some(start) = current.find("${") else {
            return Some(current);
        };
        let end = start + current[start..].find('}')?;
        let value = properties.get(&current[start + 2..end])?;
        current = format!("{}{value}{}", &current[..start], &current[end + 1..]);
        if current.len() > 1024 {
            return None;
        }
    }
    (!current.contains("${")).then_some(current)
}

#[cfg(test)]
mod tests {
    use super::super::lockfile::{read_rows as read, row};

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.4.0</version>
  <properties>
    <log4j.version>2.14.1</log4j.version>
    <jackson.version>${jackson.base}.1</jackson.version>
    <jackson.base>2.9</jackson.base>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson.core</groupId>
        <artifactId>jackson-databind</artifactId>
        <version>${jackson.version}</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <!-- <dependency><groupId>x</groupId><artifactId>y</artifactId><version>1</version></dependency> -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${log4j.version}</version>
    </dependency>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>shop-core</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>[4.0,5.0)</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
"#;

    #[test]
    fn pom_literal_and_property_versions() {
        let (found, problem) = read("pom.xml", POM);
        assert_eq!(
            found,
            vec![
                row(
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.9.1",
                    16,
                    ""
                ),
                row("org.apache.logging.log4j:log4j-core", "2.14.1", 25, ""),
                row("com.example:shop-core", "1.4.0", 34, ""),
            ]
        );
        // jackson-databind's version comes from this pom's dependencyManagement: checked there.
        assert_eq!(problem, None);
        // One from a parent pom does not show here: said, with the line.
        let from_parent = POM.replace(
            "<artifactId>jackson-databind</artifactId>\n    </dependency>",
            "<artifactId>jackson-core</artifactId>\n    </dependency>",
        );
        let (found, problem) = read("pom.xml", &from_parent);
        assert_eq!(found.len(), 3);
        assert_eq!(problem, Some(28));
    }

    #[test]
    fn pom_properties_from_elsewhere_are_reported_not_guessed() {
        let parent_prop = POM.replace("${log4j.version}", "${log4j2.version}");
        let (found, problem) = read("pom.xml", &parent_prop);
        assert_eq!(found.len(), 2);
        assert_eq!(problem, Some(26));
        // A property that refers to itself ends, unresolved.
        let cycle = POM.replace(
            "<jackson.base>2.9</jackson.base>",
            "<jackson.base>${jackson.version}</jackson.base>",
        );
        let (found, problem) = read("pom.xml", &cycle);
        assert_eq!(found.len(), 2);
        assert_eq!(problem, Some(17));
    }

    #[test]
    fn malformed_and_hostile_poms_are_notes_with_lines() {
        let (found, problem) = read(
            "pom.xml",
            "<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n",
        );
        assert!(found.is_empty());
        assert_eq!(problem, Some(4));
        let deep = format!("<project>{}", "<a>".repeat(200_000));
        let (found, problem) = read("pom.xml", &deep);
        assert!(found.is_empty());
        assert!(problem.is_some());
        let bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE project [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n<project><version>&b;</version></project>\n";
        let (found, problem) = read("pom.xml", bomb);
        assert!(found.is_empty());
        assert!(problem.is_some());
        // Another XML document called pom.xml is not a Maven project.
        assert_eq!(read("pom.xml", "<html><body/></html>"), (vec![], None));
    }

    #[test]
    fn gradle_lockfile_lines() {
        let text = "# This is a Gradle generated file for dependency locking.\n# Manual edits can break the build and are not advised.\n# This file is expected to be part of source control.\ncom.fasterxml.jackson.core:jackson-databind:2.13.2=compileClasspath,runtimeClasspath\norg.yaml:snakeyaml:1.33=runtimeClasspath\nempty=annotationProcessor\n";
        let (found, problem) = read("gradle.lockfile", text);
        assert_eq!(
            found,
            vec![
                row(
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.13.2",
                    4,
                    ""
                ),
                row("org.yaml:snakeyaml", "1.33", 5, ""),
            ]
        );
        assert_eq!(problem, None);
        let broken = format!("{text}not-a-module\norg.x:y:1.0=runtimeClasspath\n");
        let (found, problem) = read("gradle.lockfile", &broken);
        assert_eq!(found.len(), 3);
        assert_eq!(problem, Some(7));
    }
}
