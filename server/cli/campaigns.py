"""``sandbox campaigns``: import, list, publish, unpublish and export Campaign Builder campaigns."""
from __future__ import annotations

import json
from pathlib import Path

import click
import yaml

from server.engine import campaigns, document
from server.engine.document import DocumentError
from server.engine.errors import PublishError

from .common import ID, app_options, guarded, session_scope

# Document and publish errors list every problem; lookup errors are one line.
_guarded = guarded(problems=(DocumentError, PublishError), heading="the campaign has problems:")


@click.group("campaigns")
def campaigns_group():
    """Campaign Builder campaigns, as documents (JSON or YAML; see docs/campaigns.md)."""


@campaigns_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish/--draft", default=False, help="Publish it at once [default: keep it a draft]")
@click.option("--replace", "replace_id", type=ID, default=None, help="Replace the document of this campaign")
@app_options
@_guarded
def import_campaign(file: Path, publish: bool, replace_id, app_name, data_dir, database_url):
    """Import a campaign document; the tags and custom fields it declares in ``resources`` are created if
    missing (and listed)."""
    doc = document.parse(file.read_bytes())
    with session_scope(app_name, data_dir, database_url, write=True) as s:
        if replace_id is not None:
            created = campaigns.replace_document(s, replace_id, doc)
            campaign_id = replace_id
        else:
            campaign_id, created = campaigns.import_document(s, doc)
        if publish:
            campaigns.publish(s, campaign_id)
        row = campaigns.get(s, campaign_id)
    click.echo(f"campaign {row.id} {row.name!r}: {row.status}")
    for kind, made in created.items():
        for resource in made:
            click.echo(f"  created {_KINDS[kind]} {resource['id']} {resource['name']!r}")


_KINDS = {"tags": "tag", "tag_categories": "tag category", "custom_fields": "custom field"}


@campaigns_group.command("list")
@app_options
def list_campaigns(app_name, data_dir, database_url):
    """List the app's campaigns: id, status, published version, name."""
    with session_scope(app_name, data_dir, database_url, write=False) as s:
        for row in campaigns.list_campaigns(s):
            click.echo(f"{row.id}\t{row.status}\tv{row.version}\t{row.name}")


@campaigns_group.command("publish")
@click.argument("campaign_id", type=ID)
@app_options
@_guarded
def publish_campaign(campaign_id: int, app_name, data_dir, database_url):
    """Publish (or republish) a campaign: its goals start listening."""
    with session_scope(app_name, data_dir, database_url, write=True) as s:
        result = campaigns.publish(s, campaign_id)
    click.echo(f"campaign {campaign_id}: published, version {result['version']}")


@campaigns_group.command("unpublish")
@click.argument("campaign_id", type=ID)
@app_options
@_guarded
def unpublish_campaign(campaign_id: int, app_name, data_dir, database_url):
    """Stop a campaign's goals listening; its contacts wait where they are."""
    with session_scope(app_name, data_dir, database_url, write=True) as s:
        campaigns.unpublish(s, campaign_id)
    click.echo(f"campaign {campaign_id}: unpublished")


@campaigns_group.command("export")
@click.argument("campaign_id", type=ID)
@click.option("--yaml", "as_yaml", is_flag=True, help="YAML instead of JSON")
@app_options
@_guarded
def export_campaign(campaign_id: int, as_yaml: bool, app_name, data_dir, database_url):
    """Print a campaign's document."""
    with session_scope(app_name, data_dir, database_url, write=False) as s:
        doc = campaigns.get(s, campaign_id).document
    if as_yaml:
        click.echo(yaml.safe_dump(doc, sort_keys=False), nl=False)
    else:
        click.echo(json.dumps(doc, indent=2))
