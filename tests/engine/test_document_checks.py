"""Campaign documents fail loudly (issue 17 §2, docs/campaigns.md): import reports every resource it created (tags,
tag categories, custom fields) and refuses a tag named by a goal or item that is neither declared in ``resources``
nor in the app (a typo must not make a tag nothing applies); a decision nothing links to is a publish error."""
from __future__ import annotations

from click.testing import CliRunner

from server.cli import main
from tests.engine.test_sequences import GO, one_sequence


def _tag_count(app, name: str) -> int:
    return app.call("DataService.count", "ContactGroup", {"GroupName": name})


def test_import_reports_what_it_created_and_nothing_the_app_had(app, campaigns):
    doc = one_sequence({"type": "apply_tag", "tag": "Brand new tag"}, {"type": "apply_tag", "tag": "VIP"},
                       resources={"tags": [{"name": "Brand new tag", "category": "Brand new category"},
                                           {"name": "VIP"}],
                                  "custom_fields": [{"name": "Shoe", "type": "Text"}]})
    r = campaigns.control("POST", "/campaigns", json=doc, params={"publish": "1"})
    assert r.status_code == 201, r.text
    created = r.json()["created"]
    tag_id = app.call("DataService.query", "ContactGroup", 1, 0, {"GroupName": "Brand new tag"}, ["Id"])[0]["Id"]
    assert created["tags"] == [{"id": tag_id, "name": "Brand new tag"}]  # VIP is in the seed: not created
    assert [c["name"] for c in created["tag_categories"]] == ["Brand new category"]
    assert [f["name"] for f in created["custom_fields"]] == ["Shoe"]
    again = campaigns.control("PUT", f"/campaigns/{r.json()['id']}", json=doc)
    assert again.status_code == 200 and again.json()["created"] == {"tags": [], "tag_categories": [],
                                                                     "custom_fields": []}


def test_an_undeclared_unknown_tag_is_refused_and_nothing_is_made(app, campaigns):
    doc = {"name": "Typo", "goals": [GO, {"key": "t", "type": "tag_applied", "tag": "Nurture Subscribr"}],
           "sequences": [{"key": "s", "items": [{"type": "apply_tag", "tag": "Actve Member"},
                                                {"type": "remove_tag", "tags": ["VIP", "Vip Gold"]}]}],
           "links": [["go", "s"], ["s", "t"]]}
    r = campaigns.control("POST", "/campaigns", json=doc)
    assert r.status_code == 400, r.text
    problems = r.json()["problems"]
    assert any(p.startswith("goals[1].tag: no tag named 'Nurture Subscribr'") for p in problems), problems
    assert any(p.startswith("sequences[0].items[0].tag: no tag named 'Actve Member'") for p in problems)
    assert any(p.startswith("sequences[0].items[1].tags[1]: no tag named 'Vip Gold'") for p in problems)
    assert len(problems) == 3 and "resources.tags" in problems[0]
    assert _tag_count(app, "Actve Member") == 0 and _tag_count(app, "Vip Gold") == 0
    assert "Typo" not in [c["name"] for c in campaigns.control("GET", "/campaigns").json()["campaigns"]]


def test_the_cli_lists_what_it_created(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    assert runner.invoke(main, ["seed", *data]).exit_code == 0
    doc = tmp_path / "c.yaml"
    doc.write_text("name: CLI made\ngoals: [{key: go, type: api_call, call_name: go}]\n"
                   "sequences: [{key: s, items: [{type: apply_tag, tag: CLI tag}]}]\nlinks: [[go, s]]\n"
                   "resources: {tags: [CLI tag]}\n")
    result = runner.invoke(main, ["campaigns", "import", str(doc), *data])
    assert result.exit_code == 0, result.output
    assert "created tag" in result.output and "'CLI tag'" in result.output
    doc.write_text(doc.read_text().replace("resources: {tags: [CLI tag]}", "").replace("CLI tag", "CLI tga"))
    refused = runner.invoke(main, ["campaigns", "import", str(doc), *data])
    assert refused.exit_code != 0 and "no tag named 'CLI tga'" in refused.output, refused.output


def test_a_decision_nothing_links_to_is_a_publish_error(app, campaigns):
    doc = {"name": "Orphan decision", "goals": [GO],
           "decisions": [{"key": "d", "branches": [{"to": "s"}]}],
           "sequences": [{"key": "s", "items": [{"type": "apply_tag", "tag": "VIP"}]}],
           "links": [["go", "s"]]}
    r = campaigns.control("POST", "/campaigns", json=doc, params={"publish": "1"})
    assert r.status_code == 400, r.text
    assert r.json()["problems"] == ["decisions[0]: nothing links to decision 'd', so its branches never run "
                                    "(link a goal or sequence to it)"]
    doc["links"] = [["go", "d"]]
    assert campaigns.control("POST", "/campaigns", json=doc, params={"publish": "1"}).status_code == 201


def test_tags_and_categories_beyond_ascii_are_found_again(app, campaigns):
    """SQLite's lower() folds ASCII only: a new category "Élèves" was not found again after it was made (a 500),
    and importing "Équipe" twice made the tag twice. Spelt the same, both are found on every store."""
    doc = one_sequence({"type": "apply_tag", "tag": "Équipe"},
                       resources={"tags": [{"name": "Équipe", "category": "Élèves"}]})
    first = campaigns.control("POST", "/campaigns", json=doc)
    assert first.status_code == 201, first.text
    assert [c["name"] for c in first.json()["created"]["tag_categories"]] == ["Élèves"]
    again = campaigns.control("POST", "/campaigns", json={**doc, "name": "Again"})
    assert again.status_code == 201 and again.json()["created"]["tags"] == []
    assert _tag_count(app, "Équipe") == 1
    assert app.call("DataService.count", "ContactGroupCategory", {"CategoryName": "Élèves"}) == 1


def test_dataservice_text_criteria_ignore_case_beyond_ascii(app):
    """DataService compares text ignoring case on both stores, "É" and "é" alike (SQLite's lower() and LIKE fold
    ASCII only: a query for "Émile" found no one on the default store)."""
    upper = app.call("ContactService.add", {"FirstName": "Émile", "LastName": "Zola"})
    lower = app.call("ContactService.add", {"FirstName": "émile", "LastName": "Zola"})
    ascii_ = app.call("ContactService.add", {"FirstName": "Emile", "LastName": "Zola"})

    def ids(criteria):
        return sorted(r["Id"] for r in app.call("DataService.query", "Contact", 100, 0, criteria, ["Id"]))

    for spelling in ("Émile", "émile", "ÉMILE"):
        assert ids({"FirstName": spelling}) == sorted([upper, lower]), spelling
        assert ids({"FirstName": spelling[:2] + "%"}) == sorted([upper, lower]), spelling
    assert ids({"FirstName": "emile"}) == [ascii_]
    assert ids({"FirstName": "EM%", "LastName": "zola"}) == [ascii_]
    assert app.call("DataService.count", "Contact", {"FirstName": "~<>~ÉMILE", "LastName": "Zola"}) == 1
