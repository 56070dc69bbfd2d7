//! NuGet: `packages.lock.json`, and the `PackageReference` / `PackageVersion` items of .NET
//! project files (`*.csproj`, `*.fsproj`, `*.vbproj`, `Directory.Packages.props`).

use super::json;
use super::lockfile::{Locked, via_paths};
use super::version::Ecosystem;
use crate::analyzers::Unparsed;
use crate::source::Source;
use std::collections::{BTreeMap, BTreeSet};

/// `packages.lock.json`: each target framework's packages with their `resolved` version. A
/// package the project references directly (`Direct`, or pinned centrally) has no path; one
/// pulled in by another (`Transitive`) gets the path through its `dependencies`. `Project`
/// entries are the solution's own projects, not packages. A package resolved alike for several
/// frameworks is one version to check.
pub(super) fn packages_lock(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
    let doc = json::parse(src.bytes).map_err(|e| e.unparsed(src))?;
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for framework in doc
        .get("dependencies")
        .map(json::Node::members)
        .unwrap_or_default()
    {
        let members = framework.value.members();
        let index: BTreeMap<String, usize> = members
            .iter()
            .enumerate()
            .map(|(i, m)| (m.key.to_ascii_lowercase(), i))
            .collect();
        let names: Vec<String> = members.iter().map(|m| m.key.clone()).collect();
        let kind = |m: &json::Member| {
            m.value
                .get("type")
                .and_then(json::Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let roots: Vec<usize> = (0..members.len())
            .filter(|&i| kind(&members[i]) != "Transitive")
            .collect();
        let edges: Vec<Vec<usize>> = members
            .iter()
            .map(|m| {
                m.value
                    .get("dependencies")
                    .map(json::Node::members)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|d| index.get(&d.key.to_ascii_lowercase()).copied())
                    .collect()
            })
            .collect();
        let via = via_paths(&names, &roots, &edges);
        for (member, via) in members.iter().zip(via) {
            if kind(member) == "Project" {
                continue;
            }
            let Some(resolved) = member.value.get("resolved") else {
                continue;
            };
            let Some(version) = resolved.as_str() else {
                continue;
            };
            if !seen.insert((member.key.to_ascii_lowercase(), version.to_owned())) {
                continue;
            }
            out.push(Locked {
                ecosystem: Ecosystem::NuGet,
                name: member.key.clone(),
                version: version.to_owned(),
                span: member.key_span.start..resolved.span.end.max(member.key_span.end),
                via,
                indirect: false,
            });
        }
    }
    Ok(())
}

/// A project file's `<PackageReference Include="X" Version="1.2.3" />` (the version may also be
/// a child element) and, in `Directory.Packages.props`, `<PackageVersion …>`. Only a literal
/// version is read: NuGet restores the lowest version a bare `1.2.3` allows, which is that one
/// when it exists, and `[1.2.3]` asks for exactly it. A range (`[1.0,2.0)`), a float (`1.*`) or an MSBuild property (`$(V)`)
/// pins nothing this file shows, and is left out.
pub(super) fn project(src: &Source, out: &mut Vec<Locked>) -> Result<(), Unparsed> {
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
    for item in doc.descendants().filter(|n| {
        n.is_element() && matches!(n.tag_name().name(), "PackageReference" | "PackageVersion")
    }) {
        let Some(name) = item.attribute("Include") else {
            continue; // `Update=` and `Remove=` change an item defined elsewhere
        };
        let (version, end) = if let Some(attr) = item.attribute_node("Version") {
            (attr.value().trim(), attr.range_value().end)
        } else if let Some(child) = item
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "Version")
        {
            (child.text().unwrap_or("").trim(), child.range().end)
        } else {
            continue; // versioned centrally, in Directory.Packages.props
        };
        // `[1.2.3]` is NuGet's notation for exactly that version.
        let version = version
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .filter(|v| !v.contains(','))
            .map_or(version, str::trim);
        let literal = !version.is_empty()
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
        if !literal || name.trim().is_empty() {
            continue;
        }
        out.push(Locked {
            ecosystem: Ecosystem::NuGet,
            name: name.trim().to_owned(),
            version: version.to_owned(),
            span: offset + item.range().start..offset + end.max(item.range().start),
            via: Vec::new(),
            indirect: false,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::lockfile::{read_rows as read, row};

    #[test]
    fn packages_lock_json_with_paths_once_per_version() {
        let text = r#"{
  "version": 1,
  "dependencies": {
    "net6.0": {
      "Microsoft.AspNetCore.Authentication.JwtBearer": {
        "type": "Direct",
        "requested": "[6.0.0, )",
        "resolved": "6.0.0",
        "dependencies": { "System.IdentityModel.Tokens.Jwt": "6.10.0" }
      },
      "System.IdentityModel.Tokens.Jwt": {
        "type": "Transitive",
        "resolved": "6.10.0",
        "dependencies": { "Microsoft.IdentityModel.JsonWebTokens": "6.10.0" }
      },
      "Microsoft.IdentityModel.JsonWebTokens": { "type": "Transitive", "resolved": "6.10.0" },
      "shared": { "type": "Project", "dependencies": { "Newtonsoft.Json": "[12.0.1, )" } },
      "Newtonsoft.Json": { "type": "Transitive", "resolved": "12.0.1" }
    },
    "net8.0": {
      "Newtonsoft.Json": { "type": "Direct", "requested": "[12.0.1, )", "resolved": "12.0.1" }
    }
  }
}"#;
        let (found, problem) = read("packages.lock.json", text);
        assert_eq!(
            found,
            vec![
                row(
                    "Microsoft.AspNetCore.Authentication.JwtBearer",
                    "6.0.0",
                    5,
                    ""
                ),
                row(
                    "System.IdentityModel.Tokens.Jwt",
                    "6.10.0",
                    11,
                    "Microsoft.AspNetCore.Authentication.JwtBearer"
                ),
                row(
                    "Microsoft.IdentityModel.JsonWebTokens",
                    "6.10.0",
                    16,
                    "Microsoft.AspNetCore.Authentication.JwtBearer > System.IdentityModel.Tokens.Jwt"
                ),
                row("Newtonsoft.Json", "12.0.1", 18, "shared"),
            ]
        );
        assert_eq!(problem, None);
        let (found, problem) = read("packages.lock.json", "{\"dependencies\": {\"net6.0\": [}}");
        assert!(found.is_empty());
        assert_eq!(problem, Some(1));
    }

    #[test]
    fn project_files_literal_package_references() {
        let csproj = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="12.0.1" />
    <PackageReference Include="Serilog">
      <Version>2.10.0</Version>
    </PackageReference>
    <PackageReference Include="Floating" Version="6.*" />
    <PackageReference Include="Ranged" Version="[1.0,2.0)" />
    <PackageReference Include="Exact" Version="[4.5.0]" />
    <PackageReference Include="FromProperty" Version="$(EfVersion)" />
    <PackageReference Include="Central" />
    <PackageReference Update="Newtonsoft.Json" Version="13.0.1" />
  </ItemGroup>
</Project>
"#;
        let (found, problem) = read("src/Api/Api.csproj", csproj);
        assert_eq!(
            found,
            vec![
                row("Newtonsoft.Json", "12.0.1", 6, ""),
                row("Serilog", "2.10.0", 7, ""),
                row("Exact", "4.5.0", 12, ""),
            ]
        );
        assert_eq!(problem, None);
        let props = "<Project>\n  <ItemGroup>\n    <PackageVersion Include=\"System.Text.Json\" Version=\"8.0.4\" />\n  </ItemGroup>\n</Project>\n";
        let (found, _) = read("Directory.Packages.props", props);
        assert_eq!(found, vec![row("System.Text.Json", "8.0.4", 3, "")]);
        let (found, problem) = read(
            "App.fsproj",
            "<Project>\n<ItemGroup>\n<PackageReference Include=\"a\" Version=\"1.0\">\n</Project>\n",
        );
        assert!(found.is_empty());
        assert_eq!(problem, Some(4));
    }
}
