//! Every lab: the starting project fails its check, the reference solution (kept here, never
//! shown to learners) passes, and an emptied folder fails (deleting the problem is not fixing it).

use seccoach::catalog::Catalog;
use seccoach::lab;
use std::path::Path;
use std::sync::Arc;

fn catalog() -> Arc<Catalog> {
    Arc::new(Catalog::embedded().expect("embedded catalogue loads"))
}

/// Copies every file under `from` over `to`.
fn overlay(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            overlay(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn there_are_at_least_six_labs_each_linked_from_its_lesson() {
    let catalog = catalog();
    let labs = lab::all(&catalog).unwrap();
    assert!(labs.len() >= 6, "{} labs", labs.len());
    for l in &labs {
        let lesson = catalog.lesson(&l.lesson).unwrap();
        assert_eq!(
            lesson.lab.as_deref(),
            Some(l.id.as_str()),
            "lesson {} should name lab {}",
            lesson.id,
            l.id
        );
    }
    for lesson in catalog.lessons() {
        if let Some(id) = &lesson.lab {
            assert!(
                labs.iter().any(|l| &l.id == id),
                "lesson {} names missing lab {id}",
                lesson.id
            );
        }
    }
}

#[test]
fn starting_states_fail_solutions_pass_and_empty_folders_fail() {
    let catalog = catalog();
    let solutions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labs");
    let mut problems = Vec::new();
    for l in lab::all(&catalog).unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("lab");
        lab::start(&l, &work).unwrap();
        // The copy was built beside the target and renamed into place: nothing else is left.
        let beside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(beside, ["lab"], "{}", l.id);
        for (rel, text) in &l.files {
            assert_eq!(
                &std::fs::read_to_string(work.join(rel)).unwrap(),
                text,
                "{rel}"
            );
        }

        let start = lab::check(&l, Arc::clone(&catalog), &work).unwrap();
        if start.solved() {
            problems.push(format!("{}: the starting project already passes", l.id));
        }
        for rule in &l.rules {
            if !start.remaining.iter().any(|f| f.rule.as_str() == rule) {
                problems.push(format!(
                    "{}: the starting project does not trigger {rule}",
                    l.id
                ));
            }
        }

        let solution = solutions.join(&l.id).join("solution");
        assert!(solution.is_dir(), "{}: no reference solution", l.id);
        overlay(&solution, &work);
        let solved = lab::check(&l, Arc::clone(&catalog), &work).unwrap();
        if !solved.solved() {
            let left: Vec<String> = solved
                .remaining
                .iter()
                .map(|f| format!("{} {}:{}", f.rule, f.path, f.line))
                .collect();
            problems.push(format!(
                "{}: the solution does not pass: findings {left:?}, broken {:?}",
                l.id, solved.broken
            ));
        }

        let empty = dir.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let emptied = lab::check(&l, Arc::clone(&catalog), &empty).unwrap();
        if emptied.solved() || emptied.broken.is_empty() {
            problems.push(format!("{}: an emptied folder passes", l.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn start_fills_an_existing_empty_folder() {
    let catalog = catalog();
    let l = lab::all(&catalog).unwrap().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("lab");
    std::fs::create_dir(&work).unwrap();
    lab::start(&l, &work).unwrap();
    for (rel, _) in &l.files {
        assert!(work.join(rel).is_file(), "{rel}");
    }
}

#[test]
fn start_refuses_a_non_empty_folder() {
    let catalog = catalog();
    let l = lab::all(&catalog).unwrap().remove(0);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mine.txt"), "keep me").unwrap();
    assert!(lab::start(&l, dir.path()).is_err());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing was written"
    );
}

/// Near misses: the reference solution with one part of the goal undone must still fail, so a
/// lab cannot be "solved" by a fix that the lesson says is incomplete.
#[test]
fn near_miss_variants_of_the_solutions_still_fail() {
    let catalog = catalog();
    let solutions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labs");
    // (lab, file, text to replace in the solution, replacement)
    let variants: &[(&str, &str, &str, &str)] = &[
        // Restricted also requires a seccomp profile; a namespace enforcing it rejects the pod.
        (
            "pod-security",
            "deployment.yaml",
            "        seccompProfile:\n          type: RuntimeDefault\n",
            "",
        ),
        (
            "pod-security",
            "deployment.yaml",
            "RuntimeDefault",
            "Unconfined",
        ),
        // Pod Security only warns: nothing is rejected.
        (
            "namespace-isolation",
            "namespace.yaml",
            "pod-security.kubernetes.io/enforce: restricted",
            "pod-security.kubernetes.io/warn: restricted",
        ),
        // An enforced level that admits everything.
        (
            "namespace-isolation",
            "namespace.yaml",
            "pod-security.kubernetes.io/enforce: restricted",
            "pod-security.kubernetes.io/enforce: privileged",
        ),
        // Default deny for ingress only: egress to anywhere stays open.
        (
            "namespace-isolation",
            "network-policy.yaml",
            "policyTypes: [\"Ingress\", \"Egress\"]",
            "policyTypes: [\"Ingress\"]",
        ),
        // The policies land in another namespace, so shop is still open.
        (
            "namespace-isolation",
            "network-policy.yaml",
            "namespace: shop",
            "namespace: default",
        ),
        // Deny everything, DNS included: the api cannot resolve its database.
        (
            "namespace-isolation",
            "network-policy.yaml",
            "port: 53",
            "port: 5353",
        ),
        // The git dependency still follows a branch.
        (
            "pin-dependencies",
            "requirements.txt",
            "@9c41e27d0b5f3a86c2e1d47f8a90b3c5d6e7f812",
            "@main",
        ),
        // A wildcard left in package.json.
        (
            "pin-dependencies",
            "web/package.json",
            "\"htmx.org\": \"2.0.4\"",
            "\"htmx.org\": \"*\"",
        ),
        // An empty file named like a lockfile is not a lockfile.
        ("pin-dependencies", "web/package-lock.json", "", ""),
        // The SQL moved into a variable, still built with `+`, then executed.
        (
            "parameterise-query",
            "search.py",
            "    cursor.execute(\n        \"SELECT id, name, price FROM products WHERE name LIKE ? ORDER BY name\",\n        (\"%\" + term + \"%\",),\n    )\n",
            "    q = \"SELECT id, name, price FROM products WHERE name LIKE '%\" + term + \"%' ORDER BY name\"\n    cursor.execute(q)\n",
        ),
    ];
    let labs = lab::all(&catalog).unwrap();
    let mut problems = Vec::new();
    for &(id, file, from, to) in variants {
        let l = labs.iter().find(|l| l.id == id).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("lab");
        lab::start(l, &work).unwrap();
        overlay(&solutions.join(id).join("solution"), &work);
        let path = work.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let changed = if from.is_empty() {
            String::new()
        } else {
            assert!(text.contains(from), "{id}/{file} holds {from:?}");
            text.replace(from, to)
        };
        std::fs::write(&path, changed).unwrap();
        if lab::check(l, Arc::clone(&catalog), &work).unwrap().solved() {
            problems.push(format!("{id}: {file} with {from:?} -> {to:?} passes"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
